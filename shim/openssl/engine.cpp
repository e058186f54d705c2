// The engine (stage 2): reads the configuration once, then decides for every
// interposed call. Its versions of the OpenSSL functions are handed to stage 1
// through one entry point, tlsoverride_engine_openssl_v2.
//
// Every function here is reached from stage 1 with the call already marked as
// ours (see interpose.cpp), except the info callback, which OpenSSL calls from
// inside SSL_connect/SSL_accept and which marks itself.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "openssl/apply.hpp"
#include "core/process.hpp"
#include "preload/engine_entry.hpp"
#include "core/record.hpp"
#include "core/log.hpp"
#include "core/policy.hpp"

namespace tlso {
namespace {

using InfoCallback = void (*)(const SSL*, int, int);

// What the engine knows about a context it created.
struct ContextState {
    const Settings* settings;
    std::optional<std::size_t> rule;
    std::optional<Role> role;
    bool observed = false;  // our info callback is installed
    bool held_pinned = false;  // flexible method, min = max = the version the program pinned
    InfoCallback program_callback = nullptr;
};

// What it knows about one connection, made only when needed (a host rule, a
// program's own info callback, or handshake records).
struct ConnectionState {
    bool decided = false;  // a rule was chosen for this connection
    std::optional<std::size_t> rule;
    const Settings* settings = nullptr;
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
    int context_slot = -1, connection_slot = -1;
    int error_library = 0;
    std::atomic<bool> logged_rejection{false};

    explicit Engine(Process& p) : core(p) {}
};

// Made once by the entry point and never freed: other threads may still be in
// OpenSSL while the process exits.
Engine* P;

const OpenSsl& ssl() { return *P->ssl; }

// Marks work done inside an OpenSSL callback as ours.
class Ours {
public:
    Ours() { P->stage1->enter(); }
    ~Ours() { P->stage1->leave(); }
    Ours(const Ours&) = delete;
    Ours& operator=(const Ours&) = delete;
};

// --- identity and state ------------------------------------------------------------

void free_context_state(void*, void* state, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<ContextState*>(state);
}
void free_connection_state(void*, void* state, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<ConnectionState*>(state);
}

ContextState* state_of(const SSL_CTX* ctx) {
    return ctx ? static_cast<ContextState*>(ssl().SSL_CTX_get_ex_data(ctx, P->context_slot)) : nullptr;
}

ConnectionState* existing_connection_state(const SSL* s) {
    return static_cast<ConnectionState*>(ssl().SSL_get_ex_data(s, P->connection_slot));
}

ConnectionState* connection_state(SSL* s) {
    if (ConnectionState* c = existing_connection_state(s)) return c;
    auto* c = new ConnectionState;
    if (!ssl().SSL_set_ex_data(s, P->connection_slot, c)) {
        delete c;
        return nullptr;
    }
    return c;
}

// The settings in force for a connection: its own rule's, or its context's.
const Settings* settings_of(const SSL* s) {
    if (const ConnectionState* c = existing_connection_state(s); c && c->decided) return c->settings;
    const ContextState* st = state_of(ssl().SSL_get_SSL_CTX(s));
    return st ? st->settings : nullptr;
}

// --- failing closed --------------------------------------------------------------

ERR_STRING_DATA error_strings[3];

// An error code as the process's OpenSSL packs it: 3.x puts the library at bit 23
// (ERR_PACK in the headers we build with), 1.1.1 at bit 24 with a function field.
unsigned long error_code(int library, int reason) {
    if (ssl().abi == OpenSslAbi::V1_1_1)
        return (static_cast<unsigned long>(library) & 0xffUL) << 24 | (static_cast<unsigned long>(reason) & 0xfffUL);
    return static_cast<unsigned long>(ERR_PACK(library, 0, reason));
}

void register_error_strings() {
    P->error_library = ssl().ERR_get_next_error_library();
    error_strings[0] = {error_code(P->error_library, 0), "tlsoverride"};
    error_strings[1] = {error_code(P->error_library, 1),
                        "tlsoverride configuration is invalid; the tlsoverride log line names the setting"};
    error_strings[2] = {0, nullptr};
    ssl().ERR_load_strings(P->error_library, error_strings);
}

// Leaves an OpenSSL error on the queue so the program reports a TLS set-up error.
// 3.x raises with ERR_new/ERR_set_error; 1.1.1 with ERR_put_error (a macro in 3.x).
SSL_CTX* fail_closed(const char* function, const std::string& why) {
    if (ssl().ERR_new) {
        ssl().ERR_new();
        ssl().ERR_set_debug("tlsoverride", 0, function);
        ssl().ERR_set_error(P->error_library, 1, "%s", why.c_str());
    } else {
        ssl().put_error_1_1_1(P->error_library, 0, 1, "tlsoverride", 0);
        ssl().ERR_add_error_data(1, why.c_str());
    }
    return nullptr;
}

// --- loading the configuration -------------------------------------------------------

void start(const Stage1* stage1) {
    Process& core = process();
    P = new Engine(core);
    P->stage1 = stage1;
    P->ssl = stage1->openssl;
    P->context_slot = ssl().CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr,
                                                    free_context_state);
    P->connection_slot =
        ssl().CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nullptr, nullptr, nullptr, free_connection_state);
    register_error_strings();
    P->error = core.error;
    // With rules, every layer's values are checked now on a scratch context (1.2M
    // instructions, once): a bad value anywhere fails the process, as `check` does.
    // With one layer, applying it to the program's first context is the check.
    if (P->error.empty() && core.loaded.errors.empty() && core.loaded.layers.size() > 1)
        P->error = core.reject(validate_with_openssl(ssl(), core.loaded.all_layers()));
}

// --- describing what changed -----------------------------------------------------------

std::string range_text(long min, long max) {
    std::optional<Protocol> low = protocol_of(static_cast<int>(min)), high = protocol_of(static_cast<int>(max));
    return std::string(protocol_name(low.value_or(Protocol::TLSv1))) + "-" +
           std::string(protocol_name(high.value_or(Protocol::TLSv1_3)));
}

std::string describe(const Settings& s, long min, long max, const std::optional<Protocol>& asked) {
    std::string text;
    if (s.names_a_bound()) {
        text = "protocols " + range_text(min, max);
        if (asked) text += " (program asked " + std::string(protocol_name(*asked)) + " only)";
    }
    auto add = [&](const std::string& part) { text += (text.empty() ? "" : ", ") + part; };
    if (s.ciphers) add("ciphers " + s.ciphers->value);
    if (s.ciphersuites) add("ciphersuites " + s.ciphersuites->value);
    if (s.groups) add("groups " + s.groups->value);
    if (s.signature_algorithms) add("signature algorithms " + s.signature_algorithms->value);
    if (s.security_level) add("security level " + std::to_string(s.security_level->value));
    if (s.options) add("options " + value_text(s.options->value));
    return text.empty() ? "nothing to change" : text;
}

std::string role_text(std::optional<Role> role) { return role ? std::string(role_name(*role)) : "client/server"; }

// --- creating contexts --------------------------------------------------------------------

void on_info(const SSL* s, int where, int ret);

template <class Create>
SSL_CTX* create_context(const SSL_METHOD* asked, const char* function, Create create) {
    if (!P->error.empty()) return fail_closed(function, P->error);
    if (!P->core.governing) return create(asked);
    MethodFacts facts = method_facts(ssl(), asked);
    if (!facts.governed) return create(asked);

    Target target = P->core.target(facts.role, std::nullopt);
    std::optional<std::size_t> rule = first_matching_rule(P->core.rules(), target);
    const Settings& settings = P->core.layer(rule);
    // A pinned method ignores min/max (they return 1 and change nothing): the
    // flexible method of the same role is what lets the configured range apply.
    // OpenSSL checks a connection's bounds against its context's method, so a rule
    // that may set bounds per connection needs the flexible method too; until it
    // applies, min = max = the pinned version keeps the program's choice.
    bool replace = facts.pinned && (settings.names_a_bound() || P->core.connection_bounds);
    SSL_CTX* ctx = create(replace ? facts.flexible : asked);
    if (!ctx) return nullptr;
    if (replace && !settings.names_a_bound()) {
        long pinned = openssl_version_of(*facts.pinned);
        ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, pinned, nullptr);
        ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, pinned, nullptr);
    }

    if (std::optional<Diagnostic> rejected = apply_to_context(ssl(), ctx, settings)) {
        if (!P->logged_rejection.exchange(true)) P->core.log.write(LogLevel::Error, rejected->text());
        // OpenSSL may have applied part of a rejected value (a cipher string with no
        // TLS 1.2 match still replaces the list), so the context is not handed out.
        ssl().SSL_CTX_free(ctx);
        if (P->core.on_error == OnError::Fail) return fail_closed(function, rejected->text());
        return create(asked);  // on_error = "ignore": exactly what the program asked for
    }
    auto* state = new ContextState{&settings, rule, facts.role};
    state->held_pinned = replace && !settings.names_a_bound();
    if (!ssl().SSL_CTX_set_ex_data(ctx, P->context_slot, state)) {
        delete state;
        return ctx;
    }
    if (P->core.records || P->core.connection_rules) {
        ssl().real.SSL_CTX_set_info_callback(ctx, on_info);
        state->observed = true;
    }
    if (P->core.log.enabled(LogLevel::Info) && !settings.empty()) {
        long min = ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
        long max = ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
        P->core.log.write(LogLevel::Info, role_text(facts.role) + " context: " +
                                         describe(settings, min, max, replace ? facts.pinned : std::nullopt) + ", from " +
                                         P->core.rule_name(rule));
    }
    warn_if_weak(P->core, settings, role_text(facts.role) + " contexts, from " + P->core.rule_name(rule));
    return ctx;
}

// --- per connection: host and role rules ----------------------------------------------------

void decide_connection(SSL* s, std::optional<Role> role) {
    const ContextState* st = state_of(ssl().SSL_get_SSL_CTX(s));
    if (!st || !P->core.connection_rules) return;
    ConnectionState* c = connection_state(s);
    if (!c) return;
    const char* host = ssl().SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    Target target = P->core.target(role ? role : st->role,
                                   host ? std::optional<std::string_view>(host) : std::nullopt);
    std::optional<std::size_t> rule = first_matching_rule(P->core.rules(), target);
    if (c->decided && c->rule == rule) return;
    bool first = !c->decided;
    c->decided = true;
    c->rule = rule;
    c->settings = &P->core.layer(rule);
    if (first && rule == st->rule) return;  // the context already carries these settings

    Ours mark;
    const Settings& settings = *c->settings;
    MethodFacts facts = method_facts(ssl(), ssl().SSL_get_ssl_method(s));
    if (facts.pinned && settings.names_a_bound()) ssl().real.SSL_set_ssl_method(s, facts.flexible);
    if (st->held_pinned && settings.names_a_bound()) {
        // The rule's range replaces the pinned version held at creation.
        ssl().real.SSL_ctrl(s, SSL_CTRL_SET_MIN_PROTO_VERSION, 0, nullptr);
        ssl().real.SSL_ctrl(s, SSL_CTRL_SET_MAX_PROTO_VERSION, 0, nullptr);
    }
    if (std::optional<Diagnostic> rejected = apply_to_connection(ssl(), s, settings))
        P->core.log.write(LogLevel::Error, rejected->text());
    if (P->core.log.enabled(LogLevel::Info)) {
        long min = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
        long max = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
        P->core.log.write(LogLevel::Info, role_text(target.role) + " connection to " + (host ? host : "?") + ": " +
                                         describe(settings, min, max, std::nullopt) + ", from " + P->core.rule_name(rule));
    }
    warn_if_weak(P->core, settings, std::string("connections to ") + (host ? host : "?") + ", from " + P->core.rule_name(rule));
}

// --- handshake records ------------------------------------------------------------------------

std::string peer_of(const SSL* s) {
    int fd = ssl().SSL_get_fd(s);
    sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
    char host[INET6_ADDRSTRLEN] = "";
    if (addr.ss_family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&addr);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    }
    if (addr.ss_family == AF_INET6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    return "unix";
}

// The versions this side was willing to speak: its bounds, its method, its options.
void offered_versions(SSL* s, HandshakeRecord& r) {
    std::optional<Protocol> pinned = method_facts(ssl(), ssl().SSL_get_ssl_method(s)).pinned;
    long min = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
    long max = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
    uint64_t options = ssl().SSL_get_options(s) & ssl().options_mask;
    for (Protocol p : all_protocols) {
        int v = openssl_version_of(p);
        bool on = (!pinned || *pinned == p) && (min == 0 || v >= min) && (max == 0 || v <= max) &&
                  !(options & no_version_option(p));
        if (!on) continue;
        if (!r.offered_low) r.offered_low = p;
        r.offered_high = p;
    }
    r.offered_versions = r.offered_low ? std::string(protocol_name(*r.offered_low)) + "-" +
                                             std::string(protocol_name(*r.offered_high))
                                       : "none";
}

void record(SSL* s, ConnectionState& c, bool ok) {
    c.recorded = true;
    HandshakeRecord r;
    r.time = rfc3339_now();
    r.program = P->core.program;
    r.pid = static_cast<int>(getpid());
    r.role = ssl().SSL_is_server(s) ? Role::Server : Role::Client;
    if (const char* sni = ssl().SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)) r.sni = sni;
    r.peer = peer_of(s);
    r.ok = ok;
    if (ok) {
        r.version = ssl().SSL_get_version(s);
        if (const SSL_CIPHER* cipher = ssl().SSL_get_current_cipher(s)) r.cipher = ssl().SSL_CIPHER_get_name(cipher);
        long group = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_NEGOTIATED_GROUP, 0, nullptr);
        if (group > 0 && ssl().SSL_group_to_name)  // 3.x only
            if (const char* name = ssl().SSL_group_to_name(s, static_cast<int>(group))) r.group = name;
        r.resumed = ssl().SSL_session_reused(s);
    } else {
        r.alert = c.alert;
        r.alert_sent = c.alert_sent;
        if (unsigned long e = ssl().ERR_peek_last_error())
            if (const char* reason = ssl().ERR_reason_error_string(e)) r.reason = reason;
        // A client that does not verify still has a verify result: it matters only
        // when verification is why the handshake failed.
        long verify = ssl().SSL_get_verify_result(s);
        if (verify != X509_V_OK && r.reason.find("certificate verify failed") != std::string::npos)
            r.verify_error = ssl().X509_verify_cert_error_string(verify);
        offered_versions(s, r);
        r.offered_ciphers = ssl().OPENSSL_sk_num(reinterpret_cast<const OPENSSL_STACK*>(ssl().SSL_get_ciphers(s)));
    }
    std::optional<std::size_t> rule = c.decided ? c.rule : std::nullopt;
    if (!c.decided)
        if (const ContextState* st = state_of(ssl().SSL_get_SSL_CTX(s))) rule = st->rule;
    if (rule) r.rule = P->core.rules()[*rule].name;
    if (P->core.log.enabled(LogLevel::Error))
        P->core.log.write_record(P->core.log.format() == LogFormat::Json ? format_json(r) : format_text(r));
}

void observe(SSL* s, int where, int ret) {
    ConnectionState* c = connection_state(s);
    if (!c) return;
    if (where & SSL_CB_ALERT) {
        if (!c->recorded && (ret >> 8) == SSL3_AL_FATAL && c->alert.empty()) {
            c->alert = ssl().SSL_alert_desc_string_long(ret);
            c->alert_sent = where & SSL_CB_WRITE;
        }
        return;
    }
    if (c->recorded) return;
    if (where & SSL_CB_HANDSHAKE_DONE) record(s, *c, true);
    // An exit that is not a wait for the socket is a failed handshake. After a fatal
    // alert OpenSSL may still say it is reading, so the alert and the error queue count too.
    else if ((where & SSL_CB_EXIT) && ret <= 0 &&
             (!c->alert.empty() || ssl().SSL_want(s) == SSL_NOTHING || ssl().ERR_peek_last_error() != 0))
        record(s, *c, false);
}

InfoCallback program_callback_of(const SSL* s) {
    if (const ConnectionState* c = existing_connection_state(s); c && c->program_callback) return c->program_callback;
    const ContextState* st = state_of(ssl().SSL_get_SSL_CTX(s));
    return st ? st->program_callback : nullptr;
}

void on_info(const SSL* cs, int where, int ret) {
    SSL* s = const_cast<SSL*>(cs);
    {
        Ours mark;
        int saved = errno;
        try {
            if ((where & SSL_CB_HANDSHAKE_START) && P->core.connection_rules)
                decide_connection(s, ssl().SSL_is_server(s) ? Role::Server : Role::Client);
            if (P->core.records) observe(s, where, ret);
        } catch (...) {
            // Out of memory while observing: the handshake goes on unobserved.
        }
        errno = saved;
    }
    // The program's own callback runs outside our mark: what it does is its own.
    if (InfoCallback program = program_callback_of(cs)) program(cs, where, ret);
}

// --- the enforce decisions, applied ------------------------------------------------------------

void kept(const char* what, const char* object, const std::string& detail) {
    P->core.log.write(LogLevel::Debug, std::string("enforce: kept the policy's ") + what + " on a " + object +
                                      " (the program tried to change it" + (detail.empty() ? "" : " to " + detail) +
                                      ")");
}

long enforce_version(const Settings& s, Bound which, long requested, const char* object) {
    std::optional<Protocol> asked = protocol_of(static_cast<int>(requested));
    if (requested != 0 && !asked) return requested;  // DTLS or unknown: not ours
    std::optional<Protocol> result = enforce_bound(s, which, asked);
    long value = result ? openssl_version_of(*result) : 0;
    if (value != requested)
        kept(which == Bound::Min ? "min protocol" : "max protocol", object,
             asked ? std::string(protocol_name(*asked)) : "no bound");
    return value;
}

// For a ctrl command: true when the call is to be swallowed; may rewrite larg.
// `enforced()` (a state lookup) is asked only for the commands enforce mode looks
// at: every other one (SSL_get_* macros and the like, on the hot path) goes by.
template <class Enforced>
bool enforce_ctrl(int cmd, long& larg, void* parg, const char* object, Enforced enforced) {
    const Settings* s = nullptr;
    switch (cmd) {
        case SSL_CTRL_SET_MIN_PROTO_VERSION:
        case SSL_CTRL_SET_MAX_PROTO_VERSION:
            if ((s = enforced()))
                larg = enforce_version(*s, cmd == SSL_CTRL_SET_MIN_PROTO_VERSION ? Bound::Min : Bound::Max, larg, object);
            return false;
        case SSL_CTRL_SET_GROUPS:
        case SSL_CTRL_SET_GROUPS_LIST:
            if (!(s = enforced()) || !s->groups) return false;
            kept("groups", object, cmd == SSL_CTRL_SET_GROUPS_LIST && parg ? static_cast<const char*>(parg) : "");
            return true;
        case SSL_CTRL_SET_SIGALGS:
        case SSL_CTRL_SET_SIGALGS_LIST:
        case SSL_CTRL_SET_CLIENT_SIGALGS:
        case SSL_CTRL_SET_CLIENT_SIGALGS_LIST:
            if (!(s = enforced()) || !s->signature_algorithms) return false;
            kept("signature algorithms", object, "");
            return true;
        default: return false;
    }
}

uint64_t strip_protected(const Settings& s, uint64_t options, const char* object) {
    for (Protocol p : protected_versions(s)) {
        if (!(options & no_version_option(p))) continue;
        options &= ~no_version_option(p);
        kept("protocol range", object, "switch off " + std::string(protocol_name(p)));
    }
    return options;
}

const Settings* enforced(const SSL_CTX* ctx) {
    if (P->core.mode != Mode::Enforce) return nullptr;
    const ContextState* st = state_of(ctx);
    return st ? st->settings : nullptr;
}
const Settings* enforced(const SSL* s) { return P->core.mode == Mode::Enforce ? settings_of(s) : nullptr; }

// --- the engine's versions of the interposed functions ----------------------------------------

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

SSL_CTX* engine_SSL_CTX_new(const SSL_METHOD* m) {
    auto create = [](const SSL_METHOD* method) { return ssl().real.SSL_CTX_new(method); };
    return guarded([&] { return create(m); }, [&] { return create_context(m, "SSL_CTX_new", create); });
}

SSL_CTX* engine_SSL_CTX_new_ex(OSSL_LIB_CTX* lib, const char* propq, const SSL_METHOD* m) {
    auto create = [&](const SSL_METHOD* method) { return ssl().real.SSL_CTX_new_ex(lib, propq, method); };
    return guarded([&] { return create(m); }, [&] { return create_context(m, "SSL_CTX_new_ex", create); });
}

long engine_SSL_CTX_ctrl(SSL_CTX* ctx, int cmd, long larg, void* parg) {
    if (enforce_ctrl(cmd, larg, parg, "context", [&] { return enforced(ctx); })) return 1;
    return ssl().real.SSL_CTX_ctrl(ctx, cmd, larg, parg);
}

long engine_SSL_ctrl(SSL* s, int cmd, long larg, void* parg) {
    if (enforce_ctrl(cmd, larg, parg, "connection", [&] { return enforced(s); })) return 1;
    long result = ssl().real.SSL_ctrl(s, cmd, larg, parg);
    // Setting the server name makes a client connection's host known: a host rule applies now.
    if (cmd == SSL_CTRL_SET_TLSEXT_HOSTNAME && result == 1 && P->core.connection_rules)
        guarded([] { return 0; }, [&] { decide_connection(s, Role::Client); return 0; });
    return result;
}

template <class Object, class Setter>
int set_list(Object* o, const char* list, const Setting<std::string> Settings::*field, const char* what,
             const char* object, Setter real) {
    if (const Settings* s = enforced(o); s && (s->*field)) {
        kept(what, object, list ? list : "");
        return 1;
    }
    return real(o, list);
}

int engine_SSL_CTX_set_cipher_list(SSL_CTX* c, const char* l) {
    return set_list(c, l, &Settings::ciphers, "ciphers", "context", ssl().real.SSL_CTX_set_cipher_list);
}
int engine_SSL_set_cipher_list(SSL* s, const char* l) {
    return set_list(s, l, &Settings::ciphers, "ciphers", "connection", ssl().real.SSL_set_cipher_list);
}
int engine_SSL_CTX_set_ciphersuites(SSL_CTX* c, const char* l) {
    return set_list(c, l, &Settings::ciphersuites, "ciphersuites", "context", ssl().real.SSL_CTX_set_ciphersuites);
}
int engine_SSL_set_ciphersuites(SSL* s, const char* l) {
    return set_list(s, l, &Settings::ciphersuites, "ciphersuites", "connection", ssl().real.SSL_set_ciphersuites);
}

void engine_SSL_CTX_set_security_level(SSL_CTX* c, int level) {
    if (const Settings* s = enforced(c); s && s->security_level) return kept("security level", "context", std::to_string(level));
    ssl().real.SSL_CTX_set_security_level(c, level);
}
void engine_SSL_set_security_level(SSL* o, int level) {
    if (const Settings* s = enforced(o); s && s->security_level) return kept("security level", "connection", std::to_string(level));
    ssl().real.SSL_set_security_level(o, level);
}

uint64_t engine_SSL_CTX_set_options(SSL_CTX* c, uint64_t op) {
    op &= ssl().options_mask;  // 1.1.1 on i386: the upper half is not the caller's
    if (const Settings* s = enforced(c)) op = strip_protected(*s, op, "context");
    return ssl().real.SSL_CTX_set_options(c, op);
}
uint64_t engine_SSL_set_options(SSL* o, uint64_t op) {
    op &= ssl().options_mask;
    if (const Settings* s = enforced(o)) op = strip_protected(*s, op, "connection");
    return ssl().real.SSL_set_options(o, op);
}

// A pinned method set after creation, under enforce: the flexible one instead.
const SSL_METHOD* unpinned(const Settings* s, const SSL_METHOD* m, const char* object) {
    if (!s || !s->names_a_bound()) return m;
    MethodFacts facts = method_facts(ssl(), m);
    if (!facts.pinned) return m;
    kept("protocol range", object, std::string(protocol_name(*facts.pinned)) + " only");
    return facts.flexible;
}

int engine_SSL_CTX_set_ssl_version(SSL_CTX* c, const SSL_METHOD* m) {
    int result = ssl().real.SSL_CTX_set_ssl_version(c, unpinned(enforced(c), m, "context"));
    // SSL_CTX_set_ssl_version resets both cipher lists to OpenSSL's defaults:
    // the policy's lists go back on.
    if (const ContextState* st = state_of(c); st && result == 1 && (st->settings->ciphers || st->settings->ciphersuites)) {
        Settings lists;
        lists.ciphers = st->settings->ciphers;
        lists.ciphersuites = st->settings->ciphersuites;
        guarded([] { return 0; }, [&] { apply_to_context(ssl(), c, lists); return 0; });
    }
    return result;
}
int engine_SSL_set_ssl_method(SSL* s, const SSL_METHOD* m) {
    return ssl().real.SSL_set_ssl_method(s, unpinned(enforced(s), m, "connection"));
}

// The program's info callbacks are kept beside ours and called by ours; the
// getters answer with the program's, as if we were not there.
void engine_SSL_CTX_set_info_callback(SSL_CTX* c, InfoCallback cb) {
    if (ContextState* st = state_of(c); st && st->observed) {
        st->program_callback = cb;
        return;
    }
    ssl().real.SSL_CTX_set_info_callback(c, cb);
}
InfoCallback engine_SSL_CTX_get_info_callback(SSL_CTX* c) {
    if (const ContextState* st = state_of(c); st && st->observed) return st->program_callback;
    return ssl().real.SSL_CTX_get_info_callback(c);
}
void engine_SSL_set_info_callback(SSL* s, InfoCallback cb) {
    const ContextState* st = state_of(ssl().SSL_get_SSL_CTX(s));
    ConnectionState* c = st && st->observed ? guarded([] { return (ConnectionState*)nullptr; }, [&] { return connection_state(s); }) : nullptr;
    if (c) {
        c->program_callback = cb;
        return;
    }
    ssl().real.SSL_set_info_callback(s, cb);
}
InfoCallback engine_SSL_get_info_callback(const SSL* s) {
    const ContextState* st = state_of(ssl().SSL_get_SSL_CTX(s));
    if (st && st->observed) {
        const ConnectionState* c = existing_connection_state(s);
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
        tlso::start(stage1);
    } catch (...) {
        errno = saved;
        return nullptr;  // stage 1 says so and fails closed
    }
    errno = saved;
    return &tlso::hooks;
}
