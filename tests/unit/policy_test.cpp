// Merging environment, rule and [policy]; the enforce decisions.
#include <doctest/doctest.h>

#include "core/policy.hpp"

using namespace tlso;

namespace {

template <class T>
Setting<T> from(T value, std::string source, std::string location) {
    return Sourced<T>{std::move(value), {std::move(source), std::move(location)}};
}

Settings range(std::optional<Protocol> min, std::optional<Protocol> max) {
    Settings s;
    if (min) s.min_protocol = from(*min, "[policy]", "c.toml:2:16");
    if (max) s.max_protocol = from(*max, "[policy]", "c.toml:3:16");
    return s;
}

std::string names(const std::vector<Protocol>& versions) {
    std::string out;
    for (Protocol p : versions) out += (out.empty() ? "" : " ") + std::string(protocol_name(p));
    return out;
}

}  // namespace

TEST_CASE("the environment beats the rule, the rule beats [policy], field by field, origins kept") {
    Settings policy;
    policy.min_protocol = from(Protocol::TLSv1_2, "[policy]", "c.toml:2:16");
    policy.ciphers = from(std::string("POLICY"), "[policy]", "c.toml:3:11");
    policy.groups = from(std::string("X25519"), "[policy]", "c.toml:4:10");
    Rule rule;
    rule.name = "legacy";
    rule.settings.min_protocol = from(Protocol::TLSv1, "rule \"legacy\"", "c.toml:7:16");
    rule.settings.ciphers = from(std::string("RULE"), "rule \"legacy\"", "c.toml:8:11");
    rule.settings.security_level = from(0, "rule \"legacy\"", "c.toml:9:18");
    Settings env;
    env.min_protocol = from(Protocol::TLSv1_1, "environment", "TLSOVERRIDE_MIN_PROTOCOL");
    env.options = from(std::vector<std::string>{"UnsafeLegacyServerConnect"}, "environment", "TLSOVERRIDE_OPTIONS");

    Settings s = effective_settings(env, &rule, policy);
    CHECK(s.min_protocol->value == Protocol::TLSv1_1);
    CHECK(s.min_protocol->origin.location == "TLSOVERRIDE_MIN_PROTOCOL");
    CHECK(s.ciphers->value == "RULE");
    CHECK(s.ciphers->origin.source == "rule \"legacy\"");
    CHECK(s.ciphers->origin.location == "c.toml:8:11");
    CHECK(s.security_level->value == 0);
    CHECK(s.security_level->origin.source == "rule \"legacy\"");
    CHECK(s.groups->value == "X25519");
    CHECK(s.groups->origin.source == "[policy]");
    CHECK(s.options->value == std::vector<std::string>{"UnsafeLegacyServerConnect"});
    CHECK(s.options->origin.source == "environment");
    CHECK_FALSE(s.max_protocol.has_value());
    CHECK_FALSE(s.ciphersuites.has_value());

    SUBCASE("without a matching rule: the environment over [policy]") {
        Settings n = effective_settings(env, nullptr, policy);
        CHECK(n.min_protocol->origin.source == "environment");
        CHECK(n.ciphers->value == "POLICY");
        CHECK(n.ciphers->origin.source == "[policy]");
        CHECK_FALSE(n.security_level.has_value());
    }
    SUBCASE("nothing anywhere: everything left to the program") {
        CHECK(effective_settings({}, nullptr, {}).empty());
    }
}

TEST_CASE("min_protocol above max_protocol across layers names both sources") {
    Settings s;
    s.min_protocol = from(Protocol::TLSv1_2, "[policy]", "c.toml:2:16");
    s.max_protocol = from(Protocol::TLSv1_1, "environment", "TLSOVERRIDE_MAX_PROTOCOL");
    Diagnostics errors = check_range(s);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].text() ==
          "c.toml:2:16: min_protocol TLSv1.2 (from [policy]) is above max_protocol TLSv1.1 (from environment); lower "
          "min_protocol or raise max_protocol");

    CHECK(check_range(range(Protocol::TLSv1_2, Protocol::TLSv1_2)).empty());
    CHECK(check_range(range(Protocol::TLSv1, Protocol::TLSv1_3)).empty());
    CHECK(check_range(range(Protocol::TLSv1_3, std::nullopt)).empty());
    CHECK(check_range(range(std::nullopt, Protocol::TLSv1)).empty());
}

TEST_CASE("enforce: what a program's attempt to set a protocol bound ends up as") {
    constexpr auto none = std::nullopt;
    struct Case {
        const char* story;
        Settings policy;
        Bound which;
        std::optional<Protocol> requested, expected;
    };
    const Protocol v1 = Protocol::TLSv1, v11 = Protocol::TLSv1_1, v12 = Protocol::TLSv1_2, v13 = Protocol::TLSv1_3;
    for (const Case& c : {
             Case{"policy names the min: its value stays", range(v12, none), Bound::Min, v1, v12},
             Case{"policy names the min: clearing it does not clear it", range(v12, none), Bound::Min, none, v12},
             Case{"policy names the max: its value stays", range(none, v12), Bound::Max, v13, v12},
             Case{"program max below policy min: no bound", range(v12, none), Bound::Max, v11, none},
             Case{"policy names both: a pinned TLSv1 becomes the policy min", range(v12, v13), Bound::Min, v1, v12},
             Case{"program max equal to policy min: kept", range(v12, none), Bound::Max, v12, v12},
             Case{"program max within the policy range: kept", range(v1, none), Bound::Max, v12, v12},
             Case{"program min above policy max: no bound", range(none, v11), Bound::Min, v12, none},
             Case{"program min at policy max: kept", range(none, v12), Bound::Min, v12, v12},
             Case{"program min below policy max: kept", range(none, v13), Bound::Min, v11, v11},
             Case{"policy names no bound: the program's min", range(none, none), Bound::Min, v11, v11},
             Case{"policy names no bound: the program's max", range(none, none), Bound::Max, v1, v1},
             Case{"policy names no bound, program clears: cleared", range(none, none), Bound::Max, none, none},
             Case{"program clears an unnamed bound: cleared", range(v12, none), Bound::Max, none, none},
         }) {
        INFO(c.story);
        CHECK(enforce_bound(c.policy, c.which, c.requested) == c.expected);
    }
}

TEST_CASE("the versions a program may not switch off are those inside the policy's range") {
    const Protocol v1 = Protocol::TLSv1, v11 = Protocol::TLSv1_1, v12 = Protocol::TLSv1_2, v13 = Protocol::TLSv1_3;
    CHECK(names(protected_versions(range(std::nullopt, std::nullopt))) == "");
    CHECK(names(protected_versions(range(v12, std::nullopt))) == "TLSv1.2 TLSv1.3");
    CHECK(names(protected_versions(range(v1, v11))) == "TLSv1 TLSv1.1");
    CHECK(names(protected_versions(range(std::nullopt, v11))) == "TLSv1 TLSv1.1");
    CHECK(names(protected_versions(range(v13, v13))) == "TLSv1.3");
    CHECK(names(protected_versions(range(v1, v13))) == "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3");
    // Other settings alone protect no version.
    Settings ciphers_only;
    ciphers_only.ciphers = from(std::string("HIGH"), "[policy]", "c.toml:2:11");
    CHECK(protected_versions(ciphers_only).empty());
}
