// TOML text to a Config, or located errors. Pure apart from reading the file in
// load_config_file. OpenSSL's own checks of cipher lists and groups are not here:
// they run where OpenSSL is (apply.*), against the origins recorded here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/rules.hpp"
#include "core/settings.hpp"

namespace tlso {

// Reading limits, each named in its error.
inline constexpr std::size_t max_file_bytes = 1 << 20;   // 1 MiB
inline constexpr std::size_t max_rules = 1000;
inline constexpr std::size_t max_string_bytes = 4096;
inline constexpr std::size_t max_list_items = 256;

inline constexpr const char* default_config_path = "/etc/tlsoverride/config.toml";

struct Config {
    std::string path;
    ProcessSettings process;  // mode, on_error, [log]
    Settings policy;          // [policy]
    std::vector<Rule> rules;  // [[rule]], in file order
};

struct LoadedConfig {
    Config config;
    Diagnostics errors;  // empty when the file is good
};

LoadedConfig parse_config(std::string_view text, std::string_view path);
LoadedConfig load_config_file(const std::string& path);

// The nearest of `candidates` to `word` when it is close enough to be a typo.
std::string nearest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace tlso
