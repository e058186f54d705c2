/* secureclient: a program in secure-execution mode (setuid, setgid or file
 * capabilities) that uses tlsoverride all the same, to see what the library reads
 * there. ld.so ignores LD_PRELOAD in such a process (the reason tlsoverride cannot
 * reach setuid programs through it), so this one dlopens the library itself, with
 * RTLD_GLOBAL, and creates its context through the library's SSL_CTX_new: from then
 * on the library behaves as if preloaded.
 *
 *   secureclient LIBRARY PORT
 *
 * The context is made from TLSv1_client_method(), pinned. Prints
 * "secure execution: yes|no" (AT_SECURE), then "connected VERSION CIPHER",
 * "handshake failed: REASON" or "context creation failed: REASON"; exits 0, 1 or 2.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

static const char *first_error(void) {
    static char buf[256];
    unsigned long e = ERR_peek_error();
    if (e == 0) return "no OpenSSL error";
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: secureclient LIBRARY PORT\n");
        return 2;
    }
    printf("secure execution: %s\n", getauxval(AT_SECURE) ? "yes" : "no");
    fflush(stdout);
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        printf("cannot load %s: %s\n", argv[1], dlerror());
        return 2;
    }
    SSL_CTX *(*ctx_new)(const SSL_METHOD *) = (SSL_CTX * (*)(const SSL_METHOD *)) dlsym(lib, "SSL_CTX_new");
    if (!ctx_new) {
        printf("no SSL_CTX_new in %s\n", argv[1]);
        return 2;
    }
    SSL_CTX *ctx = ctx_new(TLSv1_client_method());
    if (!ctx) {
        printf("context creation failed: %s\n", first_error());
        return 2;
    }
    int fd = connect_loopback(atoi(argv[2]));
    if (fd < 0) {
        perror("secureclient: connect");
        return 2;
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
        printf("handshake failed: %s\n", first_error());
        return 1;
    }
    printf("connected %s %s\n", SSL_get_version(ssl), SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
    SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    return 0;
}
