/* forkstart: a fork() that lands in the middle of the process's first OpenSSL call.
 *
 * A thread makes the process's first SSL_CTX_new (which loads tlsoverride's engine and
 * reads its configuration) while the main thread forks after DELAY microseconds. The
 * child (its one thread, locks as the fork left them) then makes its own context and
 * connects with a pinned TLSv1 method. It must neither hang nor see a half-started
 * engine: under a TLSv1.2 policy it connects with TLSv1.2.
 *   forkstart DELAY_US PORT    prints "child: connected VERSION" or why not; exits 0 on success
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

static void *first_call(void *arg) {
    (void)arg;
    SSL_CTX_free(SSL_CTX_new(TLS_client_method()));
    return NULL;
}

static int child(int port) {
    alarm(10);  /* a child stuck on a lock its parent's thread held dies, and says so below */
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method());
    if (!ctx) { dprintf(1, "child: context creation failed\n"); return 1; }
    int fd = connect_loopback(port);
    if (fd < 0) { dprintf(1, "child: connect failed\n"); return 1; }
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) { dprintf(1, "child: handshake failed\n"); return 1; }
    dprintf(1, "child: connected %s\n", SSL_get_version(ssl));
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: forkstart DELAY_US PORT\n"); return 2; }
    long delay = atol(argv[1]);
    int port = atoi(argv[2]);
    pthread_t t;
    pthread_create(&t, NULL, first_call, NULL);
    struct timespec ts = {0, delay * 1000};
    nanosleep(&ts, NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(child(port));
    int status = 0;
    waitpid(pid, &status, 0);
    pthread_join(t, NULL);
    if (WIFSIGNALED(status)) { printf("child: killed by signal %d (it hung)\n", WTERMSIG(status)); return 1; }
    return WEXITSTATUS(status);
}
