/* errno_probe: is errno the same after each interposed OpenSSL call as before it?
 * A preload library runs inside calls the program makes; a program that checks errno
 * after, say, a failed connect() and then configures TLS must not see our errno.
 *
 *   errno_probe PORT [SNI]
 *
 * Sets errno to a sentinel before each call through every interposed function (and
 * SSL_connect, inside which tlsoverride's info callback runs) and prints one line per
 * call: "NAME kept" or "NAME changed N". Some real functions change errno themselves:
 * security.sh compares the lines with the library against a run without it.
 * Exits 0 once every call was made, 2 when a context could not be created.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

#define SENTINEL 4242

static void info(const SSL *s, int where, int ret) { (void)s, (void)where, (void)ret; }

/* PROBE(NAME, CALL): CALL with errno at the sentinel, then one line about errno. */
#define PROBE(name, call)                                                       \
    do {                                                                        \
        errno = SENTINEL;                                                       \
        call;                                                                   \
        int after = errno;                                                      \
        if (after == SENTINEL) printf("%s kept\n", name);                       \
        else printf("%s changed %d\n", name, after);                            \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: errno_probe PORT [SNI]\n");
        return 2;
    }
    const char *sni = argc > 2 ? argv[2] : "probe.test";
    SSL_CTX *ctx = NULL, *ex = NULL;
    PROBE("SSL_CTX_new (first OpenSSL call)", ctx = SSL_CTX_new(TLSv1_client_method()));
    PROBE("SSL_CTX_new_ex", ex = SSL_CTX_new_ex(NULL, NULL, TLS_client_method()));
    if (!ctx || !ex) {
        printf("context creation failed\n");
        return 2;
    }
    PROBE("SSL_CTX_set_min_proto_version", SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION));
    PROBE("SSL_CTX_set_max_proto_version", SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION));
    PROBE("SSL_CTX_set1_groups_list", SSL_CTX_set1_groups_list(ctx, "X25519:P-256"));
    PROBE("SSL_CTX_set1_sigalgs_list", SSL_CTX_set1_sigalgs_list(ctx, "RSA+SHA256:ECDSA+SHA256"));
    PROBE("SSL_CTX_set_cipher_list", SSL_CTX_set_cipher_list(ctx, "AES128-SHA"));
    PROBE("SSL_CTX_set_cipher_list (rejected)", SSL_CTX_set_cipher_list(ctx, "NO-SUCH-CIPHER"));
    PROBE("SSL_CTX_set_ciphersuites", SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256"));
    PROBE("SSL_CTX_set_security_level", SSL_CTX_set_security_level(ctx, 0));
    PROBE("SSL_CTX_set_options", SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2));
    PROBE("SSL_CTX_set_ssl_version", SSL_CTX_set_ssl_version(ctx, TLSv1_client_method()));
    PROBE("SSL_CTX_set_info_callback", SSL_CTX_set_info_callback(ex, info));
    PROBE("SSL_CTX_get_info_callback", SSL_CTX_get_info_callback(ex));
    PROBE("SSL_CTX_ctrl (get min)", SSL_CTX_get_min_proto_version(ctx));

    SSL *ssl = SSL_new(ex);
    PROBE("SSL_set_tlsext_host_name (host rules decide here)", SSL_set_tlsext_host_name(ssl, sni));
    PROBE("SSL_set_min_proto_version", SSL_set_min_proto_version(ssl, TLS1_2_VERSION));
    PROBE("SSL_set_max_proto_version", SSL_set_max_proto_version(ssl, 0));
    PROBE("SSL_set_cipher_list", SSL_set_cipher_list(ssl, "ECDHE+AESGCM"));
    PROBE("SSL_set_ciphersuites", SSL_set_ciphersuites(ssl, "TLS_AES_256_GCM_SHA384"));
    PROBE("SSL_set_security_level", SSL_set_security_level(ssl, 1));
    PROBE("SSL_set_options", SSL_set_options(ssl, SSL_OP_NO_TLSv1_1));
    PROBE("SSL_set_ssl_method", SSL_set_ssl_method(ssl, TLS_client_method()));
    PROBE("SSL_set_info_callback", SSL_set_info_callback(ssl, info));
    PROBE("SSL_get_info_callback", SSL_get_info_callback(ssl));

    int fd = connect_loopback(atoi(argv[1]));
    if (fd < 0) {
        perror("errno_probe: connect");
        return 2;
    }
    SSL_set_fd(ssl, fd);
    int connected = 0;
    PROBE("SSL_connect (the info callback runs inside)", connected = SSL_connect(ssl) == 1);
    printf("handshake: %s\n", connected ? SSL_get_version(ssl) : "failed");
    if (connected) SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ex);
    SSL_CTX_free(ctx);
    return 0;
}
