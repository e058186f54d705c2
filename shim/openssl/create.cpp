// A new context gets the core's decision for it (decide_context): a rule's layer,
// or what every connection shares when each is decided later; a pinned method is
// replaced when a configured range has to apply.
#include "openssl/engine.hpp"

namespace tlso {
namespace {

std::string range_text(long min, long max) {
    std::optional<Protocol> low = protocol_of(static_cast<int>(min)), high = protocol_of(static_cast<int>(max));
    return std::string(protocol_name(low.value_or(Protocol::TLSv1))) + "-" +
           std::string(protocol_name(high.value_or(Protocol::TLSv1_3)));
}

}  // namespace

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

void note_left_alone(Engine& e) {
    if (e.said_dtls.exchange(true) || !e.core.log.enabled(LogLevel::Warn)) return;
    e.core.log.write(LogLevel::Warn, "DTLS contexts are left as the program made them: the policy speaks TLS versions, "
                                     "and this process's DTLS is not governed");
}

ContextDecision decision_for(Engine& e, const MethodFacts& facts) {
    return decide_context(e.core.rules(), e.core.loaded.layers, e.core.target(facts.role, std::nullopt),
                          facts.pinned.has_value());
}

Created finish_context(Engine& e, SSL_CTX* ctx, const MethodFacts& facts, const ContextDecision& d,
                       const char* function) {
    const OpenSsl& ssl = *e.ssl;
    const Settings& settings = e.core.layer(d.rule);
    if (d.hold_pinned) {
        // Until a connection's rule sets a range, the program's pinned version stands.
        long pinned = openssl_version_of(*facts.pinned);
        ssl.real.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, pinned, nullptr);
        ssl.real.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, pinned, nullptr);
    }
    uint64_t options_before = ssl.SSL_CTX_get_options(ctx) & ssl.options_mask;
    if (std::optional<Diagnostic> rejected = apply_to_context(ssl, ctx, settings)) {
        if (!e.logged_rejection.exchange(true)) e.core.log.write(LogLevel::Error, rejected->text());
        // OpenSSL may have applied part of a rejected value (a cipher string with no
        // TLS 1.2 match still replaces the list), so the context is not handed out.
        ssl.SSL_CTX_free(ctx);
        if (e.core.on_error == OnError::Fail) return {fail_closed(e, function, rejected->text()), false};
        return {nullptr, true};  // on_error = "ignore": exactly what the program asked for
    }
    auto* state = new ContextState{&settings, d.rule, facts.role};
    state->per_connection = d.per_connection;
    state->held_pinned = d.hold_pinned;
    uint64_t options_after = ssl.SSL_CTX_get_options(ctx) & ssl.options_mask;
    state->options_on = options_after & ~options_before;
    state->options_off = options_before & ~options_after;
    state->cipher_list = ssl.SSL_CTX_get_ciphers(ctx);
    if (!ssl.SSL_CTX_set_ex_data(ctx, e.context_slot, state)) {
        delete state;
        return {ctx, false};
    }
    // Our info callback decides connections, writes records, and is enforce's backstop.
    if (e.core.records || d.per_connection || (e.core.mode == Mode::Enforce && !settings.empty())) {
        ssl.real.SSL_CTX_set_info_callback(ctx, e.info_callback);
        state->observed = true;
    }
    if (e.core.log.enabled(LogLevel::Info) && !settings.empty()) {
        long min = ssl.real.SSL_CTX_ctrl(ctx, SSL_CTRL_GET_MIN_PROTO_VERSION, 0, nullptr);
        long max = ssl.real.SSL_CTX_ctrl(ctx, SSL_CTRL_GET_MAX_PROTO_VERSION, 0, nullptr);
        e.core.log.write(LogLevel::Info, role_text(facts.role) + " context: " +
                                             describe(settings, min, max, d.replace_pinned ? facts.pinned : std::nullopt) +
                                             ", from " + e.core.rule_name(d.rule) +
                                             (d.per_connection ? " (each connection's rule is decided at its start)" : ""));
    }
    warn_if_weak(e.core, settings, [&] { return role_text(facts.role) + " contexts, from " + e.core.rule_name(d.rule); });
    return {ctx, false};
}

}  // namespace tlso
