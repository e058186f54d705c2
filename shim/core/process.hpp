// What the whole process shares, whichever TLS library a call comes from: who the
// program is, its configuration, and the log. Started once, on the first call of
// any backend that needs it; never freed (other threads may still be inside a TLS
// library while the process exits).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "core/log.hpp"
#include "core/process_config.hpp"
#include "core/rules.hpp"

namespace tlso {

struct Process {
    std::string program;     // base name of argv[0]
    std::string executable;  // file name of the real executable
    bool secure = false;     // secure execution (setuid, setgid, capabilities)
    ProcessConfig loaded;
    Log log;
    Mode mode = Mode::Default;
    OnError on_error = OnError::Fail;
    bool records = false;           // one record per handshake
    std::string error;              // non-empty: the configuration is bad and contexts fail closed
    bool governing = false;         // something to apply or to observe
    bool connection_rules = false;  // some rule names a host or a role: decide again per connection
    std::atomic<bool> warned_weak{false};

    const Settings& layer(std::optional<std::size_t> rule) const { return loaded.layer(rule); }
    const std::vector<Rule>& rules() const { return loaded.config.rules; }
    // "rule \"old billing host\"", "[policy]" or "the environment".
    std::string rule_name(std::optional<std::size_t> rule) const;
    // What rule matching knows about a context or connection of this process.
    Target target(std::optional<Role> role, std::optional<std::string_view> host) const;
    // A backend's own checks of the values found `found` (OpenSSL's parser, say):
    // logs them, and returns the error its contexts fail closed with (empty with
    // on_error = "ignore").
    std::string reject(const Diagnostics& found) const;
};

// The process, started on first use, thread-safely.
Process& process();

// One warning per process when a policy allows less than TLSv1.2 or level 0; the
// place, where(), is named only then (every context and connection passes here).
void warn_weak(Process& p, const Settings& s, std::string_view where);
template <class Where>
void warn_if_weak(Process& p, const Settings& s, const Where& where) {
    if (weakens_security(s) && !p.warned_weak.exchange(true)) warn_weak(p, s, where());
}

}  // namespace tlso
