// TOML text to a Config, or located errors. Pure apart from reading the file in
// load_config_file. OpenSSL's own checks of cipher lists and groups are not here:
// they run where OpenSSL is (apply.*), against the origins recorded here.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
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

inline constexpr const char* default_config_dir = "/etc/tlsoverride";
inline constexpr const char* default_config_path = "/etc/tlsoverride/config.toml";

struct Config {
    std::string path;                // the file or directory named (TLSOVERRIDE_CONFIG, check FILE)
    std::vector<std::string> files;  // every file read, in the order read
    ProcessSettings process;  // mode, on_error, [log]
    Settings policy;          // [policy]
    std::vector<Rule> rules;  // [[rule]], in file order
    bool operator==(const Config&) const = default;
};

struct LoadedConfig {
    Config config;
    Diagnostics errors;  // empty when the file is good
};

// One file. Unnamed rules are called "rule N", counting from first_rule_number (a conf.d
// file's rules continue the numbering of the files before it).
// A file written in plain TOML (core/plain_toml.hpp) without an error is read without
// toml++; any other goes to toml++, whose reader finds and locates every error.
LoadedConfig parse_config(std::string_view text, std::string_view path, std::size_t first_rule_number = 1);
// The two readers parse_config chooses between, for the tests that compare them: the
// plain one answers nullopt for a file it leaves to toml++ (any error included).
std::optional<LoadedConfig> parse_plain_config(std::string_view text, std::string_view path,
                                               std::size_t first_rule_number = 1);
LoadedConfig parse_toml_config(std::string_view text, std::string_view path, std::size_t first_rule_number = 1);
LoadedConfig load_config_file(const std::string& path, std::size_t first_rule_number = 1);

// --- several files: config.toml, then conf.d/*.toml ------------------------------------
// PATH is a file: it, then the conf.d/*.toml beside it. PATH is a directory: its
// config.toml (if there is one), then its conf.d/*.toml; it must hold at least one.
LoadedConfig load_configuration(const std::string& path);

// DIR's *.toml files in lexical (byte) order; hidden files (".x.toml") are skipped, as
// editors and package managers leave them. Empty when DIR does not exist.
std::vector<std::string> dropin_files(const std::string& dir);

// Files combined in order: rules appended; a top-level, [log] or [policy] key set in two
// files is an error located at the second that names the first. A key written beside a
// profile in another file wins over that profile's value, as within one table.
LoadedConfig combine_configs(std::vector<LoadedConfig> parts);

// The nearest of `candidates` to `word` when it is close enough to be a typo.
std::string nearest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace tlso
