// The GnuTLS side of `check` and `explain`: each layer's translation into GnuTLS
// priority tokens, checked by the GnuTLS the command is linked with (the same
// check the library makes at start in a GnuTLS program).
#pragma once

#include <string>

#include "core/diagnostic.hpp"
#include "core/process_config.hpp"

// Values with no exact GnuTLS equivalent, and tokens this GnuTLS rejects. A value
// already reported at the same place (OpenSSL rejected it) is not reported twice.
tlso::Diagnostics gnutls_translation_errors(const tlso::ProcessConfig& pc, const tlso::Diagnostics& already);

// "-VERS-TLS1.0:...", or "(nothing: GnuTLS programs keep their own priorities)".
std::string gnutls_tokens_text(const tlso::Settings& s);
