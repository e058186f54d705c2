#include "core/rule_index.hpp"

#include <algorithm>

namespace tlso {
namespace {

// A byte the index treats as itself under case folding: printable-or-control ASCII
// other than NUL. glob_matches hands fnmatch C strings (a NUL ends them) and
// fnmatch folds other bytes by the process's locale (towlower in a UTF-8 locale
// folds U+212A KELVIN SIGN to 'k'): the index leaves those to fnmatch.
bool plain_byte(char c) { return c != '\0' && static_cast<unsigned char>(c) < 0x80; }

bool plain(std::string_view s) { return std::all_of(s.begin(), s.end(), plain_byte); }

// No fnmatch metacharacter: without FNM_NOESCAPE, FNM_PERIOD, FNM_PATHNAME or
// FNM_EXTMATCH only these are special, and '*' matches dots and slashes too.
bool literal(std::string_view s) { return s.find_first_of("*?[\\") == std::string_view::npos; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

enum class Kind { Exact, Suffix, Other };

// "billing.example" is an exact name; "*.example" a suffix: fnmatch's '*' matches
// any prefix, empty or with dots, so the host must end in ".example" (and
// "example" alone does not); anything else is checked in order.
Kind kind_of(std::string_view pattern) {
    if (!plain(pattern)) return Kind::Other;
    if (literal(pattern)) return Kind::Exact;
    if (pattern.size() >= 2 && pattern.substr(0, 2) == "*." && literal(pattern.substr(2))) return Kind::Suffix;
    return Kind::Other;
}

}  // namespace

RuleIndex::RuleIndex(const std::vector<Rule>& rules) {
    rules_.reserve(rules.size());
    for (std::size_t i = 0; i < rules.size(); i++) {
        const Rule& r = rules[i];
        rules_.push_back(Rule{{}, {}, r.programs, r.hosts, r.role, {}});
        bool indexed = !r.hosts.empty() &&
                       std::all_of(r.hosts.begin(), r.hosts.end(), [](const std::string& h) { return kind_of(h) != Kind::Other; });
        if (!indexed) {
            in_order_.push_back(i);
            continue;
        }
        for (const std::string& h : r.hosts) {
            Kind k = kind_of(h);
            std::vector<std::size_t>& bucket = k == Kind::Exact ? exact_[lowered(h)] : suffix_[lowered(h.substr(2))];
            if (bucket.empty() || bucket.back() != i) bucket.push_back(i);  // "a.example" twice in one rule
        }
    }
}

// The bucket's first rule that matches in full, if it comes before `best`. A bucket
// holds every indexed rule with a pattern that may match (ASCII case folding); the
// full check (rule_matches: fnmatch, programs, role) keeps the result exactly the
// linear matcher's, whatever the locale folds.
void RuleIndex::consider(const Buckets& buckets, std::string_view key, const Target& target, std::size_t& best) const {
    auto it = buckets.find(key);
    if (it == buckets.end()) return;
    for (std::size_t i : it->second) {
        if (i >= best) return;
        if (rule_matches(rules_[i], target)) {
            best = i;
            return;
        }
    }
}

std::optional<std::size_t> RuleIndex::first_match(const Target& target) const {
    if (rules_.empty()) return std::nullopt;
    if (target.host && !plain(*target.host)) return first_matching_rule(rules_, target);

    std::size_t best = rules_.size();
    if (target.host && (!exact_.empty() || !suffix_.empty())) {
        // A server name is at most 255 bytes (RFC 6066); a longer one is lowered on the heap.
        char small[256];
        std::string large;
        std::string_view host = *target.host;
        char* out = small;
        if (host.size() > sizeof small) {
            large.resize(host.size());
            out = large.data();
        }
        for (std::size_t k = 0; k < host.size(); k++) out[k] = lower(host[k]);
        std::string_view key(out, host.size());

        consider(exact_, key, target, best);
        if (!suffix_.empty())
            for (std::size_t dot = key.find('.'); dot != std::string_view::npos; dot = key.find('.', dot + 1))
                consider(suffix_, key.substr(dot + 1), target, best);
    }
    for (std::size_t i : in_order_) {
        if (i >= best) break;
        if (rule_matches(rules_[i], target)) return i;
    }
    if (best == rules_.size()) return std::nullopt;
    return best;
}

}  // namespace tlso
