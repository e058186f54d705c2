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

std::string names(const Protocols& versions) {
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

// --- which rule decides a context, and a connection ------------------------------------------

namespace {

Rule rule_for(std::string name, std::vector<std::string> programs, std::vector<std::string> hosts,
              std::optional<Role> role, Settings settings) {
    Rule r;
    r.name = std::move(name);
    r.programs = std::move(programs);
    r.hosts = std::move(hosts);
    r.role = role;
    r.settings = std::move(settings);
    return r;
}

Settings ciphers(std::string list, std::string source) {
    Settings s;
    s.ciphers = from(std::move(list), source, "c.toml:9:11");
    return s;
}

// The layers as ProcessConfig builds them: [0] no rule, [i + 1] rule i over [policy].
std::vector<Settings> layers_of(const std::vector<Rule>& rules, const Settings& policy) {
    std::vector<Settings> layers{effective_settings({}, nullptr, policy)};
    for (const Rule& r : rules) layers.push_back(effective_settings({}, &r, policy));
    return layers;
}

}  // namespace

TEST_CASE("a context gets its first rule at creation unless an earlier rule could still match a connection") {
    const Settings none;
    const Rule by_host = rule_for("billing", {}, {"billing.example"}, std::nullopt, range(Protocol::TLSv1, std::nullopt));
    const Rule by_program = rule_for("sync", {"billing-sync"}, {}, std::nullopt, ciphers("AES256-SHA", "rule \"sync\""));
    const Rule by_role = rule_for("servers", {}, {}, Role::Server, range(Protocol::TLSv1_3, std::nullopt));
    const Rule other_program = rule_for("other", {"curl"}, {"billing.example"}, std::nullopt, range(Protocol::TLSv1, std::nullopt));
    struct Case {
        const char* what;
        std::vector<Rule> rules;
        std::optional<Role> role;
        bool pinned;
        std::optional<std::size_t> rule;
        bool per_connection, replace_pinned, hold_pinned;
    };
    const Case cases[] = {
        {"no rules: nothing to decide later", {}, Role::Client, false, std::nullopt, false, false, false},
        {"a program rule alone decides at creation", {by_program}, Role::Client, false, 0, false, false, false},
        {"a host rule before the program rule: per connection, the context gets only [policy]",
         {by_host, by_program}, Role::Client, false, std::nullopt, true, false, false},
        {"a host rule after the program rule can never win: the program rule decides at creation",
         {by_program, by_host}, Role::Client, false, 0, false, false, false},
        {"a host rule for another program does not make this context per connection",
         {other_program, by_program}, Role::Client, false, 1, false, false, false},
        {"a role rule is decided at creation when the method gives the role", {by_role, by_program}, Role::Client, false, 1,
         false, false, false},
        {"... and per connection when it does not (TLS_method)", {by_role, by_program}, std::nullopt, false, std::nullopt,
         true, false, false},
        {"a pinned method under a per-connection rule with a bound is replaced, and held at its version",
         {by_host, by_program}, Role::Client, true, std::nullopt, true, true, true},
        {"a pinned method with no bound anywhere is left as it is", {by_program}, Role::Client, true, 0, false, false, false},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        Target t{"billing-sync", "billing-sync", c.role, std::nullopt};
        ContextDecision d = decide_context(c.rules, layers_of(c.rules, none), t, c.pinned);
        CHECK(d.rule == c.rule);
        CHECK(d.per_connection == c.per_connection);
        CHECK(d.replace_pinned == c.replace_pinned);
        CHECK(d.hold_pinned == c.hold_pinned);
    }
}

TEST_CASE("a policy bound replaces a pinned method at creation, and holds nothing") {
    Settings policy = range(Protocol::TLSv1_2, std::nullopt);
    ContextDecision d = decide_context({}, layers_of({}, policy), Target{"p", "p", Role::Client, std::nullopt}, true);
    CHECK(d.replace_pinned);
    CHECK_FALSE(d.hold_pinned);
}

TEST_CASE("one rule decides a connection: the host rule, and nothing of the program rule the context would have had") {
    const Rule by_host = rule_for("billing", {}, {"billing.example"}, std::nullopt, range(Protocol::TLSv1_2, std::nullopt));
    const Rule by_program = rule_for("sync", {"billing-sync"}, {}, std::nullopt, ciphers("AES256-SHA", "rule \"sync\""));
    std::vector<Rule> rules{by_host, by_program};
    std::vector<Settings> layers = layers_of(rules, {});
    Target created{"billing-sync", "billing-sync", Role::Client, std::nullopt};
    ContextDecision d = decide_context(rules, layers, created, false);
    REQUIRE(d.per_connection);
    const Settings& applied = layers[0];

    Target to_billing = created;
    to_billing.host = "BILLING.example";
    RuleIndex index(rules);
    std::optional<std::size_t> rule = connection_rule(index, to_billing);
    REQUIRE(rule == 0);
    Settings changes = connection_changes(applied, layers[*rule + 1], 0, Mode::Default);
    CHECK(changes.min_protocol->value == Protocol::TLSv1_2);
    CHECK_FALSE(changes.ciphers.has_value());  // the program rule's list never reaches this connection

    Target elsewhere = created;
    elsewhere.host = "www.example";
    rule = connection_rule(index, elsewhere);
    REQUIRE(rule == 1);
    changes = connection_changes(applied, layers[*rule + 1], 0, Mode::Default);
    CHECK(changes.ciphers->value == "AES256-SHA");
    CHECK_FALSE(changes.min_protocol.has_value());
}

TEST_CASE("what a connection's rule changes: only what differs, and in default mode never what the program set") {
    Settings applied = range(Protocol::TLSv1_2, std::nullopt);
    applied.ciphers = from(std::string("POLICY"), "[policy]", "c.toml:3:11");
    Settings chosen = applied;
    chosen.min_protocol = from(Protocol::TLSv1, "rule \"old\"", "c.toml:8:16");
    chosen.security_level = from(0, "rule \"old\"", "c.toml:9:18");

    Settings changes = connection_changes(applied, chosen, 0, Mode::Default);
    CHECK(changes.min_protocol->value == Protocol::TLSv1);
    CHECK(changes.security_level->value == 0);
    CHECK_FALSE(changes.ciphers.has_value());  // same value: not applied again

    SettingMask program = bit(SettingId::MinProtocol) | bit(SettingId::SecurityLevel);
    changes = connection_changes(applied, chosen, program, Mode::Default);
    CHECK(changes.empty());  // the program's own later choices stand in default mode

    changes = connection_changes(applied, chosen, program, Mode::Enforce);
    CHECK(changes.min_protocol->value == Protocol::TLSv1);  // in enforce mode the policy owns what it names
    CHECK(changes.security_level->value == 0);
}
