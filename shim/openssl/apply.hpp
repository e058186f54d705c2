// The one place that changes OpenSSL objects. Values go through OpenSSL's own
// SSL_CONF vocabulary (MinProtocol, CipherString, ...), so OpenSSL checks them.
#pragma once

#include <optional>
#include <string>

#include "core/diagnostic.hpp"
#include "openssl/symbols.hpp"
#include "core/settings.hpp"

namespace tlso {

// What a method says about a context: its role, and the one version it is pinned to.
struct MethodFacts {
    bool governed = true;               // false for DTLS: the policy speaks TLS only
    std::optional<Role> role;           // empty: TLS_method, either role
    std::optional<Protocol> pinned;     // TLSv1_client_method() -> TLSv1
    const SSL_METHOD* flexible = nullptr;  // the version-flexible method of the same role
};
MethodFacts method_facts(const OpenSsl& ssl, const SSL_METHOD* method);

// Applies every setting `s` names. On the first value OpenSSL rejects, returns a
// located error ("FILE:LINE:COL: ciphers 'X' rejected by OpenSSL: no cipher match ...").
std::optional<Diagnostic> apply_to_context(const OpenSsl& ssl, SSL_CTX* ctx, const Settings& s);
std::optional<Diagnostic> apply_to_connection(const OpenSsl& ssl, SSL* s, const Settings& settings);

// Checks every value of every layer with OpenSSL on one scratch context (for
// `check`, and for a configuration loaded by the library). A value repeated across
// layers is checked once. Returns every rejection.
Diagnostics validate_with_openssl(const OpenSsl& ssl, const std::vector<const Settings*>& layers);

// Notes for `check`: each policy cipher list that, as written, would enable anonymous
// (aNULL) or null-encryption (eNULL) suites, which tlsoverride strikes off.
Diagnostics unauthenticated_suites(const OpenSsl& ssl, const std::vector<const Settings*>& layers);

// OpenSSL's version numbers <-> ours. 0 (no bound) and DTLS versions are nullopt.
std::optional<Protocol> protocol_of(int openssl_version);
int openssl_version_of(Protocol p);
uint64_t no_version_option(Protocol p);  // SSL_OP_NO_TLSv1_2 for TLSv1.2
// The SSL_OP_NO_TLSv1_x options that would switch off a version the policy keeps
// (core: protected_versions).
uint64_t protected_version_options(const Settings& s);

}  // namespace tlso
