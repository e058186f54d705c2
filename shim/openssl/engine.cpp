// The engine (stage 2): reads the configuration once, then decides for every
// interposed call. Its versions of the OpenSSL functions are handed to stage 1
// through one entry point, tlsoverride_engine_v1.
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
#include "core/process_config.hpp"
#include "preload/engine_entry.hpp"
#include "core/record.hpp"
#include "core/log.hpp"
#include "core/policy.hpp"

extern char* program_invocation_short_name;  // glibc: the base name of argv[0]

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

struct Process {
    const Stage1* stage1 = nullptr;
    const OpenSsl* ssl = nullptr;
    Log log;
    Mode mode = Mode::Default;
    OnError on_error = OnError::Fail;
    bool records = false;
    std::string error;        // non-empty: the configuration is bad and contexts fail closed
    bool governing = false;   // something to apply or to observe
    bool connection_rules = false;  // some rule names a host or a role: decide again per connection
    bool connection_bounds = false; // ... and one of those sets a protocol bound
    ProcessConfig loaded;
    std::string program, executable;
    bool secure = false;  // secure execution: argv[0] is the caller's, rules see only the executable
    int context_slot = -1, connection_slot = -1;
    int error_library = 0;
    std::atomic<bool> warned_weak{false};
    std::atomic<bool> logged_rejection{false};

    const Settings& layer(std::optional<std::size_t> rule) const { return loaded.layer(rule); }
    const std::vector<Rule>& rules() const { return loaded.config.rules; }
    std::string rule_name(std::optional<std::size_t> rule) const {
        if (rule) return "rule \"" + rules()[*rule].name + "\"";
        return loaded.path.empty() ? "the environment" : "[policy]";
    }
};

// Made once by the entry point and never freed: other threads may still be in
// OpenSSL while the process exits.
Process* P;

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

std::string executable_name() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return {};
    path[n] = '\0';
    const char* slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

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

void register_error_strings() {
    P->error_library = ssl().ERR_get_next_error_library();
    error_strings[0] = {static_cast<unsigned long>(ERR_PACK(P->error_library, 0, 0)), "tlsoverride"};
    error_strings[1] = {static_cast<unsigned long>(ERR_PACK(P->error_library, 0, 1)),
                        "tlsoverride configuration is invalid; the tlsoverride log line names the setting"};
    error_strings[2] = {0, nullptr};
    ssl().ERR_load_strings(P->error_library, error_strings);
}

// Leaves an OpenSSL error on the queue so the program reports a TLS set-up error.
SSL_CTX* fail_closed(const char* function, const std::string& why) {
    ssl().ERR_new();
    ssl().ERR_set_debug("tlsoverride", 0, function);
    ssl().ERR_set_error(P->error_library, 1, "%s", why.c_str());
    return nullptr;
}

// --- loading the configuration -------------------------------------------------------

void warn_if_weak(const Settings& s, std::string_view where) {
    if (!weakens_security(s) || P->warned_weak.exchange(true)) return;
    std::string what;
    if (s.min_protocol && s.min_protocol->value < Protocol::TLSv1_2)
        what = "protocols below TLSv1.2 (min_protocol " + std::string(protocol_name(s.min_protocol->value)) + " from " +
               s.min_protocol->origin.source + ")";
    else if (s.max_protocol && s.max_protocol->value < Protocol::TLSv1_2)
        what = "only protocols below TLSv1.2 (max_protocol from " + s.max_protocol->origin.source + ")";
    if (s.security_level && s.security_level->value < 1)
        what += (what.empty() ? "" : " and ") + std::string("security level 0 (from ") +
                s.security_level->origin.source + ")";
    P->log.write(LogLevel::Warn, "the policy weakens TLS for " + std::string(where) + ": it allows " + what);
}

bool names_host_or_role(const Rule& r) { return !r.hosts.empty() || r.role; }

void start(const Stage1* stage1) {
    P = new Process;
    P->stage1 = stage1;
    P->ssl = stage1->openssl;
    P->program = program_invocation_short_name ? program_invocation_short_name : "";
    P->executable = executable_name();
    P->secure = secure_execution();

    // secure_getenv sees nothing in setuid/setgid/capability programs: there only
    // the file under /etc counts.
    P->loaded = load_process_config([](const char* name) { return secure_getenv(name); });
    const ProcessConfig& pc = P->loaded;
    const ProcessSettings& process = pc.process;
    P->mode = process.mode ? process.mode->value : Mode::Default;
    P->on_error = process.on_error ? process.on_error->value : OnError::Fail;
    P->records = process.log_handshakes && process.log_handshakes->value;
    std::string log_problem =
        P->log.open(process.log_level ? process.log_level->value : LogLevel::Warn,
                    process.log_format ? process.log_format->value : LogFormat::Text,
                    process.log_file ? process.log_file->value : "", P->program,
                    process.log_file ? process.log_file->origin.location : "");
    if (!log_problem.empty()) P->log.write(LogLevel::Error, log_problem);

    P->context_slot = ssl().CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr,
                                                    free_context_state);
    P->connection_slot =
        ssl().CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nullptr, nullptr, nullptr, free_connection_state);
    register_error_strings();

    Diagnostics errors = pc.errors;
    // With rules, every layer's values are checked now on a scratch context (1.2M
    // instructions, once): a bad value anywhere fails the process, as `check` does.
    // With one layer, applying it to the program's first context is the check.
    if (pc.layers.size() > 1) {
        Diagnostics rejected = validate_with_openssl(ssl(), pc.all_layers());
        errors.insert(errors.end(), rejected.begin(), rejected.end());
    }
    if (!errors.empty()) {
        for (const Diagnostic& d : errors) P->log.write(LogLevel::Error, d.text());
        if (P->on_error == OnError::Fail) {
            P->error = errors.front().text();
            P->log.write(LogLevel::Error, "every TLS context in this process will fail until the configuration is "
                                          "fixed (on_error = \"fail\"; check it with: tlsoverride check)");
        } else {
            P->log.write(LogLevel::Error, "running this program unmodified (on_error = \"ignore\")");
        }
        return;
    }
    bool anything = false;
    for (const Settings& s : pc.layers) anything |= !s.empty();
    for (std::size_t i = 0; i < pc.config.rules.size(); i++) {
        bool per_connection = names_host_or_role(pc.config.rules[i]);
        P->connection_rules |= per_connection;
        P->connection_bounds |= per_connection && pc.layer(i).names_a_bound();
    }
    P->governing = anything || P->records;
    P->log.write(LogLevel::Debug, "configuration: " + (pc.path.empty() ? std::string("environment only") : pc.path) +
                                      ", " + std::to_string(pc.config.rules.size()) + " rules, mode " +
                                      std::string(mode_name(P->mode)) +
                                      (P->governing ? "" : "; nothing to apply or observe"));
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
    if (!P->governing) return create(asked);
    MethodFacts facts = method_facts(ssl(), asked);
    if (!facts.governed) return create(asked);

    Target target = target_for(P->program, P->executable, P->secure);
    target.role = facts.role;
    std::optional<std::size_t> rule = first_matching_rule(P->rules(), target);
    const Settings& settings = P->layer(rule);
    // A pinned method ignores min/max (they return 1 and change nothing): the
    // flexible method of the same role is what lets the configured range apply.
    // OpenSSL checks a connection's bounds against its context's method, so a rule
    // that may set bounds per connection needs the flexible method too; until it
    // applies, min = max = the pinned version keeps the program's choice.
    bool replace = facts.pinned && (settings.names_a_bound() || P->connection_bounds);
    SSL_CTX* ctx = create(replace ? facts.flexible : asked);
    if (!ctx) return nullptr;
    if (replace && !settings.names_a_bound()) {
        long pinned = openssl_version_of(*facts.pinned);
        ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, pinned, nullptr);
        ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, pinned, nullptr);
    }

    if (std::optional<Diagnostic> rejected = apply_to_context(ssl(), ctx, settings)) {
        if (!P->logged_rejection.exchange(true)) P->log.write(LogLevel::Error, rejected->text());
        // OpenSSL may have applied part of a rejected value (a cipher string with no
        // TLS 1.2 match still replaces the list), so the context is not handed out.
        ssl().SSL_CTX_free(ctx);
        if (P->on_error == OnError::Fail) return fail_closed(function, rejected->text());
        return create(asked);  // on_error = "ignore": exactly what the program asked for
    }
    auto* state = new ContextState{&settings, rule, facts.role};
    state->held_pinned = replace && !settings.names_a_bound();
    if (!ssl().SSL_CTX_set_ex_data(ctx, P->context_slot, state)) {
        delete state;
        return ctx;
    }
    if (P->records || P->connection_rules) {
        ssl().real.SSL_CTX_set_info_callback(ctx, on_info);
        state->observed = true;
    }
    if (P->log.enabled(LogLevel::Info) && !settings.empty()) {
        long min = ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
        long max = ssl().real.SSL_CTX_ctrl(ctx, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
        P->log.write(LogLevel::Info, role_text(facts.role) + " context: " +
                                         describe(settings, min, max, replace ? facts.pinned : std::nullopt) + ", from " +
                                         P->rule_name(rule));
    }
    warn_if_weak(settings, role_text(facts.role) + " contexts, from " + P->rule_name(rule));
    return ctx;
}

// --- per connection: host and role rules ----------------------------------------------------

void decide_connection(SSL* s, std::optional<Role> role) {
    const ContextState* st = state_of(ssl().SSL_get_SSL_CTX(s));
    if (!st || !P->connection_rules) return;
    ConnectionState* c = connection_state(s);
    if (!c) return;
    const char* host = ssl().SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    Target target = target_for(P->program, P->executable, P->secure);
    target.role = role ? role : st->role;
    target.host = host ? std::optional<std::string_view>(host) : std::nullopt;
    std::optional<std::size_t> rule = first_matching_rule(P->rules(), target);
    if (c->decided && c->rule == rule) return;
    bool first = !c->decided;
    c->decided = true;
    c->rule = rule;
    c->settings = &P->layer(rule);
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
        P->log.write(LogLevel::Error, rejected->text());
    if (P->log.enabled(LogLevel::Info)) {
        long min = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
        long max = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
        P->log.write(LogLevel::Info, role_text(target.role) + " connection to " + (host ? host : "?") + ": " +
                                         describe(settings, min, max, std::nullopt) + ", from " + P->rule_name(rule));
    }
    warn_if_weak(settings, std::string("connections to ") + (host ? host : "?") + ", from " + P->rule_name(rule));
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
    uint64_t options = ssl().SSL_get_options(s);
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
    r.program = P->program;
    r.pid = static_cast<int>(getpid());
    r.role = ssl().SSL_is_server(s) ? Role::Server : Role::Client;
    if (const char* sni = ssl().SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)) r.sni = sni;
    r.peer = peer_of(s);
    r.ok = ok;
    if (ok) {
        r.version = ssl().SSL_get_version(s);
        if (const SSL_CIPHER* cipher = ssl().SSL_get_current_cipher(s)) r.cipher = ssl().SSL_CIPHER_get_name(cipher);
        long group = ssl().real.SSL_ctrl(s, SSL_CTRL_GET_NEGOTIATED_GROUP, 0, nullptr);
        if (group > 0)
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
    if (rule) r.rule = P->rules()[*rule].name;
    if (P->log.enabled(LogLevel::Error))
        P->log.write_record(P->log.format() == LogFormat::Json ? format_json(r) : format_text(r));
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
            if ((where & SSL_CB_HANDSHAKE_START) && P->connection_rules)
                decide_connection(s, ssl().SSL_is_server(s) ? Role::Server : Role::Client);
            if (P->records) observe(s, where, ret);
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
    P->log.write(LogLevel::Debug, std::string("enforce: kept the policy's ") + what + " on a " + object +
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
    if (P->mode != Mode::Enforce) return nullptr;
    const ContextState* st = state_of(ctx);
    return st ? st->settings : nullptr;
}
const Settings* enforced(const SSL* s) { return P->mode == Mode::Enforce ? settings_of(s) : nullptr; }

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
    if (cmd == SSL_CTRL_SET_TLSEXT_HOSTNAME && result == 1 && P->connection_rules)
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
    if (const Settings* s = enforced(c)) op = strip_protected(*s, op, "context");
    return ssl().real.SSL_CTX_set_options(c, op);
}
uint64_t engine_SSL_set_options(SSL* o, uint64_t op) {
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

extern "C" __attribute__((visibility("default"))) const Interposed* tlsoverride_engine_v1(const Stage1* stage1) {
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
