// The engine's versions of the interposed OpenSSL functions, handed to stage 1
// through one entry point, tlsoverride_engine_openssl_v2. Each one finds the
// engine, asks the pieces in create/connection/records/enforce.cpp, and calls the
// real function. OpenSSL calls these (and the info callback) with fixed
// signatures, so this file alone holds the one Engine.
//
// Every function here is reached from stage 1 with the call already marked as
// ours (see preload/interpose.cpp), except the info callback, which OpenSSL calls
// from inside SSL_connect/SSL_accept and which marks itself.
#include <errno.h>

#include "openssl/engine.hpp"

namespace tlso {
namespace {

// Made once by the entry point and never freed: other threads may still be in
// OpenSSL while the process exits.
Engine* E;

const OpenSsl& ssl() { return *E->ssl; }

// No exception may reach the host program: on one (out of memory), the call
// goes through unmodified.
template <class Fallback, class Body>
auto guarded(Fallback fallback, Body body) noexcept {
    int saved = errno;
    try {
        auto result = body();
        return result;
    } catch (...) {
        errno = saved;
        return fallback();
    }
}

// In default mode a setting the program changes itself stands, also when a rule
// decides one of its connections later: remembered per context, and per
// connection where connections are decided again.
void program_set(SSL_CTX* c, SettingId id) {
    if (ContextState* st = E->state_of(c)) st->program_set |= bit(id);
}
void program_set(SSL* s, SettingId id) {
    const ContextState* st = E->state_of(ssl().SSL_get_SSL_CTX(s));
    if (!st || !st->per_connection) return;
    guarded([] { return 0; }, [&] {
        if (ConnectionState* c = E->connection_state(s)) c->program_set |= bit(id);
        return 0;
    });
}

void on_info(const SSL* cs, int where, int ret);

__attribute__((noinline)) InfoCallback installed_program_callback(const SSL* s) {
    if (const ConnectionState* c = E->existing_connection_state(s); c && c->program_callback) return c->program_callback;
    const ContextState* st = E->state_of(ssl().SSL_get_SSL_CTX(s));
    return st ? st->program_callback : nullptr;
}

inline InfoCallback program_callback_of(const SSL* s) {
    if (!E->program_callbacks.load(std::memory_order_acquire)) return nullptr;
    return installed_program_callback(s);
}

// A handshake's start, any state when records are on, and the program's own callback.
__attribute__((noinline)) void on_info_acting(const SSL* cs, int where, int ret) {
    if ((where & SSL_CB_HANDSHAKE_START) || E->core.records) {
        SSL* s = const_cast<SSL*>(cs);
        Ours mark(*E);
        int saved = errno;
        try {
            if (where & SSL_CB_HANDSHAKE_START) {
                if (E->core.connection_rules)
                    decide_connection(*E, s, ssl().SSL_is_server(s) ? Role::Server : Role::Client,
                                      DecisionPoint::HandshakeStart);
                if (E->core.mode == Mode::Enforce) enforce_at_handshake_start(*E, s);
            }
            if (E->core.records) observe(*E, s, where, ret);
        } catch (...) {
            // Out of memory while observing: the handshake goes on unobserved.
        }
        errno = saved;
    }
    // The program's own callback runs outside our mark: what it does is its own.
    if (InfoCallback program = program_callback_of(cs)) program(cs, where, ret);
}

// OpenSSL calls this at every state of every handshake (18 times for a TLSv1.2
// client's): without records or a program's own callback only the handshake's
// start is ours, and every other call is three tests.
void on_info(const SSL* cs, int where, int ret) {
    if (!(where & SSL_CB_HANDSHAKE_START) && !E->core.records &&
        !E->program_callbacks.load(std::memory_order_acquire))
        return;
    on_info_acting(cs, where, ret);
}

SSL_CTX* engine_SSL_CTX_new(const SSL_METHOD* m) {
    auto create = [](const SSL_METHOD* method) { return ssl().real.SSL_CTX_new(method); };
    return guarded([&] { return create(m); }, [&] { return create_context(*E, m, "SSL_CTX_new", create); });
}

SSL_CTX* engine_SSL_CTX_new_ex(OSSL_LIB_CTX* lib, const char* propq, const SSL_METHOD* m) {
    auto create = [&](const SSL_METHOD* method) { return ssl().real.SSL_CTX_new_ex(lib, propq, method); };
    return guarded([&] { return create(m); }, [&] { return create_context(*E, m, "SSL_CTX_new_ex", create); });
}

// Only the ctrl commands enforce and default mode look at cost a state lookup:
// every other one (SSL_get_* macros and the like, on the hot path) goes by.
long engine_SSL_CTX_ctrl(SSL_CTX* ctx, int cmd, long larg, void* parg) {
    if (governed_by_enforce(cmd)) {
        if (enforce_ctrl(*E, cmd, larg, parg, "context", enforced(*E, ctx))) return 1;
        if (E->core.connection_rules) program_set(ctx, *setting_of_ctrl(cmd));
    }
    return ssl().real.SSL_CTX_ctrl(ctx, cmd, larg, parg);
}

long engine_SSL_ctrl(SSL* s, int cmd, long larg, void* parg) {
    if (governed_by_enforce(cmd)) {
        if (enforce_ctrl(*E, cmd, larg, parg, "connection", enforced(*E, s))) return 1;
        if (E->core.connection_rules) program_set(s, *setting_of_ctrl(cmd));
    }
    long result = ssl().real.SSL_ctrl(s, cmd, larg, parg);
    // Setting the server name makes a client connection's host known: a host rule applies now.
    if (cmd == SSL_CTRL_SET_TLSEXT_HOSTNAME && result == 1 && E->core.connection_rules)
        guarded([] { return 0; }, [&] { decide_connection(*E, s, Role::Client, DecisionPoint::ServerName); return 0; });
    return result;
}

void set_security_level_of(SSL_CTX* c, int level) { ssl().real.SSL_CTX_set_security_level(c, level); }
void set_security_level_of(SSL* s, int level) { ssl().real.SSL_set_security_level(s, level); }

template <class Object, class Setter>
int set_list(Object* o, const char* list, const Setting<std::string> Settings::*field, SettingId id, const char* what,
             const char* object, Setter real) {
    if (const Settings* s = enforced(*E, o); s && (s->*field)) {
        kept(*E, what, object, list ? list : "");
        return 1;
    }
    if (E->core.connection_rules) program_set(o, id);
    int result = real(o, list);
    // A cipher string's @SECLEVEL sets the security level: an enforced level stays.
    if (const Settings* s = enforced(*E, o); s && s->security_level && result == 1)
        set_security_level_of(o, s->security_level->value);
    return result;
}

int engine_SSL_CTX_set_cipher_list(SSL_CTX* c, const char* l) {
    return set_list(c, l, &Settings::ciphers, SettingId::Ciphers, "ciphers", "context", ssl().real.SSL_CTX_set_cipher_list);
}
int engine_SSL_set_cipher_list(SSL* s, const char* l) {
    return set_list(s, l, &Settings::ciphers, SettingId::Ciphers, "ciphers", "connection", ssl().real.SSL_set_cipher_list);
}
int engine_SSL_CTX_set_ciphersuites(SSL_CTX* c, const char* l) {
    return set_list(c, l, &Settings::ciphersuites, SettingId::Ciphersuites, "ciphersuites", "context",
                    ssl().real.SSL_CTX_set_ciphersuites);
}
int engine_SSL_set_ciphersuites(SSL* s, const char* l) {
    return set_list(s, l, &Settings::ciphersuites, SettingId::Ciphersuites, "ciphersuites", "connection",
                    ssl().real.SSL_set_ciphersuites);
}

template <class Object, class Setter>
void set_level(Object* o, int level, const char* object, Setter real) {
    if (const Settings* s = enforced(*E, o); s && s->security_level) {
        kept_built(*E, "security level", object, [&] { return std::to_string(level); });
        return;
    }
    if (E->core.connection_rules) program_set(o, SettingId::SecurityLevel);
    real(o, level);
}
void engine_SSL_CTX_set_security_level(SSL_CTX* c, int level) {
    set_level(c, level, "context", ssl().real.SSL_CTX_set_security_level);
}
void engine_SSL_set_security_level(SSL* o, int level) { set_level(o, level, "connection", ssl().real.SSL_set_security_level); }

uint64_t engine_SSL_CTX_set_options(SSL_CTX* c, uint64_t op) {
    op &= ssl().options_mask;  // 1.1.1 on i386: the upper half is not the caller's
    if (const Settings* s = enforced(*E, c)) {
        op = strip_protected(*E, *s, op, "context");
        if (const ContextState* st = E->state_of(c)) op &= ~st->options_off;  // "-Name" in the policy's options
    }
    return ssl().real.SSL_CTX_set_options(c, op);
}
uint64_t engine_SSL_set_options(SSL* o, uint64_t op) {
    op &= ssl().options_mask;
    if (const Settings* s = enforced(*E, o)) {
        op = strip_protected(*E, *s, op, "connection");
        if (const ContextState* st = E->state_of(ssl().SSL_get_SSL_CTX(o))) op &= ~st->options_off;
    }
    return ssl().real.SSL_set_options(o, op);
}

// Under enforce, an option the policy set stays set.
uint64_t engine_SSL_CTX_clear_options(SSL_CTX* c, uint64_t op) {
    op &= ssl().options_mask;
    if (const ContextState* st = E->state_of(c); st && E->core.mode == Mode::Enforce && (op & st->options_on)) {
        op &= ~st->options_on;
        kept(*E, "options", "context", "");
    }
    return ssl().real.SSL_CTX_clear_options(c, op);
}
uint64_t engine_SSL_clear_options(SSL* o, uint64_t op) {
    op &= ssl().options_mask;
    if (const ContextState* st = E->state_of(ssl().SSL_get_SSL_CTX(o)); st && E->core.mode == Mode::Enforce && (op & st->options_on)) {
        op &= ~st->options_on;
        kept(*E, "options", "connection", "");
    }
    return ssl().real.SSL_clear_options(o, op);
}

int engine_SSL_CTX_set_ssl_version(SSL_CTX* c, const SSL_METHOD* m) {
    int result = ssl().real.SSL_CTX_set_ssl_version(c, unpinned(*E, enforced(*E, c), m, "context"));
    // SSL_CTX_set_ssl_version resets both cipher lists to OpenSSL's defaults:
    // the policy's lists go back on.
    if (const ContextState* st = E->state_of(c);
        st && result == 1 && (st->settings->ciphers || st->settings->ciphersuites)) {
        guarded([] { return 0; }, [&] {
            Settings lists;  // copies strings: inside the guard (tests/e2e/oom.sh)
            lists.ciphers = st->settings->ciphers;
            lists.ciphersuites = st->settings->ciphersuites;
            apply_to_context(ssl(), c, lists);
            return 0;
        });
    }
    return result;
}
int engine_SSL_set_ssl_method(SSL* s, const SSL_METHOD* m) {
    return ssl().real.SSL_set_ssl_method(s, unpinned(*E, enforced(*E, s), m, "connection"));
}

// The program's info callbacks are kept beside ours and called by ours; the
// getters answer with the program's, as if we were not there.
void engine_SSL_CTX_set_info_callback(SSL_CTX* c, InfoCallback cb) {
    if (ContextState* st = E->state_of(c); st && st->observed) {
        st->program_callback = cb;
        E->program_callbacks.store(true, std::memory_order_release);
        return;
    }
    ssl().real.SSL_CTX_set_info_callback(c, cb);
}
InfoCallback engine_SSL_CTX_get_info_callback(SSL_CTX* c) {
    if (const ContextState* st = E->state_of(c); st && st->observed) return st->program_callback;
    return ssl().real.SSL_CTX_get_info_callback(c);
}
void engine_SSL_set_info_callback(SSL* s, InfoCallback cb) {
    const ContextState* st = E->state_of(ssl().SSL_get_SSL_CTX(s));
    ConnectionState* c = st && st->observed
                             ? guarded([] { return static_cast<ConnectionState*>(nullptr); }, [&] { return E->connection_state(s); })
                             : nullptr;
    if (c) {
        c->program_callback = cb;
        E->program_callbacks.store(true, std::memory_order_release);
        return;
    }
    ssl().real.SSL_set_info_callback(s, cb);
}
InfoCallback engine_SSL_get_info_callback(const SSL* s) {
    const ContextState* st = E->state_of(ssl().SSL_get_SSL_CTX(s));
    if (st && st->observed) {
        const ConnectionState* c = E->existing_connection_state(s);
        return c ? c->program_callback : nullptr;
    }
    return ssl().real.SSL_get_info_callback(s);
}

const Interposed hooks = {
#define TLSO_ENGINE_HOOK(name) engine_##name,
    TLSO_INTERPOSED(TLSO_ENGINE_HOOK)
#undef TLSO_ENGINE_HOOK
};

}  // namespace
}  // namespace tlso

extern "C" __attribute__((visibility("default"))) const Interposed* tlsoverride_engine_openssl_v2(const Stage1* stage1) {
    int saved = errno;
    try {
        tlso::E = tlso::start_engine(stage1, tlso::on_info);
    } catch (...) {
        errno = saved;
        return nullptr;  // stage 1 passes every call through
    }
    errno = saved;
    return &tlso::hooks;
}
