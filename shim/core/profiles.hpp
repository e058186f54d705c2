// Named starting points for a policy: Mozilla's server-side TLS guidelines, version
// 5.7 (the last with "old"; 6.0 drops it and the DHE ciphers). Pure.
#pragma once

#include <optional>
#include <string_view>

#include "core/settings.hpp"

namespace tlso {

inline constexpr std::string_view mozilla_guidelines_version = "5.7";

// The profile's settings, each with `origin`; nullopt for an unknown name.
std::optional<Settings> profile_settings(std::string_view name, const Origin& origin);

}  // namespace tlso
