// The OpenSSL functions tlsoverride interposes, and the ones it calls.
//
// One table type, `Interposed`, lists every function the preload library exports.
// Stage 1 fills one instance with the real functions found in libssl; the engine
// (stage 2) provides another with its policy-applying versions, which call through
// to the real ones. Hooks are typed from OpenSSL's own prototypes (decltype), so
// the compiler checks every call-through.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "openssl/interposed.hpp"

// libssl functions the engine calls and never interposes.
#define TLSO_LIBSSL_USED(X)                                                                 \
    X(SSL_CTX_free) X(SSL_CONF_CTX_new) X(SSL_CONF_CTX_free) X(SSL_CONF_CTX_set_flags)      \
    X(SSL_CONF_CTX_set_ssl_ctx) X(SSL_CONF_CTX_set_ssl) X(SSL_CONF_cmd) X(SSL_CONF_CTX_finish) \
    X(TLS_method) X(TLS_client_method) X(TLS_server_method)                                 \
    X(DTLS_method) X(DTLS_client_method) X(DTLS_server_method)                              \
    X(SSL_CTX_get_ssl_method) X(SSL_get_ssl_method) X(SSL_get_SSL_CTX) X(SSL_is_server)     \
    X(SSL_CTX_get_options) X(SSL_get_options) X(SSL_CTX_clear_options) X(SSL_clear_options) \
    X(SSL_CTX_get_security_level) X(SSL_get_security_level)                                 \
    X(SSL_CTX_set_ex_data) X(SSL_CTX_get_ex_data) X(SSL_set_ex_data) X(SSL_get_ex_data)     \
    X(SSL_CTX_get_ciphers) X(SSL_get_ciphers) X(SSL_get_servername) X(SSL_get_version)      \
    X(SSL_get_current_cipher) X(SSL_CIPHER_get_name) X(SSL_session_reused) X(SSL_get_fd)    \
    X(SSL_want) X(SSL_alert_desc_string_long) X(SSL_group_to_name) X(SSL_get_verify_result)

#define TLSO_LIBCRYPTO_USED(X)                                                              \
    X(CRYPTO_get_ex_new_index) X(OPENSSL_sk_num) X(ERR_new) X(ERR_set_debug) X(ERR_set_error) \
    X(ERR_get_next_error_library) X(ERR_load_strings) X(ERR_peek_last_error)                \
    X(ERR_reason_error_string) X(ERR_set_mark) X(ERR_pop_to_mark) X(ERR_clear_last_mark)    \
    X(X509_verify_cert_error_string)

// Version-pinned methods: deprecated, and absent from an OpenSSL built without them.
#define TLSO_OPTIONAL(X)                                                                    \
    X(TLSv1_method) X(TLSv1_client_method) X(TLSv1_server_method)                           \
    X(TLSv1_1_method) X(TLSv1_1_client_method) X(TLSv1_1_server_method)                     \
    X(TLSv1_2_method) X(TLSv1_2_client_method) X(TLSv1_2_server_method)

#define TLSO_DECLARE_POINTER(name) decltype(&::name) name = nullptr;

struct Interposed {
    TLSO_INTERPOSED(TLSO_DECLARE_POINTER)
};

struct OpenSsl {
    Interposed real;
    TLSO_LIBSSL_USED(TLSO_DECLARE_POINTER)
    TLSO_LIBCRYPTO_USED(TLSO_DECLARE_POINTER)
    TLSO_OPTIONAL(TLSO_DECLARE_POINTER)
};

// Stage 1: finds the real functions, once libssl is in the process. Returns null
// while it is not (a later call tries again: only a complete table is kept).
const OpenSsl* real_openssl() noexcept;
