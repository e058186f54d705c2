/* gnutls_openssl_client: a program on a TLS library with OpenSSL's names that is not
 * OpenSSL (GnuTLS's OpenSSL compatibility layer, libgnutls-openssl.so.27). tlsoverride
 * cannot govern it and must leave it exactly as it is: its SSL_CTX_new and SSL_connect
 * reach the preload's wrappers, which must pass them through.
 *   gnutls_openssl_client PORT      prints "connected" or "handshake failed"
 */
#include <gnutls/openssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: gnutls_openssl_client PORT\n"); return 2; }
    SSL_library_init();
    SSL_CTX *ctx = SSL_CTX_new(SSLv23_client_method());
    if (!ctx) { printf("context creation failed\n"); return 2; }
    int fd = connect_loopback(atoi(argv[1]));
    if (fd < 0) { perror("connect"); return 2; }
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) printf("connected\n");
    else printf("handshake failed\n");
    return 0;
}
