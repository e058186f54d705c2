// The configuration diagnose writes: the rules appended to FILE (created when it does
// not exist) only after the result passes the same checks as `tlsoverride check`, and
// the TLSOVERRIDE_CONFIG value under which programs read it.
#pragma once

#include "diagnose_rule.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tlso::diagnose {

// The configuration that reads FILE: FILE itself, or for FILE in a conf.d/ directory
// the directory holding conf.d/ (TLSOVERRIDE_CONFIG=DIR reads DIR/config.toml, then
// DIR/conf.d/*.toml).
std::string configuration_reading(const std::string& file);

struct WriteResult {
    bool written = false;
    std::string configuration;          // TLSOVERRIDE_CONFIG for the re-run
    std::vector<std::string> errors;    // check's messages; nothing was written (or it was undone)
    std::vector<std::string> warnings;  // written, but worth saying (a rule that comes first)
};

// BLOCK is the text to append (rule_toml of each rule, with a comment); RULES the
// rules in it, to confirm the configuration reads them and nothing comes first.
WriteResult write_checked(const std::string& file, const std::string& block, const std::vector<const DiagnosedRule*>& rules);

// For --verify without --write: a private copy of the current configuration (PATH, or
// none) with BLOCK appended, in a mkdtemp directory. Returns the file, or errors.
WriteResult trial_configuration(const std::optional<std::string>& current, const std::string& block,
                                const std::vector<const DiagnosedRule*>& rules, std::string& directory);

}  // namespace tlso::diagnose
