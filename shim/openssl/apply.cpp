#include "openssl/apply.hpp"

#include "core/policy.hpp"

#include <set>
#include <type_traits>

namespace tlso {
namespace {

// A SSL_CONF_CTX bound to one context or connection; freed on every path.
class ConfCommands {
public:
    ConfCommands(const OpenSsl& ssl, SSL_CTX* ctx, SSL* s) : ssl_(ssl), cctx_(ssl.SSL_CONF_CTX_new()) {
        if (!cctx_) return;
        // FILE: the openssl.cnf names (MinProtocol, CipherString...); both roles, so
        // a client-only or server-only command is never silently skipped.
        ssl.SSL_CONF_CTX_set_flags(cctx_, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER);
        if (ctx) ssl.SSL_CONF_CTX_set_ssl_ctx(cctx_, ctx);
        if (s) ssl.SSL_CONF_CTX_set_ssl(cctx_, s);
    }
    ~ConfCommands() {
        if (!cctx_) return;
        ssl_.SSL_CONF_CTX_finish(cctx_);
        ssl_.SSL_CONF_CTX_free(cctx_);
    }
    ConfCommands(const ConfCommands&) = delete;
    ConfCommands& operator=(const ConfCommands&) = delete;

    bool ready() const { return cctx_ != nullptr; }
    bool run(std::string_view command, const std::string& value) {
        return ssl_.SSL_CONF_cmd(cctx_, std::string(command).c_str(), value.c_str()) > 0;
    }

private:
    const OpenSsl& ssl_;
    SSL_CONF_CTX* cctx_;
};

// Anonymous (aNULL) and null-encryption (eNULL) suites in a cipher list as set.
int unauthenticated_in(const OpenSsl& ssl, const STACK_OF(SSL_CIPHER)* ciphers) {
    const auto* list = reinterpret_cast<const OPENSSL_STACK*>(ciphers);
    int n = list ? ssl.OPENSSL_sk_num(list) : 0, unauthenticated = 0;
    for (int i = 0; i < n; i++) {
        const auto* c = static_cast<const SSL_CIPHER*>(ssl.OPENSSL_sk_value(list, i));
        unauthenticated += ssl.SSL_CIPHER_get_auth_nid(c) == NID_auth_null || ssl.SSL_CIPHER_get_cipher_nid(c) == NID_undef;
    }
    return unauthenticated;
}

std::string fix_for(std::string_view key) {
    if (key == "ciphers") return " (list what OpenSSL accepts with: openssl ciphers -v 'LIST')";
    if (key == "ciphersuites") return " (TLS 1.3 suites are named like TLS_AES_256_GCM_SHA384; see openssl ciphers -s -tls1_3)";
    if (key == "groups") return " (use names like X25519, P-256, P-384, ffdhe2048)";
    if (key == "signature_algorithms") return " (use names like RSA+SHA256, ECDSA+SHA256, rsa_pss_rsae_sha256)";
    if (key == "options") return " (use OpenSSL's Options names, e.g. UnsafeLegacyServerConnect, -SessionTicket)";
    return "";
}

Diagnostic rejection(const OpenSsl& ssl, std::string_view key, const std::string& value, const Origin& origin) {
    unsigned long e = ssl.ERR_peek_last_error();
    const char* reason = e ? ssl.ERR_reason_error_string(e) : nullptr;
    return {origin.location, std::string(key) + " '" + value + "' rejected by OpenSSL" +
                                 (reason ? std::string(": ") + reason : std::string()) + fix_for(key)};
}

// OpenSSL 1.1.1's SSL_CONF has no name for SSL_OP_LEGACY_SERVER_CONNECT (3.0 added
// "UnsafeLegacyServerConnect" when it stopped setting the flag by default; 1.1.1
// sets it by default): on 1.1.1 the name becomes the flag itself, so one policy
// works on both. Returns the options SSL_CONF is to apply.
template <class SetOption>
std::vector<std::string> options_for_abi(const OpenSsl& ssl, const std::vector<std::string>& options,
                                         SetOption set_option) {
    if (ssl.abi != OpenSslAbi::V1_1_1) return options;
    std::vector<std::string> rest;
    for (const std::string& o : options) {
        std::string_view name = o;
        bool off = !name.empty() && name.front() == '-';
        if (off) name.remove_prefix(1);
        if (name == "UnsafeLegacyServerConnect") set_option(SSL_OP_LEGACY_SERVER_CONNECT, !off);
        else rest.push_back(o);
    }
    return rest;
}

// Runs every named setting through SSL_CONF (and the security level through its
// setter, which SSL_CONF lacks). Stops at the first rejection unless `all`.
// `seen` (when given) skips values already checked.
template <class SetLevel>
Diagnostics apply(const OpenSsl& ssl, SSL_CTX* ctx, SSL* s, const Settings& settings, SetLevel set_level, bool all,
                  std::set<std::string>* seen = nullptr) {
    ConfCommands conf(ssl, ctx, s);
    if (!conf.ready()) return {{"", "out of memory creating an SSL_CONF context"}};
    Diagnostics failed;
    for_each_setting(settings, [&](const SettingName& name, const auto& field) {
        if ((!all && !failed.empty()) || !field || name.conf_command.empty()) return;
        std::string value = value_text(field->value);
        if constexpr (std::is_same_v<std::decay_t<decltype(field->value)>, std::vector<std::string>>) {
            std::vector<std::string> options = options_for_abi(ssl, field->value, [&](uint64_t flag, bool on) {
                if (ctx) on ? ssl.real.SSL_CTX_set_options(ctx, flag) : ssl.real.SSL_CTX_clear_options(ctx, flag);
                if (s) on ? ssl.real.SSL_set_options(s, flag) : ssl.real.SSL_clear_options(s, flag);
            });
            if (options.empty()) return;
            value = value_text(options);
        }
        if (seen && !seen->insert(std::string(name.conf_command) + "=" + value).second) return;
        if (!conf.run(name.conf_command, value)) {
            failed.push_back(rejection(ssl, name.key, value_text(field->value), field->origin));
            return;
        }
        // A policy never enables anonymous or null-encryption suites, whatever its list
        // says ("ALL:COMPLEMENTOFALL" would let a verifying client accept a server with
        // no certificate): a list that brought some in is set again with them struck
        // off the end, where nothing re-adds them. (Checking the list as set costs a
        // few hundred instructions; parsing the two exclusions every time, 24,000.)
        if (name.key == "ciphers" &&
            unauthenticated_in(ssl, ctx ? ssl.SSL_CTX_get_ciphers(ctx) : ssl.SSL_get_ciphers(s)))
            conf.run(name.conf_command, value + ":!aNULL:!eNULL");
    });
    if (failed.empty() && settings.security_level) set_level(settings.security_level->value);
    return failed;
}

std::optional<Diagnostic> first(Diagnostics d) {
    if (d.empty()) return std::nullopt;
    return d.front();
}

}  // namespace

std::optional<Protocol> protocol_of(int v) {
    switch (v) {
        case TLS1_VERSION: return Protocol::TLSv1;
        case TLS1_1_VERSION: return Protocol::TLSv1_1;
        case TLS1_2_VERSION: return Protocol::TLSv1_2;
        case TLS1_3_VERSION: return Protocol::TLSv1_3;
        default: return std::nullopt;
    }
}

int openssl_version_of(Protocol p) {
    constexpr int versions[] = {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
    return versions[static_cast<int>(p)];
}

uint64_t protected_version_options(const Settings& s) {
    uint64_t options = 0;
    for (Protocol p : protected_versions(s)) options |= no_version_option(p);
    return options;
}

uint64_t no_version_option(Protocol p) {
    constexpr uint64_t options[] = {SSL_OP_NO_TLSv1, SSL_OP_NO_TLSv1_1, SSL_OP_NO_TLSv1_2, SSL_OP_NO_TLSv1_3};
    return options[static_cast<int>(p)];
}

MethodFacts method_facts(const OpenSsl& ssl, const SSL_METHOD* m) {
    struct Known {
        decltype(&::TLS_method) get;
        std::optional<Role> role;
        std::optional<Protocol> pinned;
        decltype(&::TLS_method) flexible;
    };
    const Known known[] = {
        {ssl.TLS_method, {}, {}, ssl.TLS_method},
        {ssl.TLS_client_method, Role::Client, {}, ssl.TLS_client_method},
        {ssl.TLS_server_method, Role::Server, {}, ssl.TLS_server_method},
        {ssl.TLSv1_method, {}, Protocol::TLSv1, ssl.TLS_method},
        {ssl.TLSv1_client_method, Role::Client, Protocol::TLSv1, ssl.TLS_client_method},
        {ssl.TLSv1_server_method, Role::Server, Protocol::TLSv1, ssl.TLS_server_method},
        {ssl.TLSv1_1_method, {}, Protocol::TLSv1_1, ssl.TLS_method},
        {ssl.TLSv1_1_client_method, Role::Client, Protocol::TLSv1_1, ssl.TLS_client_method},
        {ssl.TLSv1_1_server_method, Role::Server, Protocol::TLSv1_1, ssl.TLS_server_method},
        {ssl.TLSv1_2_method, {}, Protocol::TLSv1_2, ssl.TLS_method},
        {ssl.TLSv1_2_client_method, Role::Client, Protocol::TLSv1_2, ssl.TLS_client_method},
        {ssl.TLSv1_2_server_method, Role::Server, Protocol::TLSv1_2, ssl.TLS_server_method},
    };
    for (const Known& k : known)
        if (k.get && k.get() == m) return {true, k.role, k.pinned, k.flexible()};
    // DTLS and anything unknown: left alone.
    return {false, {}, {}, m};
}

std::optional<Diagnostic> apply_to_context(const OpenSsl& ssl, SSL_CTX* ctx, const Settings& s) {
    return first(apply(ssl, ctx, nullptr, s, [&](int level) { ssl.real.SSL_CTX_set_security_level(ctx, level); }, false));
}

std::optional<Diagnostic> apply_to_connection(const OpenSsl& ssl, SSL* conn, const Settings& s) {
    return first(apply(ssl, nullptr, conn, s, [&](int level) { ssl.real.SSL_set_security_level(conn, level); }, false));
}

Diagnostics validate_with_openssl(const OpenSsl& ssl, const std::vector<const Settings*>& layers) {
    SSL_CTX* scratch = ssl.real.SSL_CTX_new(ssl.TLS_method());
    if (!scratch) return {{"", "OpenSSL could not create a context to check the values with"}};
    ssl.ERR_set_mark();
    Diagnostics errors;
    std::set<std::string> seen;
    for (const Settings* layer : layers) {
        Diagnostics found = apply(ssl, scratch, nullptr, *layer, [](int) {}, true, &seen);
        errors.insert(errors.end(), found.begin(), found.end());
    }
    ssl.ERR_pop_to_mark();  // the rejections are reported as diagnostics, not left queued
    ssl.SSL_CTX_free(scratch);
    return errors;
}

Diagnostics unauthenticated_suites(const OpenSsl& ssl, const std::vector<const Settings*>& layers) {
    Diagnostics notes;
    SSL_CTX* scratch = ssl.real.SSL_CTX_new(ssl.TLS_method());
    if (!scratch) return notes;
    ssl.ERR_set_mark();
    std::set<std::string> seen;
    for (const Settings* layer : layers) {
        if (!layer->ciphers || !seen.insert(layer->ciphers->value).second) continue;
        // As written, at level 0 (a list's own @SECLEVEL still applies): what it asks for.
        ssl.real.SSL_CTX_set_security_level(scratch, 0);
        if (!ssl.real.SSL_CTX_set_cipher_list(scratch, layer->ciphers->value.c_str())) continue;
        if (int unauthenticated = unauthenticated_in(ssl, ssl.SSL_CTX_get_ciphers(scratch)))
            notes.push_back({layer->ciphers->origin.location,
                             "ciphers '" + layer->ciphers->value + "' would enable " + std::to_string(unauthenticated) +
                                 " anonymous or null-encryption suites; tlsoverride never enables them (it applies the "
                                 "list with :!aNULL:!eNULL)"});
    }
    ssl.ERR_pop_to_mark();
    ssl.SSL_CTX_free(scratch);
    return notes;
}

}  // namespace tlso
