#include "core/policy.hpp"

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

std::optional<Protocol> enforce_bound(const Settings& policy, Bound which, std::optional<Protocol> requested) {
    const Setting<Protocol>& own = which == Bound::Min ? policy.min_protocol : policy.max_protocol;
    const Setting<Protocol>& other = which == Bound::Min ? policy.max_protocol : policy.min_protocol;
    if (own) return own->value;
    if (!requested || !other) return requested;
    bool empties = which == Bound::Max ? *requested < other->value : *requested > other->value;
    return empties ? std::nullopt : requested;
}

std::vector<Protocol> protected_versions(const Settings& policy) {
    if (!policy.names_a_bound()) return {};
    Protocol low = policy.min_protocol ? policy.min_protocol->value : Protocol::TLSv1;
    Protocol high = policy.max_protocol ? policy.max_protocol->value : Protocol::TLSv1_3;
    std::vector<Protocol> inside;
    for (Protocol p : all_protocols)
        if (p >= low && p <= high) inside.push_back(p);
    return inside;
}

}  // namespace tlso
