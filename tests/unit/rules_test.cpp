// Which [[rule]] applies: program, host and role matching.
#include <doctest/doctest.h>

#include "core/rules.hpp"

using namespace tlso;

namespace {

struct RuleKeys {
    std::vector<std::string> programs = {};
    std::vector<std::string> hosts = {};
    std::optional<Role> role = {};
};

Rule rule(const RuleKeys& keys, std::string name = "r") {
    Rule r;
    r.name = std::move(name);
    r.programs = keys.programs;
    r.hosts = keys.hosts;
    r.role = keys.role;
    return r;
}

Target target(std::string_view program, std::string_view executable = "",
              std::optional<std::string_view> host = std::nullopt, std::optional<Role> role = std::nullopt) {
    return Target{program, executable, role, host};
}

}  // namespace

TEST_CASE("host globs match case-insensitively, programs case-sensitively") {
    struct Case {
        const char* pattern;
        const char* text;
        bool ignore_case;
        bool matches;
    };
    for (const Case& c : {
             Case{"*.legacy.test", "billing.legacy.test", true, true},
             Case{"*.legacy.test", "BILLING.Legacy.TEST", true, true},
             Case{"*.legacy.test", "a.b.legacy.test", true, true},
             Case{"*.legacy.test", "legacy.test", true, false},
             Case{"*.legacy.test", "billing.legacy.test.evil", true, false},
             Case{"billing.legacy.test", "billing-legacy-test", true, false},
             Case{"host?.example", "host1.example", true, true},
             Case{"host[0-9].example", "hostx.example", true, false},
             Case{"python3*", "python3.11", false, true},
             Case{"python3*", "Python3.11", false, false},
             Case{"Java", "java", false, false},
             Case{"*", "", false, true},
         }) {
        INFO("pattern '", c.pattern, "' text '", c.text, "' ignore_case ", c.ignore_case);
        CHECK(glob_matches(c.pattern, c.text, c.ignore_case) == c.matches);
    }
}

TEST_CASE("a rule with no keys matches every connection") {
    CHECK(rule_matches(rule({}), target("curl")));
    CHECK(rule_matches(rule({}), target("", "", std::nullopt, std::nullopt)));
}

TEST_CASE("a host rule matches the server name case-insensitively, and never an unknown host") {
    Rule r = rule({.hosts = {"billing.legacy.test", "*.legacy.test"}});
    CHECK(rule_matches(r, target("curl", "curl", "billing.legacy.test")));
    CHECK(rule_matches(r, target("curl", "curl", "BILLING.Legacy.TEST")));
    CHECK(rule_matches(r, target("curl", "curl", "api.legacy.test")));
    CHECK_FALSE(rule_matches(r, target("curl", "curl", "legacy.test")));
    CHECK_FALSE(rule_matches(r, target("curl", "curl", "example.org")));
    CHECK_FALSE(rule_matches(r, target("curl", "curl", std::nullopt)));
}

TEST_CASE("a program rule matches the argv[0] base name or the executable's file name, case-sensitively") {
    Rule r = rule({.programs = {"python3"}});
    CHECK(rule_matches(r, target("python3", "python3.11")));
    CHECK(rule_matches(r, target("app", "python3")));
    CHECK_FALSE(rule_matches(r, target("Python3", "PYTHON3")));
    CHECK_FALSE(rule_matches(r, target("python", "python3.11")));

    Rule versioned = rule({.programs = {"billing-sync", "python3.*"}});
    CHECK(rule_matches(versioned, target("python3", "python3.11")));
    CHECK(rule_matches(versioned, target("billing-sync", "java")));
    CHECK_FALSE(rule_matches(versioned, target("python3", "python3")));
}

TEST_CASE("a role rule matches that role only, and never an unknown role") {
    Rule server = rule({.role = Role::Server});
    CHECK(rule_matches(server, target("nginx", "nginx", std::nullopt, Role::Server)));
    CHECK_FALSE(rule_matches(server, target("nginx", "nginx", std::nullopt, Role::Client)));
    CHECK_FALSE(rule_matches(server, target("nginx", "nginx", std::nullopt, std::nullopt)));
}

TEST_CASE("a rule with several keys matches only when all of them match") {
    Rule r = rule({.programs = {"billing-sync"}, .hosts = {"*.legacy.test"}, .role = Role::Client});
    CHECK(rule_matches(r, target("billing-sync", "java", "a.legacy.test", Role::Client)));
    CHECK_FALSE(rule_matches(r, target("curl", "curl", "a.legacy.test", Role::Client)));
    CHECK_FALSE(rule_matches(r, target("billing-sync", "java", "a.example", Role::Client)));
    CHECK_FALSE(rule_matches(r, target("billing-sync", "java", "a.legacy.test", Role::Server)));
    CHECK_FALSE(rule_matches(r, target("billing-sync", "java", std::nullopt, Role::Client)));
}

TEST_CASE("the first matching rule wins") {
    std::vector<Rule> rules = {
        rule({.programs = {"curl"}, .hosts = {"*.legacy.test"}}, "curl to legacy"),
        rule({.hosts = {"*.legacy.test"}}, "legacy hosts"),
        rule({.programs = {"curl"}}, "curl"),
        rule({}, "catch-all"),
    };
    struct Case {
        Target target;
        std::optional<std::size_t> expected;
    };
    for (const Case& c : {
             Case{target("curl", "curl", "a.legacy.test"), 0},
             Case{target("wget", "wget", "a.legacy.test"), 1},
             Case{target("curl", "curl", "example.org"), 2},
             Case{target("curl", "curl"), 2},
             Case{target("wget", "wget"), 3},
         }) {
        INFO(c.target.program, " -> ", c.target.host.value_or("(no host)"));
        CHECK(first_matching_rule(rules, c.target) == c.expected);
    }
    rules.pop_back();
    CHECK(first_matching_rule(rules, target("wget", "wget")) == std::nullopt);
    CHECK(first_matching_rule({}, target("curl", "curl")) == std::nullopt);
}

TEST_CASE("secure execution: program globs match only the real executable, never argv[0]") {
    // The attacker runs a setuid tool as `exec -a billing-sync /usr/bin/passwd-helper`.
    Rule weak = rule({.programs = {"billing-sync"}}, "weak for billing-sync");
    Rule any = rule({.programs = {"*"}}, "every program");
    Rule blank = rule({.programs = {""}}, "an empty glob");
    Rule helper = rule({.programs = {"passwd-helper"}}, "the real file");
    struct Case {
        const char* what;
        bool secure;
        bool weak, any, blank, helper;
    };
    for (const Case& c : {
             Case{"not secure: argv[0] counts", false, true, true, false, true},
             Case{"secure: only the executable counts", true, false, true, false, true},
         }) {
        INFO(c.what);
        Target t = target_for("billing-sync", "passwd-helper", c.secure);
        CHECK(t.program == (c.secure ? "" : "billing-sync"));
        CHECK(t.executable == "passwd-helper");
        CHECK_FALSE(t.role);
        CHECK_FALSE(t.host);
        CHECK(rule_matches(weak, t) == c.weak);
        CHECK(rule_matches(any, t) == c.any);
        CHECK(rule_matches(blank, t) == c.blank);
        CHECK(rule_matches(helper, t) == c.helper);
    }
    // An executable that could not be read (no /proc) and a secure process: no program rule matches.
    Target unknown = target_for("billing-sync", "", true);
    CHECK_FALSE(rule_matches(any, unknown));
    CHECK_FALSE(rule_matches(blank, unknown));
    CHECK(rule_matches(rule({}), unknown));  // a rule without `program` still applies
    // The rule list as the engine walks it.
    CHECK(first_matching_rule({weak, helper}, target_for("billing-sync", "passwd-helper", true)) == 1);
    CHECK(first_matching_rule({weak, helper}, target_for("billing-sync", "passwd-helper", false)) == 0);
}

TEST_CASE("secure_execution() is false in this test process, which is not setuid") { CHECK_FALSE(secure_execution()); }
