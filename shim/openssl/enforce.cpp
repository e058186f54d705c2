// Enforce mode, applied: what a program's later change to a setting the policy
// owns becomes (core: enforce_bound, protected_versions). Each change kept is
// logged at debug.
#include "openssl/engine.hpp"

namespace tlso {
namespace {

long enforce_version(const Engine& e, const Settings& s, Bound which, long requested, const char* object) {
    std::optional<Protocol> asked = protocol_of(static_cast<int>(requested));
    if (requested != 0 && !asked) {
        // SSL3_VERSION, or a number tlsoverride does not know (only TLS contexts have
        // our state): the bound the policy names stands, and a maximum below its
        // minimum would empty the range.
        const Setting<Protocol>& own = which == Bound::Min ? s.min_protocol : s.max_protocol;
        long value = requested;
        if (own) value = openssl_version_of(own->value);
        else if (which == Bound::Max && s.min_protocol && requested < openssl_version_of(s.min_protocol->value)) value = 0;
        if (value != requested)
            kept_built(e, which == Bound::Min ? "min protocol" : "max protocol", object,
                       [&] { return "version " + std::to_string(requested); });
        return value;
    }
    std::optional<Protocol> result = enforce_bound(s, which, asked);
    long value = result ? openssl_version_of(*result) : 0;
    if (value != requested)
        kept(e, which == Bound::Min ? "min protocol" : "max protocol", object,
             asked ? protocol_name(*asked) : std::string_view("no bound"));
    return value;
}

// Whether the connection's cipher list is still the one the policy left: its own
// (set by its rule), or a copy of its context's, unchanged since creation.
bool ciphers_intact(const Engine& e, SSL* s, const ContextState& st, const ConnectionState* c) {
    const OpenSsl& ssl = *e.ssl;
    const auto* mine = reinterpret_cast<const OPENSSL_STACK*>(ssl.SSL_get_ciphers(s));
    if (c && c->cipher_list) return mine == c->cipher_list;
    SSL_CTX* ctx = ssl.SSL_get_SSL_CTX(s);
    const auto* theirs = reinterpret_cast<const OPENSSL_STACK*>(ssl.SSL_CTX_get_ciphers(ctx));
    if (theirs != st.cipher_list) return false;  // replaced on the context, by whatever route
    if (mine == theirs) return true;
    int n = ssl.OPENSSL_sk_num(mine);
    if (n != ssl.OPENSSL_sk_num(theirs)) return false;
    for (int i = 0; i < n; i++)
        if (ssl.OPENSSL_sk_value(mine, i) != ssl.OPENSSL_sk_value(theirs, i)) return false;
    return true;
}

}  // namespace

bool debug_on(const Engine& e) { return e.core.log.enabled(LogLevel::Debug); }

void enforce_at_handshake_start(const Engine& e, SSL* s) {
    if (e.core.mode != Mode::Enforce) return;
    const OpenSsl& ssl = *e.ssl;
    SSL_CTX* ctx = ssl.SSL_get_SSL_CTX(s);
    const ContextState* st = e.state_of(ctx);
    if (!st) return;
    // What enforced() answers, with each state looked up once.
    const ConnectionState* c = e.existing_connection_state(s);
    const Settings* policy = Engine::settings_of(c, st);
    if (!policy || policy->empty()) return;
    const char* object = "connection at its handshake's start";
    if (policy->names_a_bound()) {
        for (Bound which : {Bound::Min, Bound::Max}) {
            int get = which == Bound::Min ? SSL_CTRL_GET_MIN_PROTO_VERSION : SSL_CTRL_GET_MAX_PROTO_VERSION;
            long now = ssl.real.SSL_ctrl(s, get, 0, nullptr);
            // The usual cases, the bound the policy names still there, or no bound where
            // it names none: what enforce_version would answer, without working it out.
            const Setting<Protocol>& named = which == Bound::Min ? policy->min_protocol : policy->max_protocol;
            if (named ? now == openssl_version_of(named->value) : now == 0) continue;
            long wanted = enforce_version(e, *policy, which, now, object);
            if (wanted != now)
                ssl.real.SSL_ctrl(s, which == Bound::Min ? SSL_CTRL_SET_MIN_PROTO_VERSION : SSL_CTRL_SET_MAX_PROTO_VERSION,
                                  wanted, nullptr);
        }
    }
    uint64_t options = ssl.SSL_get_options(s) & ssl.options_mask;
    uint64_t off = options & (st->options_off | protected_version_options(*policy));
    uint64_t on = st->options_on & ~options;
    if (off) ssl.real.SSL_clear_options(s, off);
    if (on) ssl.real.SSL_set_options(s, on);
    if ((off || on) && debug_on(e)) kept(e, "options", object, "");
    // No getter tells a connection's groups or signature algorithms from the
    // policy's: short lists, put back on every handshake (a few thousand instructions).
    bool lists_replaced = (policy->ciphers || policy->ciphersuites) && !ciphers_intact(e, s, *st, c);
    if (lists_replaced || policy->groups || policy->signature_algorithms) {
        Settings again;
        if (lists_replaced) {
            again.ciphers = policy->ciphers;
            again.ciphersuites = policy->ciphersuites;
            if (debug_on(e)) kept(e, "cipher lists", object, "");
        }
        again.groups = policy->groups;
        again.signature_algorithms = policy->signature_algorithms;
        apply_to_connection(ssl, s, again);
    }
    // Last: a cipher string's @SECLEVEL (the program's, or one just put back) sets the level.
    if (policy->security_level && ssl.SSL_get_security_level(s) != policy->security_level->value) {
        kept_built(e, "security level", object, [&] { return std::to_string(ssl.SSL_get_security_level(s)); });
        ssl.real.SSL_set_security_level(s, policy->security_level->value);
    }
}

const Settings* enforced(const Engine& e, const SSL_CTX* ctx) {
    if (e.core.mode != Mode::Enforce) return nullptr;
    const ContextState* st = e.state_of(ctx);
    return st ? st->settings : nullptr;
}

const Settings* enforced(const Engine& e, const SSL* s) {
    return e.core.mode == Mode::Enforce ? e.settings_of(s) : nullptr;
}

// Called from hooks that have no guard of their own: out of memory loses the line,
// never the host (tests/e2e/oom.sh).
void kept(const Engine& e, const char* what, const char* object, std::string_view detail) noexcept {
    if (!debug_on(e)) return;
    try {
        e.core.log.write(LogLevel::Debug, std::string("enforce: kept the policy's ") + what + " on a " + object +
                                              " (the program tried to change it" +
                                              (detail.empty() ? "" : " to " + std::string(detail)) + ")");
    } catch (...) {
    }
}

std::optional<SettingId> setting_of_ctrl(int cmd) {
    switch (cmd) {
        case SSL_CTRL_SET_MIN_PROTO_VERSION: return SettingId::MinProtocol;
        case SSL_CTRL_SET_MAX_PROTO_VERSION: return SettingId::MaxProtocol;
        case SSL_CTRL_SET_GROUPS:
        case SSL_CTRL_SET_GROUPS_LIST: return SettingId::Groups;
        case SSL_CTRL_SET_SIGALGS:
        case SSL_CTRL_SET_SIGALGS_LIST:
        case SSL_CTRL_SET_CLIENT_SIGALGS:
        case SSL_CTRL_SET_CLIENT_SIGALGS_LIST: return SettingId::SignatureAlgorithms;
        default: return std::nullopt;
    }
}

bool governed_by_enforce(int cmd) { return setting_of_ctrl(cmd).has_value(); }

bool enforce_ctrl(const Engine& e, int cmd, long& larg, void* parg, const char* object, const Settings* s) {
    if (!s) return false;
    switch (cmd) {
        case SSL_CTRL_SET_MIN_PROTO_VERSION:
        case SSL_CTRL_SET_MAX_PROTO_VERSION:
            larg = enforce_version(e, *s, cmd == SSL_CTRL_SET_MIN_PROTO_VERSION ? Bound::Min : Bound::Max, larg, object);
            return false;
        case SSL_CTRL_SET_GROUPS:
        case SSL_CTRL_SET_GROUPS_LIST:
            if (!s->groups) return false;
            kept(e, "groups", object, cmd == SSL_CTRL_SET_GROUPS_LIST && parg ? static_cast<const char*>(parg) : "");  // a view: nothing built
            return true;
        case SSL_CTRL_SET_SIGALGS:
        case SSL_CTRL_SET_SIGALGS_LIST:
        case SSL_CTRL_SET_CLIENT_SIGALGS:
        case SSL_CTRL_SET_CLIENT_SIGALGS_LIST:
            if (!s->signature_algorithms) return false;
            kept(e, "signature algorithms", object, "");
            return true;
        default: return false;
    }
}

uint64_t strip_protected(const Engine& e, const Settings& s, uint64_t options, const char* object) {
    for (Protocol p : protected_versions(s)) {  // a fixed array: nothing to allocate in a hook
        if (!(options & no_version_option(p))) continue;
        options &= ~no_version_option(p);
        kept_built(e, "protocol range", object, [&] { return "switch off " + std::string(protocol_name(p)); });
    }
    return options;
}

// A pinned method set after creation, under enforce: the flexible one instead.
const SSL_METHOD* unpinned(const Engine& e, const Settings* s, const SSL_METHOD* m, const char* object) {
    if (!s || !s->names_a_bound()) return m;
    MethodFacts facts = method_facts(*e.ssl, m);
    if (!facts.pinned) return m;
    kept_built(e, "protocol range", object, [&] { return std::string(protocol_name(*facts.pinned)) + " only"; });
    return facts.flexible;
}

}  // namespace tlso
