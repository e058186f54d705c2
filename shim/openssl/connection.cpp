// A connection whose host (SNI) or role is now known gets the one rule that
// decides it (core: connection_rule), applied as the settings that rule changes
// on top of what its context was given (core: connection_changes).
#include "openssl/engine.hpp"

namespace tlso {

void decide_connection(Engine& e, SSL* s, std::optional<Role> role, DecisionPoint when) {
    const OpenSsl& ssl = *e.ssl;
    const ContextState* st = e.state_of(ssl.SSL_get_SSL_CTX(s));
    if (!st || !st->per_connection) return;
    ConnectionState* c = e.connection_state(s);
    if (!c) return;
    const char* host = ssl.SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    Target target = e.core.target(role ? role : st->role, host ? std::optional<std::string_view>(host) : std::nullopt);
    // Decided at SNI with its host known: the handshake's start has nothing to add
    // (one rule lookup per connection, not two).
    if (when == DecisionPoint::HandshakeStart && c->decided && c->host_known) return;
    std::optional<std::size_t> rule = connection_rule(e.core.loaded.rule_index, target);
    c->host_known = host != nullptr;
    if (c->decided && c->rule == rule) return;
    const Settings& applied = c->decided ? *c->settings : *st->settings;
    c->decided = true;
    c->rule = rule;
    c->settings = &e.core.layer(rule);
    Settings changes = connection_changes(applied, *c->settings, st->program_set | c->program_set, e.core.mode);
    if (changes.empty()) return;

    Ours mark(e);
    MethodFacts facts = method_facts(ssl, ssl.SSL_get_ssl_method(s));
    if (facts.pinned && changes.names_a_bound()) ssl.real.SSL_set_ssl_method(s, facts.flexible);
    if (st->held_pinned && changes.names_a_bound()) {
        // The rule's range replaces the pinned version held at creation.
        ssl.real.SSL_ctrl(s, SSL_CTRL_SET_MIN_PROTO_VERSION, 0, nullptr);
        ssl.real.SSL_ctrl(s, SSL_CTRL_SET_MAX_PROTO_VERSION, 0, nullptr);
    }
    if (std::optional<Diagnostic> rejected = apply_to_connection(ssl, s, changes))
        e.core.log.write(LogLevel::Error, rejected->text());
    if (changes.ciphers || changes.ciphersuites) c->cipher_list = ssl.SSL_get_ciphers(s);
    if (e.core.log.enabled(LogLevel::Info)) {
        long min = ssl.real.SSL_ctrl(s, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
        long max = ssl.real.SSL_ctrl(s, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
        e.core.log.write(LogLevel::Info, role_text(target.role) + " connection to " + (host ? host : "?") + ": " +
                                             describe(*c->settings, min, max, std::nullopt) + ", from " +
                                             e.core.rule_name(rule));
    }
    warn_if_weak(e.core, *c->settings,
                 [&] { return std::string("connections to ") + (host ? host : "?") + ", from " + e.core.rule_name(rule); });
}

}  // namespace tlso
