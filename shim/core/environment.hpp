// TLSOVERRIDE_* variables to settings. Pure: the caller passes the lookup, so tests
// need no real environment and setuid processes can pass one that sees nothing.
#pragma once

#include <functional>

#include "core/diagnostic.hpp"
#include "core/settings.hpp"

namespace tlso {

using Lookup = std::function<const char*(const char* name)>;

struct Environment {
    Settings settings;
    ProcessSettings process;
    const char* config_path = nullptr;  // TLSOVERRIDE_CONFIG; points into the environment
    Diagnostics errors;
};

// An empty value counts as unset.
Environment read_environment(const Lookup& getenv);

}  // namespace tlso
