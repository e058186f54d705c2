/* twobio: a program with its own BIO (as curl has) and two connections open at once,
 * to two servers. Each connection's BIO calls send()/recv() on its socket, so OpenSSL
 * knows no descriptor (SSL_get_fd is -1) and the record's peer must be found another
 * way (core/peer.hpp).
 *
 *   twobio PORT1 PORT2 [--same]
 *
 * Opens both TCP connections, then handshakes on the first, sends an HTTP request and
 * reads the answer (so the two sockets have written different byte counts), then
 * handshakes on the second. With --same, no request: when the second handshake ends
 * both sockets have written the same bytes. Prints "1 connected VERSION" and
 * "2 connected VERSION", or "N handshake failed".
 */
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

static int own_write(BIO *b, const char *data, int len) {
    BIO_clear_retry_flags(b);
    ssize_t n = send(*(int *)BIO_get_data(b), data, (size_t)len, MSG_NOSIGNAL);
    return n < 0 ? -1 : (int)n;
}
static int own_read(BIO *b, char *data, int len) {
    BIO_clear_retry_flags(b);
    ssize_t n = recv(*(int *)BIO_get_data(b), data, (size_t)len, 0);
    return n < 0 ? -1 : (int)n;
}
static long own_ctrl(BIO *b, int cmd, long larg, void *parg) {
    (void)b, (void)larg, (void)parg;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int tcp_connect(int port) {
    int fd = connect_loopback(port);
    if (fd < 0) {
        perror("connect");
        exit(3);
    }
    return fd;
}

static SSL *connection(SSL_CTX *ctx, BIO_METHOD *method, int *fd) {
    SSL *s = SSL_new(ctx);
    BIO *b = BIO_new(method);
    BIO_set_data(b, fd);
    BIO_set_init(b, 1);
    SSL_set_bio(s, b, b);
    return s;
}

static int handshake(SSL *s, int n) {
    if (SSL_connect(s) != 1) {
        printf("%d handshake failed\n", n);
        ERR_print_errors_fp(stdout);
        return 0;
    }
    printf("%d connected %s\n", n, SSL_get_version(s));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: twobio PORT1 PORT2 [--same]\n");
        return 2;
    }
    int same = argc > 3 && strcmp(argv[3], "--same") == 0;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        printf("context creation failed\n");
        return 2;
    }
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "twobio socket");
    BIO_meth_set_write(method, own_write);
    BIO_meth_set_read(method, own_read);
    BIO_meth_set_ctrl(method, own_ctrl);
    int fd1 = tcp_connect(atoi(argv[1])), fd2 = tcp_connect(atoi(argv[2]));
    SSL *s1 = connection(ctx, method, &fd1), *s2 = connection(ctx, method, &fd2);
    int ok = handshake(s1, 1);
    if (ok && !same) {
        const char request[] = "GET / HTTP/1.0\r\n\r\n";
        char answer[4096];
        SSL_write(s1, request, (int)strlen(request));
        while (SSL_read(s1, answer, sizeof answer) > 0) {
        }
    }
    ok = handshake(s2, 2) && ok;
    SSL_free(s1);
    SSL_free(s2);
    close(fd1);
    close(fd2);
    return ok ? 0 : 1;
}
