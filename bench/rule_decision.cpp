// rule_decision: the rule decision alone, for figure 7 of bench/run.
//
//   rule_decision linear|index RULES DECISIONS
//
// Builds RULES host rules shaped like a fleet's (bench/run's figure-7 file: exact
// names and "*.zone" suffixes, the matching one last), then makes DECISIONS rule
// decisions for one connection to that last host, with the plain linear matcher
// (first_matching_rule, what the engine called twice per connection before issue 17)
// or with the index (RuleIndex::first_match). bench/run counts only decide_many's
// instructions (callgrind --toggle-collect=decide_many), so building the rules and
// the index is not counted.
//
// bench/run compiles it against the core's objects (it needs no OpenSSL).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/rule_index.hpp"

using namespace tlso;

namespace {

const char* matching_host = "billing.legacy.example";

std::vector<Rule> fleet_rules(int count) {
    std::vector<Rule> rules;
    for (int i = 1; i < count; i++) {
        Rule r;
        r.name = "rule " + std::to_string(i);
        if (i % 2) r.hosts = {"svc" + std::to_string(i) + ".fleet.example"};
        else r.hosts = {"*.zone" + std::to_string(i) + ".fleet.example"};
        rules.push_back(r);
    }
    if (count > 0) {
        Rule last;
        last.name = "billing";
        last.hosts = {matching_host};
        rules.push_back(last);
    }
    return rules;
}

volatile std::size_t sink;

}  // namespace

extern "C" __attribute__((noinline)) void decide_many(bool indexed, const std::vector<Rule>& rules,
                                                      const RuleIndex& index, const Target& target, int decisions) {
    for (int i = 0; i < decisions; i++) {
        std::optional<std::size_t> rule = indexed ? index.first_match(target) : first_matching_rule(rules, target);
        sink = rule ? *rule : 0;
    }
}

int main(int argc, char** argv) {
    if (argc != 4 || (std::strcmp(argv[1], "linear") && std::strcmp(argv[1], "index"))) {
        std::fputs("usage: rule_decision linear|index RULES DECISIONS\n", stderr);
        return 2;
    }
    bool indexed = !std::strcmp(argv[1], "index");
    int count = std::atoi(argv[2]), decisions = std::atoi(argv[3]);
    std::vector<Rule> rules = fleet_rules(count);
    RuleIndex index(rules);
    Target target{"handshakes", "handshakes", Role::Client, std::string_view(matching_host)};
    std::optional<std::size_t> expected = count ? std::optional<std::size_t>(count - 1) : std::nullopt;
    if (index.first_match(target) != expected || first_matching_rule(rules, target) != expected) {
        std::fputs("rule_decision: the matchers do not pick the last rule\n", stderr);
        return 1;
    }
    decide_many(indexed, rules, index, target, decisions);
    std::printf("%s rules=%d decisions=%d\n", argv[1], count, decisions);
    return 0;
}
