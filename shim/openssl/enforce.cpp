// Enforce mode, applied: what a program's later change to a setting the policy
// owns becomes (core: enforce_bound, protected_versions). Each change kept is
// logged at debug.
#include "openssl/engine.hpp"

namespace tlso {
namespace {

long enforce_version(const Engine& e, const Settings& s, Bound which, long requested, const char* object) {
    std::optional<Protocol> asked = protocol_of(static_cast<int>(requested));
    if (requested != 0 && !asked) return requested;  // DTLS or unknown: not ours
    std::optional<Protocol> result = enforce_bound(s, which, asked);
    long value = result ? openssl_version_of(*result) : 0;
    if (value != requested)
        kept(e, which == Bound::Min ? "min protocol" : "max protocol", object,
             asked ? std::string(protocol_name(*asked)) : "no bound");
    return value;
}

}  // namespace

const Settings* enforced(const Engine& e, const SSL_CTX* ctx) {
    if (e.core.mode != Mode::Enforce) return nullptr;
    const ContextState* st = e.state_of(ctx);
    return st ? st->settings : nullptr;
}

const Settings* enforced(const Engine& e, const SSL* s) {
    return e.core.mode == Mode::Enforce ? e.settings_of(s) : nullptr;
}

void kept(const Engine& e, const char* what, const char* object, const std::string& detail) {
    if (!e.core.log.enabled(LogLevel::Debug)) return;  // no string is built for a line that is off
    e.core.log.write(LogLevel::Debug, std::string("enforce: kept the policy's ") + what + " on a " + object +
                                          " (the program tried to change it" +
                                          (detail.empty() ? "" : " to " + detail) + ")");
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
            kept(e, "groups", object, cmd == SSL_CTRL_SET_GROUPS_LIST && parg ? static_cast<const char*>(parg) : "");
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
    for (Protocol p : protected_versions(s)) {
        if (!(options & no_version_option(p))) continue;
        options &= ~no_version_option(p);
        kept(e, "protocol range", object, "switch off " + std::string(protocol_name(p)));
    }
    return options;
}

// A pinned method set after creation, under enforce: the flexible one instead.
const SSL_METHOD* unpinned(const Engine& e, const Settings* s, const SSL_METHOD* m, const char* object) {
    if (!s || !s->names_a_bound()) return m;
    MethodFacts facts = method_facts(*e.ssl, m);
    if (!facts.pinned) return m;
    kept(e, "protocol range", object, std::string(protocol_name(*facts.pinned)) + " only");
    return facts.flexible;
}

}  // namespace tlso
