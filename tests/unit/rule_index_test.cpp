// The rule index decides exactly as the linear matcher: edge cases by table, then
// thousands of random rule sets and targets against first_matching_rule.
#include <doctest/doctest.h>

#include <clocale>
#include <cstdint>
#include <string>
#include <vector>

#include "core/process_config.hpp"
#include "core/rule_index.hpp"
#include "temp_dir.hpp"

using namespace tlso;

namespace {

struct RuleKeys {
    std::vector<std::string> programs = {};
    std::vector<std::string> hosts = {};
    std::optional<Role> role = {};
};

Rule rule(const RuleKeys& keys) {
    Rule r;
    r.programs = keys.programs;
    r.hosts = keys.hosts;
    r.role = keys.role;
    return r;
}

Target target(std::optional<std::string_view> host, std::string_view program = "curl",
              std::optional<Role> role = Role::Client) {
    return Target{program, program, role, host};
}

// Both matchers, and they must agree.
std::optional<std::size_t> decide(const std::vector<Rule>& rules, const Target& t) {
    std::optional<std::size_t> linear = first_matching_rule(rules, t);
    std::optional<std::size_t> indexed = RuleIndex(rules).first_match(t);
    CHECK(indexed == linear);
    return indexed;
}

std::string shown(std::optional<std::string_view> host) {
    if (!host) return "(no host)";
    std::string out;
    for (unsigned char c : *host) {
        if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
        else out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
    }
    return "'" + out + "'";
}

}  // namespace

TEST_CASE("the index: suffix globs, exact names, case and dots as fnmatch has them") {
    struct Case {
        const char* pattern;
        std::optional<std::string_view> host;
        bool matches;
    };
    using namespace std::string_view_literals;
    for (const Case& c : {
             Case{"*.example.com", "a.example.com", true},
             Case{"*.example.com", "a.b.example.com", true},      // fnmatch's '*' matches dots
             Case{"*.example.com", "A.EXAMPLE.COM", true},
             Case{"*.example.com", ".example.com", true},         // '*' matches the empty prefix
             Case{"*.example.com", "example.com", false},         // the dot is not optional
             Case{"*.example.com", "aexample.com", false},
             Case{"*.example.com", "a.example.com.", false},      // a trailing dot is a different name
             Case{"*.example.com", "a.example.com.evil", false},
             Case{"*.Example.COM", "x.example.com", true},
             Case{"*.", "a.", true},
             Case{"*.", "a", false},
             Case{"Billing.Example", "billing.example", true},
             Case{"billing.example", "BILLING.EXAMPLE", true},
             Case{"billing.example", "billing.example.", false},
             Case{"billing.example", "billing-example", false},
             Case{"billing.example", std::nullopt, false},        // no SNI: a host rule never matches
             Case{"", "", true},
             Case{"*example.com", "badexample.com", true},        // no dot after '*': an ordinary glob
             Case{"*example.com", "example.com", true},
             Case{"a\\.example", "a.example", true},              // an escaped dot, checked by fnmatch
             Case{"[ab].example", "B.example", true},
             Case{"?.example", "ab.example", false},
             Case{"*", "", true},
             Case{"*.*.example", "a.example", false},
             Case{"**.example", "a.b.example", true},
             Case{"\xc3\xa9.example", "\xc3\xa9.example", true},  // non-ASCII: left to fnmatch
             Case{"a.example", "a.example\0junk"sv, true},        // fnmatch stops at the NUL, so does the index
         }) {
        INFO("pattern '", c.pattern, "' host ", shown(c.host));
        std::vector<Rule> rules = {rule({.hosts = {c.pattern}})};
        CHECK(decide(rules, target(c.host)) == (c.matches ? std::optional<std::size_t>(0) : std::nullopt));
    }
}

TEST_CASE("the index keeps the first match across indexed and ordered rules") {
    std::vector<Rule> rules = {
        rule({.programs = {"wget"}, .hosts = {"a.example"}}),   // 0: indexed, program must match too
        rule({.hosts = {"a.exam?le"}}),                         // 1: ordered glob
        rule({.hosts = {"A.EXAMPLE", "*.example"}}),            // 2: indexed twice
        rule({.hosts = {"*.example"}, .role = Role::Server}),   // 3: indexed, role must match
        rule({.hosts = {"b.example", "c.ex[a]mple"}}),          // 4: one glob: the whole rule is ordered
        rule({.role = Role::Client}),                           // 5: no host key: ordered
        rule({.hosts = {"b.example"}}),                         // 6: behind 4 and 5
    };
    struct Case {
        Target target;
        std::optional<std::size_t> expected;
    };
    for (const Case& c : {
             Case{target("a.example", "wget"), 0},
             Case{target("a.example", "curl"), 1},
             Case{target("x.example", "curl"), 2},
             Case{target("x.example", "curl", Role::Server), 2},
             Case{target("b.example", "curl", Role::Server), 2},
             Case{target("b.example", "curl", std::nullopt), 2},
             Case{target("c.example", "curl", std::nullopt), 2},
             Case{target("example", "curl", std::nullopt), std::nullopt},
             Case{target("example", "curl", Role::Client), 5},
             Case{target(std::nullopt, "curl", Role::Client), 5},
             Case{target(std::nullopt, "wget", std::nullopt), std::nullopt},
             Case{target("\xe2\x84\xaa.example", "curl", std::nullopt), 2},  // non-ASCII: the linear walk
         }) {
        INFO(c.target.program, " -> ", shown(c.target.host));
        CHECK(decide(rules, c.target) == c.expected);
    }
    CHECK(RuleIndex().first_match(target("a.example")) == std::nullopt);
    CHECK(RuleIndex(rules).size() == rules.size());
}

TEST_CASE("the index after 1,000 exact-host rules finds the last one, and a suffix rule before it") {
    std::vector<Rule> rules;
    for (int i = 0; i < 1000; i++) rules.push_back(rule({.hosts = {"svc" + std::to_string(i) + ".fleet.example"}}));
    RuleIndex index(rules);
    CHECK(index.first_match(target("svc999.fleet.example")) == 999);
    CHECK(index.first_match(target("SVC0.fleet.example")) == 0);
    CHECK(index.first_match(target("svc1000.fleet.example")) == std::nullopt);
    rules.insert(rules.begin() + 500, rule({.hosts = {"*.fleet.example"}}));
    CHECK(RuleIndex(rules).first_match(target("svc999.fleet.example")) == 500);
    CHECK(RuleIndex(rules).first_match(target("svc3.fleet.example")) == 3);
}

namespace {

// A small deterministic generator (the test must fail the same way everywhere).
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {  // splitmix64
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
    template <class T>
    const T& pick(const std::vector<T>& from) { return from[below(from.size())]; }

private:
    std::uint64_t state_;
};

// Few labels, so that random hosts and patterns collide often.
const std::vector<std::string> labels = {"a", "b", "ex", "A", "Ex", "EX", "b-1", ""};

std::string random_name(Random& rng) {
    std::string name = rng.pick(labels);
    for (std::size_t n = rng.below(3); n > 0; n--) name += "." + rng.pick(labels);
    return name;
}

std::string random_host(Random& rng) {
    static const std::vector<std::string> odd = {"", ".", "..", "\xe2\x84\xaa.ex", "\xc3\xa9.ex", "a.ex.", ".ex", "*.ex", "a?ex"};
    if (rng.chance(8)) return rng.pick(odd);
    std::string host = random_name(rng);
    if (rng.chance(5)) host = "." + host;
    if (rng.chance(5)) host += ".";
    return host;
}

std::string random_host_pattern(Random& rng) {
    static const std::vector<std::string> odd = {"*",        "*.",        "",      ".",    "**.ex",     "*.*.ex",   "*ex",
                                                 "a*",       "?.ex",      "[ab].ex", "[!a].ex", "a\\.ex",  "\\*.ex",
                                                 "*.[eE]x",  "\xc3\xa9.ex", "*.\xc3\xa9.ex", "[",    "a[.ex", "*\\.ex"};
    if (rng.chance(15)) return rng.pick(odd);
    std::string p = random_name(rng);
    switch (rng.below(6)) {
        case 0: case 1: return "*." + p;   // a suffix
        case 2: return "*" + p;             // '*' without the dot
        case 3: {                           // one character replaced by '?'
            if (!p.empty()) p[rng.below(p.size())] = '?';
            return p;
        }
        default: return p;                  // an exact name
    }
}

const std::vector<std::string> programs = {"curl", "cur*", "python3*", "?url", "[cw]url", "wget", "*", "Curl"};
const std::vector<std::string> program_names = {"curl", "wget", "python3.11", "Curl", ""};

std::optional<Role> random_role(Random& rng) {
    switch (rng.below(3)) {
        case 0: return Role::Client;
        case 1: return Role::Server;
        default: return std::nullopt;
    }
}

std::vector<Rule> random_rules(Random& rng, std::size_t most) {
    std::vector<Rule> rules(rng.below(most + 1));
    for (Rule& r : rules) {
        if (rng.chance(30))
            for (std::size_t n = 1 + rng.below(2); n > 0; n--) r.programs.push_back(rng.pick(programs));
        if (rng.chance(85))
            for (std::size_t n = 1 + rng.below(3); n > 0; n--) r.hosts.push_back(random_host_pattern(rng));
        if (rng.chance(25)) r.role = random_role(rng);
    }
    return rules;
}


// Random rule sets against random targets; returns how many targets matched a rule.
int compare_random(std::uint64_t seed, int sets, int targets_per_set) {
    Random rng(seed);
    int matched = 0;
    for (int set = 0; set < sets; set++) {
        std::vector<Rule> rules = random_rules(rng, set % 10 == 0 ? 120 : 12);
        RuleIndex index(rules);
        for (int n = 0; n < targets_per_set; n++) {
            std::string host = random_host(rng), program = rng.pick(program_names), executable = rng.pick(program_names);
            Target t{program, executable, random_role(rng), rng.chance(90) ? std::optional<std::string_view>(host) : std::nullopt};
            std::optional<std::size_t> linear = first_matching_rule(rules, t);
            std::optional<std::size_t> indexed = index.first_match(t);
            if (indexed != linear) {
                std::string text;
                for (const Rule& r : rules) {
                    text += "\n  rule: programs";
                    for (const std::string& p : r.programs) text += " '" + p + "'";
                    text += " hosts";
                    for (const std::string& h : r.hosts) text += " " + shown(h);
                    text += r.role ? (*r.role == Role::Client ? " client" : " server") : "";
                }
                FAIL_CHECK("set ", set, " target ", program, "/", executable, " ", shown(t.host), ": linear ",
                           linear ? std::to_string(*linear) : "none", ", index ", indexed ? std::to_string(*indexed) : "none",
                           text);
            }
            if (linear) matched++;
        }
    }
    return matched;
}

// Sets the process's locale for one test (fnmatch folds case by it), and restores it.
class ScopedLocale {
public:
    explicit ScopedLocale(const char* name) : old_(std::setlocale(LC_ALL, nullptr)) {
        active_ = std::setlocale(LC_ALL, name) != nullptr;
    }
    ~ScopedLocale() { std::setlocale(LC_ALL, old_.c_str()); }
    bool active() const { return active_; }

private:
    std::string old_;
    bool active_ = false;
};

}  // namespace

TEST_CASE("the index agrees with the linear matcher on random rule sets and targets") {
    int matched = compare_random(17, 3000, 25);
    // The generator must exercise both answers, not only "no rule".
    CHECK(matched > 75000 / 4);
    CHECK(matched < 75000 * 3 / 4);
}

TEST_CASE("the index agrees with the linear matcher in a UTF-8 locale, where fnmatch folds non-ASCII names") {
    ScopedLocale utf8("C.UTF-8");
    if (!utf8.active()) return;  // no C.UTF-8 on this machine: the C locale case above still ran
    std::vector<Rule> rules = {rule({.hosts = {"k.example"}}), rule({.hosts = {"*.\xc3\xa9.example"}})};
    decide(rules, target("\xe2\x84\xaa.example"));  // U+212A KELVIN SIGN: towlower gives 'k'
    decide(rules, target("a.\xc3\x89.example"));     // U+00C9, folded to U+00E9
    decide(rules, target("\xff.example"));            // not UTF-8 at all
    compare_random(1017, 500, 25);
}

TEST_CASE("load_process_config builds the index the library and explain decide with") {
    TempDir dir;
    std::string file = dir.write("config.toml", R"(
[policy]
min_protocol = "TLSv1.2"

[[rule]]
name = "curl"
program = ["curl"]
host = ["api.example"]

[[rule]]
name = "legacy"
host = ["*.legacy.example", "billing.example"]
min_protocol = "TLSv1"
security_level = 0

[[rule]]
name = "servers"
role = "server"
)");
    ProcessConfig pc = load_process_config([](const char*) -> const char* { return nullptr; }, file);
    REQUIRE(pc.errors.empty());
    REQUIRE(pc.config.rules.size() == 3);
    CHECK(pc.rule_index.size() == 3);
    ProcessConfig moved = std::move(pc);  // the engine keeps its copy; the index must survive the move
    struct Case {
        Target target;
        std::optional<std::size_t> expected;
    };
    for (const Case& c : {
             Case{target("api.example", "curl"), 0},
             Case{target("api.example", "wget"), std::nullopt},
             Case{target("a.LEGACY.example", "wget"), 1},
             Case{target("Billing.Example", "wget"), 1},
             Case{target("legacy.example", "wget", Role::Server), 2},
             Case{target(std::nullopt, "nginx", Role::Server), 2},
         }) {
        INFO(c.target.program, " -> ", shown(c.target.host));
        CHECK(moved.rule_index.first_match(c.target) == c.expected);
        CHECK(first_matching_rule(moved.config.rules, c.target) == c.expected);
    }
}
