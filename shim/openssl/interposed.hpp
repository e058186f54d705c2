// The one list of OpenSSL functions the preload library exports and interposes.
// The typed tables (symbols.hpp), the export map (preload/exports.map.in) and the
// test of the exported symbols are generated from it; preload/interpose.cpp has one
// wrapper line per entry. No includes: the export map is made from this file
// with the C preprocessor alone.
#pragma once

#define TLSO_INTERPOSED(X)                                                                  \
    X(SSL_CTX_new) X(SSL_CTX_new_ex) X(SSL_CTX_ctrl) X(SSL_ctrl)                            \
    X(SSL_CTX_set_cipher_list) X(SSL_set_cipher_list)                                       \
    X(SSL_CTX_set_ciphersuites) X(SSL_set_ciphersuites)                                     \
    X(SSL_CTX_set_security_level) X(SSL_set_security_level)                                 \
    X(SSL_CTX_set_options) X(SSL_set_options) X(SSL_CTX_clear_options) X(SSL_clear_options)   \
    X(SSL_CTX_set_ssl_version) X(SSL_set_ssl_method)                                        \
    X(SSL_CTX_set_info_callback) X(SSL_set_info_callback)                                   \
    X(SSL_CTX_get_info_callback) X(SSL_get_info_callback)
