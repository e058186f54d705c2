// The OpenSSL adapter's engine (stage 2): its state, and the pieces it is made of,
// one file each: start.cpp (the entry point), create.cpp (new contexts),
// connection.cpp (per-connection decisions), records.cpp (handshake records),
// enforce.cpp (what a program's later changes become), hooks.cpp (the functions
// handed to stage 1). Every decision is the core's (core/policy.hpp); these files
// translate it into OpenSSL calls. State is passed explicitly: only hooks.cpp,
// which OpenSSL calls with fixed signatures, holds the one Engine.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include "core/policy.hpp"
#include "core/process.hpp"
#include "core/record.hpp"
#include "openssl/apply.hpp"
#include "preload/engine_entry.hpp"

namespace tlso {

using InfoCallback = void (*)(const SSL*, int, int);

// What the engine knows about a context it created.
struct ContextState {
    const Settings* settings;          // the layer applied at creation
    std::optional<std::size_t> rule;   // ... its rule
    std::optional<Role> role;
    bool per_connection = false;       // each connection is decided again (core: decide_context)
    bool observed = false;             // our info callback is installed
    bool held_pinned = false;          // flexible method, min = max = the version the program pinned
    SettingMask program_set = 0;       // settings the program changed itself after creation
    InfoCallback program_callback = nullptr;
    // What applying the policy did, for enforce's check at each handshake's start:
    uint64_t options_on = 0, options_off = 0;   // option bits the policy set and cleared
    const void* cipher_list = nullptr;          // the context's cipher list as the policy left it
};

// What it knows about one connection, made only when needed (a per-connection
// decision, a program's own info callback, or handshake records).
struct ConnectionState {
    bool decided = false;  // a rule was chosen for this connection
    bool host_known = false;  // ... with its server name known
    std::optional<std::size_t> rule;
    const Settings* settings = nullptr;
    SettingMask program_set = 0;  // settings the program changed on this connection
    const void* cipher_list = nullptr;  // its own list, when its rule set one
    InfoCallback program_callback = nullptr;
    bool recorded = false;
    std::string alert;
    bool alert_sent = false;
};

// The OpenSSL adapter's own state; what every backend shares is in core (Process).
struct Engine {
    Process& core;
    const Stage1* stage1 = nullptr;
    const OpenSsl* ssl = nullptr;
    std::string error;  // non-empty: contexts fail closed (the configuration, or OpenSSL's checks of it)
    int context_slot = -1;
    // Registered with the first connection state (most processes make none): until then
    // OpenSSL keeps no per-connection data for us, at SSL_new, SSL_free or any lookup.
    mutable std::atomic<int> connection_slot{-1};
    mutable std::once_flag connection_slot_registered;
    int error_library = 0;
    std::once_flag error_strings;  // registered with OpenSSL on the first error (start.cpp)
    std::atomic<bool> logged_rejection{false};
    std::atomic<bool> said_dtls{false};
    // Set once the program installs an info callback of its own: until then our
    // callback, which runs a dozen times per handshake, looks for none.
    std::atomic<bool> program_callbacks{false};
    InfoCallback info_callback = nullptr;  // ours (hooks.cpp)

    Engine(Process& p, const Stage1* s) : core(p), stage1(s), ssl(s->openssl) {}

    ContextState* state_of(const SSL_CTX* ctx) const;
    ConnectionState* existing_connection_state(const SSL* s) const;
    ConnectionState* connection_state(SSL* s) const;  // made on first use; null when out of memory
    void register_connection_slot() const;            // once: at start when states will be made, else on first use
    // The layer in force for a connection: its own rule's, or its context's.
    const Settings* settings_of(const SSL* s) const;
    // ... from its states, when they are at hand.
    static const Settings* settings_of(const ConnectionState* c, const ContextState* st) {
        return c && c->decided ? c->settings : st ? st->settings : nullptr;
    }
};

// Marks work done inside an OpenSSL callback as ours.
class Ours {
public:
    explicit Ours(const Engine& e) : e_(e) { e_.stage1->enter(); }
    ~Ours() { e_.stage1->leave(); }
    Ours(const Ours&) = delete;
    Ours& operator=(const Ours&) = delete;

private:
    const Engine& e_;
};

// start.cpp
Engine* start_engine(const Stage1* stage1, InfoCallback on_info);
SSL_CTX* fail_closed(Engine& e, const char* function, const std::string& why);

// create.cpp: a new context gets its decision applied. `create(method)` makes it.
template <class Create>
SSL_CTX* create_context(Engine& e, const SSL_METHOD* asked, const char* function, Create create);
struct Created {
    SSL_CTX* ctx = nullptr;
    bool retry_as_asked = false;  // on_error = "ignore" and OpenSSL rejected a value
};
ContextDecision decision_for(Engine& e, const MethodFacts& facts);
void note_left_alone(Engine& e);  // DTLS: said once, as a warning
Created finish_context(Engine& e, SSL_CTX* ctx, const MethodFacts& facts, const ContextDecision& d, const char* function);
std::string describe(const Settings& s, long min, long max, const std::optional<Protocol>& asked);
std::string role_text(std::optional<Role> role);

template <class Create>
SSL_CTX* create_context(Engine& e, const SSL_METHOD* asked, const char* function, Create create) {
    if (!e.error.empty()) return fail_closed(e, function, e.error);
    if (!e.core.governing) return create(asked);
    MethodFacts facts = method_facts(*e.ssl, asked);
    if (!facts.governed) {
        note_left_alone(e);
        return create(asked);
    }
    ContextDecision d = decision_for(e, facts);
    SSL_CTX* ctx = create(d.replace_pinned ? facts.flexible : asked);
    if (!ctx) return nullptr;
    Created made = finish_context(e, ctx, facts, d, function);
    return made.retry_as_asked ? create(asked) : made.ctx;
}

// connection.cpp: a connection whose host or role is now known: when the program
// sets the server name, and at the latest when the handshake starts.
enum class DecisionPoint { ServerName, HandshakeStart };
void decide_connection(Engine& e, SSL* s, std::optional<Role> role, DecisionPoint when);

// records.cpp: one record per handshake, from the info callback.
void observe(Engine& e, SSL* s, int where, int ret);

// enforce.cpp
const Settings* enforced(const Engine& e, const SSL_CTX* ctx);
const Settings* enforced(const Engine& e, const SSL* s);
// Logs at debug that enforce kept a setting; callers build no string when debug is off.
void kept(const Engine& e, const char* what, const char* object, std::string_view detail) noexcept;
bool debug_on(const Engine& e);
// The same with a detail that has to be built (a std::string): built only at debug,
// and out of memory while building it loses the line, not the host.
template <class Detail>
void kept_built(const Engine& e, const char* what, const char* object, Detail detail) noexcept {
    if (!debug_on(e)) return;
    try {
        kept(e, what, object, detail());
    } catch (...) {
    }
}
// Enforce's backstop, at each handshake's start: whatever slipped past the setters
// (a program's SSL_CONF_cmd, @SECLEVEL in its cipher string, a library bound with
// RTLD_DEEPBIND, openssl.cnf) is put back before anything reaches the wire.
void enforce_at_handshake_start(const Engine& e, SSL* s);
// For a ctrl command: true when the call is to be swallowed; may rewrite larg.
bool enforce_ctrl(const Engine& e, int cmd, long& larg, void* parg, const char* object, const Settings* enforced);
bool governed_by_enforce(int cmd);  // the ctrl commands enforce looks at
uint64_t strip_protected(const Engine& e, const Settings& s, uint64_t options, const char* object);
const SSL_METHOD* unpinned(const Engine& e, const Settings* s, const SSL_METHOD* m, const char* object);
// Which setting a ctrl command changes, for default mode's "the program set it".
std::optional<SettingId> setting_of_ctrl(int cmd);

}  // namespace tlso
