// Merging the layers into one policy, and the enforce decisions. Pure.
//
// Precedence, highest first: the environment, the first matching [[rule]], [policy].
#pragma once

#include <optional>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/rules.hpp"
#include "core/settings.hpp"

namespace tlso {

Settings effective_settings(const Settings& environment, const Rule* rule, const Settings& policy);

// min_protocol above max_protocol once the layers are merged.
Diagnostics check_range(const Settings& s);

// --- enforce decisions: what a program's later change becomes -------------------

enum class Bound { Min, Max };

// The value a program's attempt to set a protocol bound ends up with (nullopt:
// no bound). In enforce mode the policy keeps a bound it names; a bound it does
// not name stays the program's unless it would leave no version inside the
// policy's range, in which case the policy's range wins for that bound too.
std::optional<Protocol> enforce_bound(const Settings& policy, Bound which, std::optional<Protocol> requested);

// The versions a program may not switch off with SSL_OP_NO_TLSv1_x: those inside
// the policy's range, when the policy names a bound.
std::vector<Protocol> protected_versions(const Settings& policy);

}  // namespace tlso
