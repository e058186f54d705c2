#include "core/rules.hpp"

#include <fnmatch.h>
#include <sys/auxv.h>

namespace tlso {
namespace {

bool any_matches(const std::vector<std::string>& patterns, std::string_view text, bool ignore_case) {
    for (const std::string& p : patterns)
        if (glob_matches(p, text, ignore_case)) return true;
    return false;
}

}  // namespace

bool glob_matches(std::string_view pattern, std::string_view text, bool ignore_case) {
    // fnmatch needs NUL-terminated strings; the config loader rejects embedded NULs.
    std::string p(pattern), t(text);
    return fnmatch(p.c_str(), t.c_str(), ignore_case ? FNM_CASEFOLD : 0) == 0;
}

bool rule_matches(const Rule& rule, const Target& target) {
    // An empty name (secure execution's argv[0], an unreadable /proc/self/exe) matches
    // no glob, not even "*" or "".
    auto named = [&](std::string_view name) { return !name.empty() && any_matches(rule.programs, name, false); };
    if (!rule.programs.empty() && !named(target.program) && !named(target.executable)) return false;
    if (!rule.hosts.empty() && (!target.host || !any_matches(rule.hosts, *target.host, true))) return false;
    if (rule.role && (!target.role || *rule.role != *target.role)) return false;
    return true;
}

Target target_for(std::string_view program, std::string_view executable, bool secure) {
    return Target{secure ? std::string_view() : program, executable, std::nullopt, std::nullopt};
}

bool secure_execution() { return getauxval(AT_SECURE) != 0; }

std::optional<std::size_t> first_matching_rule(const std::vector<Rule>& rules, const Target& target) {
    for (std::size_t i = 0; i < rules.size(); i++)
        if (rule_matches(rules[i], target)) return i;
    return std::nullopt;
}

}  // namespace tlso
