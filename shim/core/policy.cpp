#include "core/policy.hpp"

#include <utility>

namespace tlso {

Settings effective_settings(const Settings& environment, const Rule* rule, const Settings& policy) {
    Settings s = rule ? overlay(policy, rule->settings) : policy;
    return overlay(s, environment);
}

Diagnostics check_range(const Settings& s) {
    if (!s.min_protocol || !s.max_protocol || s.min_protocol->value <= s.max_protocol->value) return {};
    return {{s.min_protocol->origin.location,
             "min_protocol " + std::string(protocol_name(s.min_protocol->value)) + " (from " +
                 s.min_protocol->origin.source + ") is above max_protocol " +
                 std::string(protocol_name(s.max_protocol->value)) + " (from " + s.max_protocol->origin.source +
                 "); lower min_protocol or raise max_protocol"}};
}

namespace {

// Whether `rule`, which does not match `now` (a context: no host, maybe no role), could
// match a connection of that context once its host and role are known.
bool may_match_later(const Rule& rule, const Target& now) {
    if (rule.hosts.empty() && (!rule.role || now.role)) return false;  // nothing left to learn
    if (rule.role && now.role && *rule.role != *now.role) return false;
    if (rule.programs.empty()) return true;
    for (const std::string& p : rule.programs)
        if (glob_matches(p, now.program, false) || glob_matches(p, now.executable, false)) return true;
    return false;
}

template <class T>
bool same(const Setting<T>& a, const Setting<T>& b) {
    return a.has_value() == b.has_value() && (!a || a->value == b->value);
}

}  // namespace

ContextDecision decide_context(const std::vector<Rule>& rules, const std::vector<Settings>& layers,
                               const Target& target, bool pinned) {
    ContextDecision d;
    std::optional<std::size_t> now = first_matching_rule(rules, target);
    std::size_t before = now ? *now : rules.size();
    bool any_bound = false;
    for (std::size_t i = 0; i < before; i++)
        if (may_match_later(rules[i], target)) {
            d.per_connection = true;
            any_bound |= layers[i + 1].names_a_bound();
        }
    if (d.per_connection) {
        if (now) any_bound |= layers[*now + 1].names_a_bound();
    } else {
        d.rule = now;
    }
    const Settings& applied = layers[d.rule ? *d.rule + 1 : 0];
    // A pinned method ignores min/max (they return 1 and change nothing), and OpenSSL
    // checks a connection's bounds against its context's method: the flexible method
    // is what lets a configured range apply, now or per connection.
    d.replace_pinned = pinned && (applied.names_a_bound() || any_bound);
    d.hold_pinned = d.replace_pinned && !applied.names_a_bound();
    return d;
}

std::optional<std::size_t> connection_rule(const RuleIndex& rules, const Target& target) {
    return rules.first_match(target);
}

Settings connection_changes(const Settings& applied, const Settings& chosen, SettingMask program_set, Mode mode) {
    Settings changes;
    auto take = [&](SettingId id, auto field) {
        if (!(chosen.*field) || same(applied.*field, chosen.*field)) return;
        if (mode == Mode::Default && (program_set & bit(id))) return;
        changes.*field = chosen.*field;
    };
    take(SettingId::MinProtocol, &Settings::min_protocol);
    take(SettingId::MaxProtocol, &Settings::max_protocol);
    take(SettingId::Ciphers, &Settings::ciphers);
    take(SettingId::Ciphersuites, &Settings::ciphersuites);
    take(SettingId::Groups, &Settings::groups);
    take(SettingId::SignatureAlgorithms, &Settings::signature_algorithms);
    take(SettingId::SecurityLevel, &Settings::security_level);
    take(SettingId::Options, &Settings::options);
    return changes;
}

std::optional<Protocol> enforce_bound(const Settings& policy, Bound which, std::optional<Protocol> requested) {
    const Setting<Protocol>& own = which == Bound::Min ? policy.min_protocol : policy.max_protocol;
    const Setting<Protocol>& other = which == Bound::Min ? policy.max_protocol : policy.min_protocol;
    if (own) return own->value;
    if (!requested || !other) return requested;
    bool empties = which == Bound::Max ? *requested < other->value : *requested > other->value;
    return empties ? std::nullopt : requested;
}

namespace {

// The versions a policy's bounds keep, lowest and highest (it names at least one).
std::pair<Protocol, Protocol> kept_range(const Settings& policy) {
    return {policy.min_protocol ? policy.min_protocol->value : Protocol::TLSv1,
            policy.max_protocol ? policy.max_protocol->value : Protocol::TLSv1_3};
}

}  // namespace

bool protects_version(const Settings& policy, Protocol p) {
    if (!policy.names_a_bound()) return false;
    auto [low, high] = kept_range(policy);
    return p >= low && p <= high;
}

Protocols protected_versions(const Settings& policy) {
    Protocols inside;
    if (!policy.names_a_bound()) return inside;  // at every handshake's start: the range once, not per version
    auto [low, high] = kept_range(policy);
    for (Protocol p : all_protocols)
        if (p >= low && p <= high) inside.add(p);
    return inside;
}

}  // namespace tlso
