// Which [[rule]] applies: program, host and role matching. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/settings.hpp"

namespace tlso {

struct Rule {
    std::string name;       // as written, or "rule N"
    std::string location;   // FILE:LINE:COLUMN of its [[rule]] header
    std::vector<std::string> programs;  // shell globs; empty: any program
    std::vector<std::string> hosts;     // shell globs, case-insensitive; empty: any host
    std::optional<Role> role;           // empty: either role
    Settings settings;                  // profile expanded, written keys on top
    bool operator==(const Rule&) const = default;
};

// What is known about a connection when a rule is chosen. A host or role not yet
// known does not match a rule that names one.
struct Target {
    std::string_view program;     // base name of argv[0]
    std::string_view executable;  // file name of the real executable
    std::optional<Role> role;
    std::optional<std::string_view> host;  // the client's server name (SNI)
};

bool glob_matches(std::string_view pattern, std::string_view text, bool ignore_case);
bool rule_matches(const Rule& rule, const Target& target);

// The Target to match rules against, from what the process knows about itself.
// In secure execution (setuid, setgid, file capabilities) argv[0] is chosen by the
// unprivileged caller (`exec -a billing-sync ./setuid-tool`), so there `program`
// globs see only the real executable's file name: the program name is left empty,
// and an empty name matches no glob. Role and host are filled in by the caller.
Target target_for(std::string_view program, std::string_view executable, bool secure);

// Whether this process runs in secure execution: the kernel's AT_SECURE, the same
// flag that makes glibc's secure_getenv return null.
bool secure_execution();

// The first matching rule's index, or nullopt.
std::optional<std::size_t> first_matching_rule(const std::vector<Rule>& rules, const Target& target);

}  // namespace tlso
