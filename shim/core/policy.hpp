// Merging the layers into one policy, and the enforce decisions. Pure.
//
// Precedence, highest first: the environment, the first matching [[rule]], [policy].
#pragma once

#include <optional>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/rule_index.hpp"
#include "core/rules.hpp"
#include "core/settings.hpp"

namespace tlso {

Settings effective_settings(const Settings& environment, const Rule* rule, const Settings& policy);

// min_protocol above max_protocol once the layers are merged.
Diagnostics check_range(const Settings& s);

// --- which rule decides: a context at creation, a connection later ----------------

// The settings a policy governs, as bits: which ones a program set itself.
enum class SettingId : unsigned {
    MinProtocol, MaxProtocol, Ciphers, Ciphersuites, Groups, SignatureAlgorithms, SecurityLevel, Options
};
using SettingMask = unsigned;
constexpr SettingMask bit(SettingId id) { return 1u << static_cast<unsigned>(id); }

// What a new context gets. One rule decides a connection: when a rule that comes
// before the context's own first match could still match one of its connections
// (it names a host, or a role not known yet), the context gets only what every
// such connection shares (the environment over [policy]) and each connection gets
// its rule's layer when it is decided; otherwise the context gets its rule's layer
// and its connections are never decided again.
struct ContextDecision {
    std::optional<std::size_t> rule;  // the layer applied at creation (nullopt: no rule)
    bool per_connection = false;      // connections are decided at SNI or handshake start
    bool replace_pinned = false;      // a pinned method becomes the flexible one of its role
    bool hold_pinned = false;         // ... with min = max = the pinned version until a rule applies
};
// `target` has no host (a context has none); `pinned`: the program asked for a
// version-pinned method. `layers` as ProcessConfig has them ([0] no rule, [i+1] rule i).
ContextDecision decide_context(const std::vector<Rule>& rules, const std::vector<Settings>& layers,
                               const Target& target, bool pinned);

// The rule that decides a connection, once its host (SNI) and role are known: the
// same answer `explain` gives for that case (both call this), found through the
// index so that it does not grow with the number of host rules.
std::optional<std::size_t> connection_rule(const RuleIndex& rules, const Target& target);

// What a connection decided by `chosen` must change on top of `applied` (what its
// context was given): the settings `chosen` names with another value. In default
// mode a setting the program set itself (`program_set`) stands; in enforce mode the
// policy owns every setting it names.
Settings connection_changes(const Settings& applied, const Settings& chosen, SettingMask program_set, Mode mode);

// --- enforce decisions: what a program's later change becomes -------------------

enum class Bound { Min, Max };

// The value a program's attempt to set a protocol bound ends up with (nullopt:
// no bound). In enforce mode the policy keeps a bound it names; a bound it does
// not name stays the program's unless it would leave no version inside the
// policy's range, in which case the policy's range wins for that bound too.
std::optional<Protocol> enforce_bound(const Settings& policy, Bound which, std::optional<Protocol> requested);

// Some of the four protocol versions, in order. No allocation: enforce asks for
// them at every handshake's start.
class Protocols {
public:
    void add(Protocol p) { versions_[count_++] = p; }
    const Protocol* begin() const { return versions_.data(); }
    const Protocol* end() const { return versions_.data() + count_; }
    bool empty() const { return count_ == 0; }

private:
    std::array<Protocol, all_protocols.size()> versions_{};
    std::size_t count_ = 0;
};

// The versions a program may not switch off with SSL_OP_NO_TLSv1_x: those inside
// the policy's range, when the policy names a bound.
Protocols protected_versions(const Settings& policy);
// One version of that list.
bool protects_version(const Settings& policy, Protocol p);

}  // namespace tlso
