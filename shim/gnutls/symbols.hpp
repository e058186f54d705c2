// The GnuTLS functions tlsoverride interposes, and the ones it calls.
//
// As for OpenSSL (openssl/symbols.hpp): one table type, `GnutlsInterposed`, lists
// every exported wrapper; stage 1 fills one with the real functions, the engine
// hands back another with its own. Typed from GnuTLS's prototypes (decltype).
// One ABI: libgnutls.so.30 (3.4 and later); the engine governs 3.6 and later
// (TLS 1.3 and the VERS-/GROUP- tokens the translation writes).
#pragma once

#include <gnutls/gnutls.h>

#include "gnutls/interposed.hpp"

// Interposed functions only newer versions have (3.6.3: init2 and the appending
// default): a process without them never calls them.
#define TLSO_GNUTLS_INTERPOSED_OPTIONAL(X) X(gnutls_priority_init2) X(gnutls_set_default_priority_append)

// Functions the engine calls and never interposes.
#define TLSO_GNUTLS_USED(X)                                                                 \
    X(gnutls_check_version) X(gnutls_strerror) X(gnutls_error_is_fatal)                     \
    X(gnutls_protocol_get_version) X(gnutls_protocol_get_name)                              \
    X(gnutls_cipher_get) X(gnutls_cipher_get_name) X(gnutls_mac_get) X(gnutls_mac_get_name) \
    X(gnutls_kx_get) X(gnutls_kx_get_name) X(gnutls_alert_get) X(gnutls_alert_get_name)     \
    X(gnutls_session_is_resumed) X(gnutls_transport_get_int) X(gnutls_transport_get_ptr)    \
    X(gnutls_server_name_get)                                                               \
    X(gnutls_group_get) X(gnutls_group_get_name) X(gnutls_priority_protocol_list)

#define TLSO_GNUTLS_POINTER(name) decltype(&::name) name = nullptr;

struct GnutlsInterposed {
    TLSO_GNUTLS_INTERPOSED(TLSO_GNUTLS_POINTER)
};

struct Gnutls {
    GnutlsInterposed real;
    TLSO_GNUTLS_USED(TLSO_GNUTLS_POINTER)
};

// "3.7.9" -> governed: 3.6 and later within major version 3.
inline bool gnutls_version_governed(const char* version) {
    if (!version || version[0] != '3' || version[1] != '.') return false;
    int minor = 0;
    for (const char* p = version + 2; *p >= '0' && *p <= '9'; p++) minor = minor * 10 + (*p - '0');
    return minor >= 6;
}
