// The GnuTLS backend of the engine: its versions of the interposed GnuTLS
// functions, handed to stage 1 through tlsoverride_engine_gnutls_v1. It calls only
// the functions stage 1 resolved (the engine does not link libgnutls).
//
// GnuTLS has no setters to watch: a session's protocol versions, ciphers, groups
// and options are one priority string. So the policy is tokens (core/
// gnutls_priority.hpp) put into every priority string the program gives, on every
// route: a cache (gnutls_priority_init/init2), a session's string
// (gnutls_priority_set_direct), the library's default (gnutls_set_default_priority,
// _append). What is kept per session and per cache (the program's own string, the
// role, the server name) is kept only when a host or role rule or handshake
// records need it.
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <unordered_map>

#include "core/ascii.hpp"
#include "core/gnutls_priority.hpp"
#include "core/log.hpp"
#include "core/peer.hpp"
#include "core/policy.hpp"
#include "core/process.hpp"
#include "core/record.hpp"
#include "preload/engine_entry.hpp"

namespace tlso {
namespace {

// What a program gave as its priorities, to build them again with another rule's
// tokens: its string (or none: the library's default), and whether that string
// was to be appended to the default (GNUTLS_PRIORITY_INIT_DEF_APPEND, _append).
struct ProgramPriority {
    bool set = false;
    bool is_default = false;  // no string of its own: the library's default
    bool appends = false;     // `text` goes after the library's default
    std::string text;
    std::optional<std::size_t> rule;  // the rule whose tokens it was built with
};

struct SessionState {
    std::optional<Role> role;
    std::string host;
    ProgramPriority priority;
};

struct GnutlsEngine {
    Process& core;
    const Stage1Gnutls* stage1;
    const Gnutls* g;
    std::string error;                // non-empty: priorities fail closed
    std::vector<std::string> tokens;  // per layer, like core.loaded.layers
    bool tracks = false;              // keep session and cache state
    bool active = false;              // anything to add, keep or refuse: else every call goes straight through
    // A pthread mutex held across fork() by the atfork handlers: a child forked
    // while another thread was inside a GnuTLS call still finds it free.
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    std::unordered_map<gnutls_session_t, SessionState> sessions;
    std::unordered_map<gnutls_priority_t, ProgramPriority> caches;
    std::atomic<bool> logged_rejection{false};

    explicit GnutlsEngine(Process& p) : core(p) {}
};

GnutlsEngine* E;

// The state maps' lock, for one scope.
class Held {
public:
    Held() { pthread_mutex_lock(&E->lock); }
    ~Held() { pthread_mutex_unlock(&E->lock); }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
};
void before_fork() { pthread_mutex_lock(&E->lock); }
void after_fork() { pthread_mutex_unlock(&E->lock); }

const Gnutls& gnutls() { return *E->g; }

std::optional<std::size_t> rule_for(std::optional<Role> role, std::optional<std::string_view> host) {
    // The same decision as the OpenSSL adapter and explain: through the rule index.
    return connection_rule(E->core.loaded.rule_index, E->core.target(role, host));
}

const std::string& tokens_of(std::optional<std::size_t> rule) { return E->tokens[rule ? *rule + 1 : 0]; }

std::string lower(std::string text) {
    for (char& c : text) c = ascii_lower(c);
    return text;
}

// --- starting ----------------------------------------------------------------------------

void start(const Stage1Gnutls* stage1) {
    Process& core = process();
    E = new GnutlsEngine(core);
    E->stage1 = stage1;
    E->g = stage1->gnutls;
    E->error = core.error;
    E->tracks = core.records || core.connection_rules;
    Diagnostics found;
    for (const Settings& layer : core.loaded.layers) {
        GnutlsTranslation t = translate_for_gnutls(layer);
        for (const Diagnostic& d : t.errors)
            if (std::none_of(found.begin(), found.end(), [&](const Diagnostic& e) { return e.text() == d.text(); }))
                found.push_back(d);
        E->tokens.push_back(std::move(t.tokens));
    }
    // With rules, this GnuTLS checks every layer's tokens once (a token it does not
    // know: an older version without GROUP-X448, a misspelt gnutls_priority), so a
    // bad rule fails the process as `check` does. With one layer, the program's
    // first priority call is that check (a parse of ~90,000 instructions saved).
    if (found.empty() && core.loaded.errors.empty() && core.loaded.layers.size() > 1) {
        for (std::size_t i = 0; i < E->tokens.size(); i++) {
            if (E->tokens[i].empty()) continue;
            std::string probe = "NORMAL:" + E->tokens[i];
            gnutls_priority_t cache = nullptr;
            const char* where = nullptr;
            int ret = gnutls().real.gnutls_priority_init(&cache, probe.c_str(), &where);
            if (ret < 0) {
                std::size_t at = where ? static_cast<std::size_t>(where - probe.c_str()) : 0;
                std::string token = probe.substr(at, probe.find(':', at) - at);
                const Settings& layer = core.loaded.layers[i];
                found.push_back({layer.gnutls_priority ? layer.gnutls_priority->origin.location : "",
                                 "GnuTLS " + std::string(gnutls().gnutls_check_version(nullptr)) + " rejects '" +
                                     token + "' in the policy's priority tokens '" + E->tokens[i] +
                                     "': " + gnutls().gnutls_strerror(ret)});
            } else {
                gnutls().real.gnutls_priority_deinit(cache);
            }
        }
    }
    if (E->error.empty() && !found.empty()) E->error = core.reject(found);
    if (!found.empty() && E->error.empty())  // on_error = "ignore": run unmodified
        for (std::string& t : E->tokens) t.clear();
    if (core.log.enabled(LogLevel::Debug))
        core.log.write(LogLevel::Debug, "GnuTLS " + std::string(gnutls().gnutls_check_version(nullptr)) +
                                            ": policy tokens '" + E->tokens[0] + "'");
    if (E->tracks) pthread_atfork(before_fork, after_fork, after_fork);
    E->active = !E->error.empty() || E->tracks ||
                std::any_of(E->tokens.begin(), E->tokens.end(), [](const std::string& t) { return !t.empty(); });
}

// --- the priorities, composed -----------------------------------------------------------------

// A program's bad string must get a position in its own string; a position in the
// policy's tokens (this GnuTLS refused one: checked at start, so rare) is ours.
template <class Call>
int with_composed(const char* program, std::string_view tokens, const char** err_pos, Call call) {
    ComposedPriority c = compose_priority(program, tokens, E->core.mode);
    const char* where = nullptr;
    int ret = call(c.text.c_str(), &where);
    if (ret < 0 && where) {
        std::optional<std::size_t> own = c.program_offset(static_cast<std::size_t>(where - c.text.c_str()));
        if (own) {
            if (err_pos) *err_pos = program + *own;
            return ret;
        }
        if (!E->logged_rejection.exchange(true))
            E->core.log.write(LogLevel::Error, "GnuTLS rejected the policy's priority tokens '" + std::string(tokens) +
                                                   "' after the program's '" + program + "': " +
                                                   gnutls().gnutls_strerror(ret));
        if (E->core.on_error == OnError::Ignore) return call(program, err_pos);
        if (err_pos) *err_pos = program;
    }
    return ret;
}

// Failing closed: the program reports GnuTLS's "no or insufficient priorities".
int fail_closed(const char* program, const char** err_pos) {
    if (err_pos && program) *err_pos = program;
    return GNUTLS_E_NO_PRIORITIES_WERE_SET;
}

// The library's default with only the policy's tokens appended failed: the tokens
// are at fault (the program gave no string). Logged once; closed, or the program's
// own call with on_error = "ignore".
template <class Plain>
int tokens_rejected(int ret, const std::string& tokens, Plain plain) {
    if (!E->logged_rejection.exchange(true))
        E->core.log.write(LogLevel::Error, "GnuTLS " + std::string(gnutls().gnutls_check_version(nullptr)) +
                                               " rejected the policy's priority tokens '" + tokens +
                                               "': " + gnutls().gnutls_strerror(ret));
    if (E->core.on_error == OnError::Ignore) return plain();
    return ret;
}

// The library's default, with the program's appended text (or none) and the policy.
int set_default(gnutls_session_t s, const char* appended, const char** err_pos, unsigned flags,
                const std::string& tokens) {
    const Gnutls& g = gnutls();
    if (tokens.empty()) {
        if (appended || flags) return g.real.gnutls_set_default_priority_append(s, appended, err_pos, flags);
        return g.real.gnutls_set_default_priority(s);
    }
    if (!g.real.gnutls_set_default_priority_append) {
        // Before 3.6.3: "NORMAL" is the documented default string.
        std::string program = appended ? "NORMAL:" + std::string(appended) : "NORMAL";
        return with_composed(program.c_str(), tokens, nullptr, [&](const char* text, const char** where) {
            return g.real.gnutls_priority_set_direct(s, text, where);
        });
    }
    if (!appended) {
        int ret = g.real.gnutls_set_default_priority_append(s, tokens.c_str(), nullptr, flags);
        if (ret >= 0) return ret;
        return tokens_rejected(ret, tokens, [&] { return g.real.gnutls_set_default_priority(s); });
    }
    // The program's text is itself modifiers of the default: enforce goes after it,
    // default mode before it.
    std::string text = E->core.mode == Mode::Enforce ? std::string(appended) + ":" + tokens : tokens + ":" + appended;
    std::size_t own_at = E->core.mode == Mode::Enforce ? 0 : tokens.size() + 1;
    const char* where = nullptr;
    int ret = g.real.gnutls_set_default_priority_append(s, text.c_str(), &where, flags);
    if (ret < 0 && where && err_pos) {
        std::size_t at = static_cast<std::size_t>(where - text.c_str());
        *err_pos = at >= own_at && at < own_at + std::strlen(appended) ? appended + (at - own_at) : appended;
    }
    return ret;
}

// Builds a session's priorities from what the program gave, with one rule's tokens.
int apply_to_session(gnutls_session_t s, const ProgramPriority& p, const std::string& tokens, const char** err_pos) {
    if (p.is_default || p.appends) return set_default(s, p.is_default ? nullptr : p.text.c_str(), err_pos, 0, tokens);
    return with_composed(p.text.c_str(), tokens, err_pos, [&](const char* text, const char** where) {
        return gnutls().real.gnutls_priority_set_direct(s, text, where);
    });
}

SessionState* session_state(gnutls_session_t s) {
    auto it = E->sessions.find(s);
    return it == E->sessions.end() ? nullptr : &it->second;
}

// A session's priorities given by the program: composed with the rule for what is
// known of it now, and remembered when a later host may choose another rule.
// One warning per process when the rule chosen for a GnuTLS session or cache
// allows less than TLSv1.2 or level 0.
void warn_if_weak_rule(std::optional<std::size_t> rule) {
    if (weakens_security(E->core.layer(rule)))
        warn_if_weak(E->core, E->core.layer(rule), [&] { return "GnuTLS sessions, from " + E->core.rule_name(rule); });
}

int give_session(gnutls_session_t s, ProgramPriority p, const char** err_pos) {
    if (!E->error.empty()) return fail_closed(p.is_default ? nullptr : p.text.c_str(), err_pos);
    std::optional<Role> role;
    std::optional<std::string> host;
    if (E->tracks) {
        Held hold;
        if (SessionState* st = session_state(s)) {
            role = st->role;
            if (!st->host.empty()) host = st->host;
        }
    }
    p.rule = rule_for(role, host ? std::optional<std::string_view>(*host) : std::nullopt);
    warn_if_weak_rule(p.rule);
    int ret = apply_to_session(s, p, tokens_of(p.rule), err_pos);
    if (ret >= 0 && E->tracks) {
        Held hold;
        if (SessionState* st = session_state(s)) st->priority = std::move(p);
    }
    return ret;
}

// --- per connection: host and role rules ---------------------------------------------------

// Chooses the rule for what is known of a session now; when it is not the one its
// priorities were built with, builds them again from the program's own string.
void decide(gnutls_session_t s) {
    ProgramPriority p;
    std::string host;
    std::optional<Role> role;
    {
        Held hold;
        SessionState* st = session_state(s);
        if (!st || !st->priority.set) return;
        p = st->priority;
        host = st->host;
        role = st->role;
    }
    std::optional<std::size_t> rule = rule_for(role, host.empty() ? std::nullopt : std::optional<std::string_view>(host));
    if (rule == p.rule) return;
    int ret = apply_to_session(s, p, tokens_of(rule), nullptr);
    if (ret < 0) {
        E->core.log.write(LogLevel::Error, "could not apply " + E->core.rule_name(rule) + " to a GnuTLS session to " +
                                               (host.empty() ? "?" : host) + ": " + gnutls().gnutls_strerror(ret));
        return;
    }
    {
        Held hold;
        if (SessionState* st = session_state(s)) st->priority.rule = rule;
    }
    if (E->core.log.enabled(LogLevel::Info))
        E->core.log.write(LogLevel::Info, std::string(role ? role_name(*role) : "client/server") + " session to " +
                                              (host.empty() ? "?" : host) + ": '" + tokens_of(rule) + "', from " +
                                              E->core.rule_name(rule));
    warn_if_weak(E->core, E->core.layer(rule),
                 [&] { return "GnuTLS sessions to " + (host.empty() ? "?" : host) + ", from " + E->core.rule_name(rule); });
}

// --- handshake records -------------------------------------------------------------------------

// "TLS1.2" -> "TLSv1.2", as OpenSSL's records say it.
std::string version_name(const char* gnutls_name) {
    std::string v = gnutls_name ? gnutls_name : "?";
    if (v.rfind("TLS1.", 0) == 0) v.insert(3, "v");
    if (v == "TLSv1.0") v = "TLSv1";
    return v;
}

// The versions a session's own priorities enable, asked of GnuTLS with a cache built
// from the same string: what the program offered, for the record of a handshake that
// failed (diagnose's "it offered"), when no policy bound says it instead.
void program_versions(const ProgramPriority& p, HandshakeRecord& r) {
    const Gnutls& g = gnutls();
    if (!p.set) return;
    gnutls_priority_t cache = nullptr;
    int ret = -1;
    if (p.is_default) ret = g.real.gnutls_priority_init(&cache, nullptr, nullptr);
    else if (!p.appends) ret = g.real.gnutls_priority_init(&cache, p.text.c_str(), nullptr);
    else if (g.real.gnutls_priority_init2)
        ret = g.real.gnutls_priority_init2(&cache, p.text.c_str(), nullptr, GNUTLS_PRIORITY_INIT_DEF_APPEND);
    if (ret < 0) return;
    const unsigned int* list = nullptr;
    int n = g.gnutls_priority_protocol_list(cache, &list);
    for (int i = 0; i < n && list; i++) {
        std::optional<Protocol> v;
        switch (list[i]) {
            case GNUTLS_TLS1_0: v = Protocol::TLSv1; break;
            case GNUTLS_TLS1_1: v = Protocol::TLSv1_1; break;
            case GNUTLS_TLS1_2: v = Protocol::TLSv1_2; break;
            case GNUTLS_TLS1_3: v = Protocol::TLSv1_3; break;
            default: break;  // SSL 3.0, DTLS
        }
        if (!v) continue;
        if (!r.offered_low || *v < *r.offered_low) r.offered_low = v;
        if (!r.offered_high || *v > *r.offered_high) r.offered_high = v;
    }
    g.real.gnutls_priority_deinit(cache);
    if (r.offered_low)
        r.offered_versions =
            std::string(protocol_name(*r.offered_low)) + "-" + std::string(protocol_name(*r.offered_high));
}

void record(gnutls_session_t s, int ret) {
    const Gnutls& g = gnutls();
    HandshakeRecord r;
    ProgramPriority priority;
    r.time = rfc3339_now();
    r.program = E->core.program;
    r.pid = static_cast<int>(getpid());
    std::optional<std::size_t> rule;
    {
        Held hold;
        if (SessionState* st = session_state(s)) {
            r.role = st->role.value_or(Role::Client);
            r.sni = st->host;
            rule = st->priority.rule;
            if (ret != 0) priority = st->priority;
        }
    }
    if (r.role == Role::Server) {
        char name[256];
        size_t size = sizeof name;
        unsigned type = 0;
        if (g.gnutls_server_name_get(s, name, &size, &type, 0) == 0 && type == GNUTLS_NAME_DNS) r.sni.assign(name, size);
    }
    if (std::optional<int> fd = transport_descriptor(reinterpret_cast<std::uintptr_t>(g.gnutls_transport_get_ptr(s)),
                                                     g.gnutls_transport_get_int(s)))
        r.peer = peer_of_socket(*fd);
    // Push and pull functions of the program's own (libcurl's): its only connected TCP
    // socket. GnuTLS counts no bytes a second socket could be told apart by.
    if (r.peer.empty()) {
        SocketSearch found = find_connection_socket(std::nullopt);
        if (found.fd >= 0) r.peer = peer_of_socket(found.fd);
        else if (E->core.log.enabled(LogLevel::Debug))
            E->core.log.write(LogLevel::Debug, std::string("record: no peer address: ") + found.why);
    }
    r.ok = ret == 0;
    if (r.ok) {
        gnutls_protocol_t version = g.gnutls_protocol_get_version(s);
        r.version = version_name(g.gnutls_protocol_get_name(version));
        const char* cipher = g.gnutls_cipher_get_name(g.gnutls_cipher_get(s));
        std::string name = version == GNUTLS_TLS1_3
                               ? tls13_suite_name(cipher ? cipher : "")
                               : openssl_suite_name(g.gnutls_kx_get_name(g.gnutls_kx_get(s)) ?: "", cipher ? cipher : "",
                                                    g.gnutls_mac_get_name(g.gnutls_mac_get(s)) ?: "");
        r.cipher = !name.empty() ? name : cipher ? cipher : "?";
        if (const char* group = g.gnutls_group_get_name(g.gnutls_group_get(s))) r.group = openssl_group_name(group);
        r.resumed = g.gnutls_session_is_resumed(s) != 0;
    } else {
        r.reason = lower(g.gnutls_strerror(ret));
        if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
            if (const char* alert = g.gnutls_alert_get_name(g.gnutls_alert_get(s))) r.alert = lower(alert);
        const Settings& layer = E->core.layer(rule);
        r.offered_versions = gnutls_offered_versions(layer);
        if (layer.names_a_bound()) {
            r.offered_low = layer.min_protocol ? layer.min_protocol->value : Protocol::TLSv1;
            r.offered_high = layer.max_protocol ? layer.max_protocol->value : Protocol::TLSv1_3;
        } else {
            program_versions(priority, r);
        }
    }
    if (rule) r.rule = E->core.rules()[*rule].name;
    if (E->core.log.enabled(LogLevel::Error))
        E->core.log.write_record(E->core.log.format() == LogFormat::Json ? format_json(r) : format_text(r));
}

// --- the engine's versions of the interposed functions -------------------------------------------

// No exception may reach the host program: on one (out of memory), the call goes
// through unmodified.
template <class Fallback, class Body>
auto guarded(Fallback fallback, Body body) noexcept {
    int saved = errno;
    try {
        return body();
    } catch (...) {
        errno = saved;
        return fallback();
    }
}

int init_cache(gnutls_priority_t* cache, const char* program, const char** err_pos, unsigned flags) {
    const Gnutls& g = gnutls();
    auto plain = [&] {
        return flags ? g.real.gnutls_priority_init2(cache, program, err_pos, flags)
                     : g.real.gnutls_priority_init(cache, program, err_pos);
    };
    if (!E->error.empty()) return fail_closed(program, err_pos);
    // A cache has no session yet: the rule is the one for this program alone.
    std::optional<std::size_t> rule = rule_for(std::nullopt, std::nullopt);
    const std::string& tokens = tokens_of(rule);
    warn_if_weak_rule(rule);
    int ret;
    bool appends = flags & GNUTLS_PRIORITY_INIT_DEF_APPEND;
    if (tokens.empty()) {
        ret = plain();
    } else if (!program || appends) {
        if (!g.real.gnutls_priority_init2) {
            std::string text = "NORMAL" + (program ? ":" + std::string(program) : std::string());
            ret = with_composed(text.c_str(), tokens, nullptr, [&](const char* t, const char** where) {
                return g.real.gnutls_priority_init(cache, t, where);
            });
        } else if (!program) {
            ret = g.real.gnutls_priority_init2(cache, tokens.c_str(), nullptr, GNUTLS_PRIORITY_INIT_DEF_APPEND);
            if (ret < 0) ret = tokens_rejected(ret, tokens, plain);
        } else {
            std::string text = E->core.mode == Mode::Enforce ? std::string(program) + ":" + tokens : tokens + ":" + program;
            const char* where = nullptr;
            ret = g.real.gnutls_priority_init2(cache, text.c_str(), &where, flags);
            if (ret < 0 && err_pos) *err_pos = program;
        }
    } else {
        ret = with_composed(program, tokens, err_pos, [&](const char* t, const char** where) {
            return flags ? g.real.gnutls_priority_init2(cache, t, where, flags) : g.real.gnutls_priority_init(cache, t, where);
        });
    }
    if (ret >= 0 && E->tracks) {  // rules rebuild from it, records tell what it offered
        ProgramPriority p{true, program == nullptr, appends, program ? program : "", rule};
        Held hold;
        E->caches[*cache] = std::move(p);
    }
    return ret;
}

int engine_gnutls_priority_init(gnutls_priority_t* cache, const char* p, const char** err_pos) {
    if (!E->active) return gnutls().real.gnutls_priority_init(cache, p, err_pos);
    return guarded([&] { return gnutls().real.gnutls_priority_init(cache, p, err_pos); },
                   [&] { return init_cache(cache, p, err_pos, 0); });
}

int engine_gnutls_priority_init2(gnutls_priority_t* cache, const char* p, const char** err_pos, unsigned flags) {
    if (!E->active) return gnutls().real.gnutls_priority_init2(cache, p, err_pos, flags);
    return guarded([&] { return gnutls().real.gnutls_priority_init2(cache, p, err_pos, flags); },
                   [&] { return init_cache(cache, p, err_pos, flags); });
}

void engine_gnutls_priority_deinit(gnutls_priority_t cache) {
    if (E->tracks) {
        Held hold;
        E->caches.erase(cache);
    }
    gnutls().real.gnutls_priority_deinit(cache);
}

int engine_gnutls_priority_set(gnutls_session_t s, gnutls_priority_t cache) {
    int ret = gnutls().real.gnutls_priority_set(s, cache);
    if (ret < 0 || !E->tracks) return ret;
    guarded([] { return 0; }, [&] {
        Held hold;
        SessionState* st = session_state(s);
        auto known = E->caches.find(cache);
        if (st && known != E->caches.end()) st->priority = known->second;
        return 0;
    });
    return ret;
}

int engine_gnutls_priority_set_direct(gnutls_session_t s, const char* p, const char** err_pos) {
    if (!E->active) return gnutls().real.gnutls_priority_set_direct(s, p, err_pos);
    return guarded([&] { return gnutls().real.gnutls_priority_set_direct(s, p, err_pos); }, [&] {
        return give_session(s, ProgramPriority{true, p == nullptr, false, p ? p : "", std::nullopt}, err_pos);
    });
}

int engine_gnutls_set_default_priority(gnutls_session_t s) {
    if (!E->active) return gnutls().real.gnutls_set_default_priority(s);
    return guarded([&] { return gnutls().real.gnutls_set_default_priority(s); },
                   [&] { return give_session(s, ProgramPriority{true, true, false, "", std::nullopt}, nullptr); });
}

int engine_gnutls_set_default_priority_append(gnutls_session_t s, const char* add, const char** err_pos, unsigned flags) {
    if (!E->active) return gnutls().real.gnutls_set_default_priority_append(s, add, err_pos, flags);
    return guarded([&] { return gnutls().real.gnutls_set_default_priority_append(s, add, err_pos, flags); }, [&] {
        if (!E->error.empty()) return fail_closed(add, err_pos);
        if (flags) return set_default(s, add, err_pos, flags, tokens_of(rule_for(std::nullopt, std::nullopt)));
        return give_session(s, ProgramPriority{true, add == nullptr, add != nullptr, add ? add : "", std::nullopt},
                            err_pos);
    });
}

int engine_gnutls_server_name_set(gnutls_session_t s, gnutls_server_name_type_t type, const void* name, size_t len) {
    int ret = gnutls().real.gnutls_server_name_set(s, type, name, len);
    if (ret < 0 || !E->tracks || type != GNUTLS_NAME_DNS || !name) return ret;
    // The server name makes a client session's host known (for its record, and a
    // host rule applies now).
    guarded([] { return 0; }, [&] {
        {
            Held hold;
            SessionState* st = session_state(s);
            if (!st) return 0;
            st->host.assign(static_cast<const char*>(name), len);
        }
        if (E->core.connection_rules) decide(s);
        return 0;
    });
    return ret;
}

int engine_gnutls_handshake(gnutls_session_t s) {
    const Gnutls& g = gnutls();
    int saved = errno;
    // At the latest when the handshake starts: a role rule, or a host rule for a
    // session whose name was set before its priorities.
    if (E->core.connection_rules) guarded([] { return 0; }, [&] { decide(s); return 0; });
    errno = saved;
    int ret = g.real.gnutls_handshake(s);
    if (E->core.records && (ret == 0 || g.gnutls_error_is_fatal(ret))) {
        saved = errno;
        guarded([] { return 0; }, [&] { record(s, ret); return 0; });
        errno = saved;
    }
    return ret;
}

int engine_gnutls_init(gnutls_session_t* s, unsigned int flags) {
    int ret = gnutls().real.gnutls_init(s, flags);
    if (ret < 0 || !E->tracks || !s) return ret;
    guarded([] { return 0; }, [&] {
        Held hold;
        SessionState& st = E->sessions[*s];
        st = SessionState{};
        st.role = flags & GNUTLS_SERVER ? Role::Server : Role::Client;
        return 0;
    });
    return ret;
}

void engine_gnutls_deinit(gnutls_session_t s) {
    if (E->tracks) {
        Held hold;
        E->sessions.erase(s);
    }
    gnutls().real.gnutls_deinit(s);
}

const GnutlsInterposed hooks = {
#define TLSO_ENGINE_HOOK(name) engine_##name,
    TLSO_GNUTLS_INTERPOSED(TLSO_ENGINE_HOOK)
#undef TLSO_ENGINE_HOOK
};

}  // namespace
}  // namespace tlso

extern "C" __attribute__((visibility("default"))) const GnutlsInterposed* tlsoverride_engine_gnutls_v1(
    const Stage1Gnutls* stage1) {
    int saved = errno;
    try {
        tlso::start(stage1);
    } catch (...) {
        errno = saved;
        return nullptr;
    }
    errno = saved;
    return &tlso::hooks;
}
