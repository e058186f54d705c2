// A located error: "FILE:LINE:COLUMN: what is wrong (and the likely fix)", or
// "TLSOVERRIDE_X: ..." for the environment. Pure.
#pragma once

#include <string>
#include <vector>

namespace tlso {

struct Diagnostic {
    std::string where;    // "config.toml:3:16", "TLSOVERRIDE_MIN_PROTOCOL", or a path
    std::string message;  // what is wrong, and the fix where one is likely

    std::string text() const { return where.empty() ? message : where + ": " + message; }
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace tlso
