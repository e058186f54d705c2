// Which [[rule]] decides a connection, without walking every rule in the common
// cases. Pure.
//
// A fleet configuration has hundreds of rules that each name a few exact host names
// or "*.domain" suffixes; walking them with fnmatch for every connection cost about
// 1,600 instructions per rule (issue 17). The index finds those rules by hash and
// checks only the rules it cannot index (other globs, rules without a host) in
// order. It decides exactly as first_matching_rule (core/rules.hpp): the same first
// match, the same fnmatch semantics; tests/unit/rule_index_test.cpp compares the two
// on random rule sets.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/rules.hpp"

namespace tlso {

class RuleIndex {
public:
    RuleIndex() = default;
    explicit RuleIndex(const std::vector<Rule>& rules);

    // The first matching rule's index, or nullopt: what first_matching_rule(rules, target)
    // returns for the rules the index was built from.
    std::optional<std::size_t> first_match(const Target& target) const;

    std::size_t size() const { return rules_.size(); }

private:
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using Buckets = std::unordered_map<std::string, std::vector<std::size_t>, KeyHash, std::equal_to<>>;

    void consider(const Buckets& buckets, std::string_view key, const Target& target, std::size_t& best) const;

    // Copies of each rule's conditions (no settings): the index outlives no one's
    // vector and survives a move of the ProcessConfig that owns it.
    std::vector<Rule> rules_;
    // Rules every host pattern of which is an exact name or a "*.domain" suffix, by
    // the lower-cased name or domain; each bucket in ascending rule order.
    Buckets exact_, suffix_;
    // Every other rule, ascending: no host key, or a host glob the index cannot key.
    std::vector<std::size_t> in_order_;
};

}  // namespace tlso
