// Everything a process is configured with: the environment over the file, merged
// into one layer per possible rule. The library and the `check`/`explain`
// commands load it the same way. Pure apart from reading the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/environment.hpp"
#include "core/rule_index.hpp"

namespace tlso {

struct ProcessConfig {
    std::string path;         // the file read, or empty (environment only)
    Config config;
    Environment environment;
    ProcessSettings process;  // environment over the file's top level and [log]
    std::vector<Settings> layers;  // [0]: no rule matched; [i + 1]: rule i matched
    Diagnostics errors;       // environment, file and ranges; OpenSSL's checks come later
    RuleIndex rule_index;     // config.rules, for choosing one: rule_index.first_match(target)

    const Settings& layer(std::optional<std::size_t> rule) const { return layers[rule ? *rule + 1 : 0]; }
    std::vector<const Settings*> all_layers() const;
};

// The file is `file` if given, else TLSOVERRIDE_CONFIG (which must exist), else
// /etc/tlsoverride/config.toml when it exists, else none.
ProcessConfig load_process_config(const Lookup& getenv, const std::optional<std::string>& file = std::nullopt);

}  // namespace tlso
