// The OpenSSL table filled with the functions the command is linked against, so
// that `check` and `explain` validate values with exactly the code the library uses.
#pragma once

#include "core/diagnostic.hpp"
#include "core/process_config.hpp"
#include "openssl/symbols.hpp"

const OpenSsl& linked_openssl();

// Every error in a loaded configuration: the environment's and the file's, then
// every value OpenSSL rejects. What `check` and `explain` both report.
tlso::Diagnostics configuration_errors(const tlso::ProcessConfig& pc);
