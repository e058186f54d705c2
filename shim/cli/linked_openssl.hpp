// The OpenSSL table filled with the functions the command is linked against, so
// that `check` and `explain` validate values with exactly the code the library uses.
#pragma once

#include "../real.hpp"

const OpenSsl& linked_openssl();
