/* fdreuse: a program that gives descriptor numbers to files of its own, the way real
 * ones do, to check that tlsoverride never writes into them.
 *
 *   fdreuse stderr-taken DATA   starts with standard error closed (it closes it first),
 *                               opens DATA (O_RDWR, it gets number 2), then calls
 *                               SSL_CTX_new once. Prints "context created" or
 *                               "context creation failed"; exits 0 or 2.
 *   fdreuse stderr-tcp PORT     the same, but its first descriptor is a TCP connection to
 *                               127.0.0.1:PORT (number 2), which must not get our lines.
 *   fdreuse daemon DATA         calls SSL_CTX_new, then closes every descriptor and opens
 *                               DATA (O_RDWR) on each of the numbers 0 to 63, as a daemon
 *                               that reopens its database, then calls SSL_CTX_new again.
 *                               Prints nothing (its standard output is DATA now); exits
 *                               0 when both contexts were created, 2 otherwise.
 *
 * Whatever tlsoverride logs (a bad configuration, or "client context" lines at info)
 * must not appear in DATA.
 */
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

static int stderr_taken(const char *data) {
    close(2);
    int fd = open(data, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd != 2) {
        printf("fdreuse: %s got descriptor %d, not 2\n", data, fd);
        return 2;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    printf("%s\n", ctx ? "context created" : "context creation failed");
    return ctx ? 0 : 2;
}

static int stderr_tcp(const char *port) {
    close(2);
    int fd = connect_loopback(atoi(port));  /* the lowest free descriptor: 2 */
    if (fd != 2) {
        printf("fdreuse: the connection got descriptor %d, or failed\n", fd);
        return 2;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    printf("%s\n", ctx ? "context created" : "context creation failed");
    close(fd);
    return ctx ? 0 : 2;
}

static int daemon_like(const char *data) {
    SSL_CTX *first = SSL_CTX_new(TLS_client_method());
    for (int fd = 0; fd < 1024; fd++) close(fd);
    int db = open(data, O_RDWR | O_CREAT | O_APPEND, 0600);
    if (db < 0) return 2;
    for (int fd = 0; fd < 64; fd++)
        if (fd != db) dup2(db, fd);
    SSL_CTX *second = SSL_CTX_new(TLS_client_method());
    return first && second ? 0 : 2;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "stderr-taken")) return stderr_taken(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "stderr-tcp")) return stderr_tcp(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "daemon")) return daemon_like(argv[2]);
    fprintf(stderr, "usage: fdreuse stderr-taken DATA | stderr-tcp PORT | daemon DATA\n");
    return 2;
}
