// The OpenSSL functions tlsoverride interposes, and the ones it calls, per ABI.
//
// One table type, `Interposed`, lists every function the preload library exports.
// Stage 1 fills one instance with the real functions found in libssl; the engine
// (stage 2) provides another with its policy-applying versions, which call through
// to the real ones. Hooks are typed from OpenSSL's own prototypes (decltype), so
// the compiler checks every call-through.
//
// One build serves OpenSSL 3.x and 1.1.1: the names the engine needs exist in
// both (measured on Debian 11's 1.1.1w, openssl-notes.md), except the ones listed
// as optional here. Where a type differs (SSL_CTX_set_options takes uint64_t in
// 3.x and unsigned long in 1.1.1), the call is compatible on both ABIs: on LP64
// the two are the same type; on i386 the extra upper half of a uint64_t argument
// is ignored by a 1.1.1 callee, and a 1.1.1 result's upper half is masked off
// with `options_mask`.
#pragma once

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <stdint.h>

#include "openssl/interposed.hpp"

// Of the interposed functions only SSL_CTX_new_ex is version-dependent (3.x only): a
// 1.1.1 process never calls it, so stage 1 accepts its absence there (resolve.cpp).

// libssl functions the engine calls and never interposes (both ABIs).
#define TLSO_LIBSSL_USED(X)                                                                 \
    X(SSL_CTX_free) X(SSL_CONF_CTX_new) X(SSL_CONF_CTX_free) X(SSL_CONF_CTX_set_flags)      \
    X(SSL_CONF_CTX_set_ssl_ctx) X(SSL_CONF_CTX_set_ssl) X(SSL_CONF_cmd) X(SSL_CONF_CTX_finish) \
    X(TLS_method) X(TLS_client_method) X(TLS_server_method)                                 \
    X(DTLS_method) X(DTLS_client_method) X(DTLS_server_method)                              \
    X(SSL_CTX_get_ssl_method) X(SSL_get_ssl_method) X(SSL_get_SSL_CTX) X(SSL_is_server)     \
    X(SSL_CTX_get_options) X(SSL_get_options)                                               \
    X(SSL_CTX_get_security_level) X(SSL_get_security_level)                                 \
    X(SSL_CTX_set_ex_data) X(SSL_CTX_get_ex_data) X(SSL_set_ex_data) X(SSL_get_ex_data)     \
    X(SSL_CTX_get_ciphers) X(SSL_get_ciphers) X(SSL_get_servername) X(SSL_get_version)      \
    X(SSL_get_current_cipher) X(SSL_CIPHER_get_name) X(SSL_session_reused) X(SSL_get_fd)    \
    X(SSL_want) X(SSL_alert_desc_string_long) X(SSL_get_verify_result)                      \
    X(SSL_CIPHER_get_auth_nid) X(SSL_CIPHER_get_cipher_nid)                                 \
    X(SSL_get_wbio)

#define TLSO_LIBCRYPTO_USED(X)                                                              \
    X(OpenSSL_version_num) X(CRYPTO_get_ex_new_index) X(OPENSSL_sk_num) X(OPENSSL_sk_value)  \
    X(ERR_add_error_data)                                                                   \
    X(ERR_get_next_error_library) X(ERR_load_strings) X(ERR_peek_last_error)                \
    X(ERR_reason_error_string) X(ERR_set_mark) X(ERR_pop_to_mark) X(ERR_clear_last_mark)    \
    X(X509_verify_cert_error_string)                                                        \
    X(BIO_number_written)

// Absent from some builds or versions: version-pinned methods (deprecated, and
// missing from an OpenSSL built without them), SSL_group_to_name and the 3.x
// error functions (1.1.1 has ERR_put_error instead, which 3.x has only as a macro).
#define TLSO_OPTIONAL(X)                                                                    \
    X(TLSv1_method) X(TLSv1_client_method) X(TLSv1_server_method)                           \
    X(TLSv1_1_method) X(TLSv1_1_client_method) X(TLSv1_1_server_method)                     \
    X(TLSv1_2_method) X(TLSv1_2_client_method) X(TLSv1_2_server_method)                     \
    X(SSL_group_to_name) X(ERR_new) X(ERR_set_debug) X(ERR_set_error)

#define TLSO_DECLARE_POINTER(name) decltype(&::name) name = nullptr;

struct Interposed {
    TLSO_INTERPOSED(TLSO_DECLARE_POINTER)
};

// Which OpenSSL the process runs, from OpenSSL_version_num().
enum class OpenSslAbi { Unknown, V1_1_1, V3 };

struct OpenSsl {
    Interposed real;
    TLSO_LIBSSL_USED(TLSO_DECLARE_POINTER)
    TLSO_LIBCRYPTO_USED(TLSO_DECLARE_POINTER)
    TLSO_OPTIONAL(TLSO_DECLARE_POINTER)
    void (*put_error_1_1_1)(int lib, int func, int reason, const char* file, int line) = nullptr;  // 1.1.1
    // 1.1.1's negotiated group, read from the peer's temporary key (3.x names it with
    // SSL_group_to_name): looked for in a 1.1.1 process only.
    struct PeerKey {
        int (*key_type)(const EVP_PKEY*) = nullptr;  // EVP_PKEY_id (a macro in 3.x)
        decltype(&::EVP_PKEY_free) EVP_PKEY_free = nullptr;
        decltype(&::EVP_PKEY_get0_EC_KEY) EVP_PKEY_get0_EC_KEY = nullptr;
        decltype(&::EC_KEY_get0_group) EC_KEY_get0_group = nullptr;
        decltype(&::EC_GROUP_get_curve_name) EC_GROUP_get_curve_name = nullptr;
        bool complete() const {
            return key_type && EVP_PKEY_free && EVP_PKEY_get0_EC_KEY && EC_KEY_get0_group && EC_GROUP_get_curve_name;
        }
    } peer_key_1_1_1;
    OpenSslAbi abi = OpenSslAbi::Unknown;
    uint64_t options_mask = ~uint64_t{0};  // 0xffffffff for 1.1.1 on a 32-bit ABI
};

// The ABI a version number names: 1.1.1 and 3.x are governed; 1.1.0, 1.0.x and
// LibreSSL (which calls itself 2.0.0) are not.
inline OpenSslAbi abi_of_version(unsigned long v) {
    if (v >= 0x30000000UL && v < 0x40000000UL) return OpenSslAbi::V3;
    if (v >= 0x10101000UL && v < 0x10200000UL) return OpenSslAbi::V1_1_1;
    return OpenSslAbi::Unknown;
}
