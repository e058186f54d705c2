// toml++ in the one configuration this project uses: header-only, and without
// exceptions, so that a parse error is a value and nothing can unwind into the
// host program. Include toml++ only through this header.
#pragma once

#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0
#define TOML_ENABLE_WINDOWS_COMPAT 0
#include <toml++/toml.h>
