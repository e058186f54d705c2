/* racer: many threads race a program's first OpenSSL call, then a fork() while
 * they are still busy, to show that tlsoverride decides the same way for every
 * context and every connection however the calls interleave.
 *
 *   racer [--threads N] [--count N] [--no-fork | --park-for-fork] PORT
 *
 * The main thread touches no OpenSSL function before the threads do: the first
 * interposed call (which loads the engine and reads the configuration) is the
 * race. Thread i
 *   - creates its own context, SSL_CTX_new(TLSv1_client_method()) for even i
 *     (pinned), SSL_CTX_new(TLS_client_method()) for odd i;
 *   - for i % 4 >= 2 sets a maximum of TLSv1.1 on it, below any TLSv1.2 floor;
 *   - makes COUNT handshakes, each a new connection with the server name
 *     tI.legacy.test (i % 3 == 0) or tI.modern.test.
 * Once every thread has its context and some handshakes are done, the main
 * thread forks while they go on. With --park-for-fork the threads stop halfway,
 * between two handshakes, until the fork is done: for runtimes that are not safe
 * to fork while another thread is inside malloc (GCC 12's ASan).
 * The child (threads gone, locks as the fork left them) creates a
 * pinned TLSv1 context with a TLSv1.1 maximum and makes one handshake as
 * child.legacy.test and one as child.modern.test, under a 30 s alarm.
 * Every connection is its own; set SNI, SSL_connect, SSL_shutdown, close.
 *
 * Prints one line per handshake, "handshake WHO SNI VERSION CIPHER" or
 * "handshake WHO SNI failed: REASON", then "threads running at fork: N",
 * "child: exit STATUS" and "total: N handshakes, N failed".
 * Exits 0 when every handshake succeeded and the child exited 0.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

#define MAX_THREADS 64
#define MAX_COUNT 100

static int port, threads = 16, count = 10, park;
static pthread_barrier_t start;
static atomic_int with_context, handshakes_done, running, parked;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static int forked;

struct result {
    char sni[64];
    char outcome[160];
};
static struct result results[MAX_THREADS][MAX_COUNT];

static int connect_to_server(void) {
    return connect_loopback(port);
}

static void reason(char *out, size_t size, const char *what) {
    char buf[120];
    unsigned long e = ERR_peek_error();
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    snprintf(out, size, "failed: %s%s%s", what, e ? " " : "", e ? buf : "");
}

/* One connection on ctx as sni; the outcome as "VERSION CIPHER" or "failed: ...". */
static void handshake(SSL_CTX *ctx, const char *sni, char *out, size_t size) {
    ERR_clear_error();
    SSL *ssl = SSL_new(ctx);
    if (!ssl) return reason(out, size, "SSL_new");
    SSL_set_tlsext_host_name(ssl, sni);
    int fd = connect_to_server();
    if (fd < 0) {
        SSL_free(ssl);
        snprintf(out, size, "failed: connect");
        return;
    }
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
        snprintf(out, size, "%s %s", SSL_get_version(ssl), SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
        SSL_shutdown(ssl);
    } else {
        reason(out, size, "SSL_connect");
    }
    SSL_free(ssl);
    close(fd);
}

static SSL_CTX *make_context(int pinned, int low_max) {
    SSL_CTX *ctx = SSL_CTX_new(pinned ? TLSv1_client_method() : TLS_client_method());
    if (ctx && low_max) SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
    return ctx;
}

static void *racer(void *arg) {
    int i = (int)(long)arg;
    pthread_barrier_wait(&start);
    SSL_CTX *ctx = make_context(i % 2 == 0, i % 4 >= 2);
    atomic_fetch_add(&with_context, 1);
    for (int n = 0; n < count; n++) {
        if (park && n == count / 2) {
            pthread_mutex_lock(&gate_lock);
            atomic_fetch_add(&parked, 1);
            while (!forked) pthread_cond_wait(&gate, &gate_lock);
            pthread_mutex_unlock(&gate_lock);
        }
        struct result *r = &results[i][n];
        snprintf(r->sni, sizeof r->sni, "t%d.%s.test", i, i % 3 == 0 ? "legacy" : "modern");
        if (ctx) handshake(ctx, r->sni, r->outcome, sizeof r->outcome);
        else reason(r->outcome, sizeof r->outcome, "SSL_CTX_new");
        atomic_fetch_add(&handshakes_done, 1);
    }
    SSL_CTX_free(ctx);
    atomic_fetch_sub(&running, 1);
    return NULL;
}

/* The child after fork(): its lines go straight to the pipe (dprintf), never
 * through the stdio buffers it shares with the parent, and it leaves by _exit. */
static void child(void) {
    alarm(30);
    /* The threads' connections were copied into this process: close them, or the
     * server (which serves one connection at a time) would wait for their EOF. */
    for (int fd = 3; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) close(fd);
    }
    SSL_CTX *ctx = make_context(1, 1);
    int failed = 0;
    const char *names[] = {"child.legacy.test", "child.modern.test"};
    for (int n = 0; n < 2; n++) {
        char out[160];
        if (ctx) handshake(ctx, names[n], out, sizeof out);
        else reason(out, sizeof out, "SSL_CTX_new");
        failed |= strncmp(out, "failed", 6) == 0;
        dprintf(STDOUT_FILENO, "handshake child %s %s\n", names[n], out);
    }
    SSL_CTX_free(ctx);
    _exit(failed);
}

int main(int argc, char **argv) {
    int do_fork = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc) count = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-fork")) do_fork = 0;
        else if (!strcmp(argv[i], "--park-for-fork")) park = 1;
        else if (argv[i][0] != '-') port = atoi(argv[i]);
        else { fprintf(stderr, "racer: unknown flag %s\n", argv[i]); return 2; }
    }
    if (!do_fork) park = 0;
    if (!port || threads < 1 || threads > MAX_THREADS || count < 1 || count > MAX_COUNT) {
        fprintf(stderr, "usage: racer [--threads 1-%d] [--count 1-%d] [--no-fork | --park-for-fork] PORT\n",
                MAX_THREADS, MAX_COUNT);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    pthread_t tid[MAX_THREADS];
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    atomic_store(&running, threads);
    for (int i = 0; i < threads; i++) pthread_create(&tid[i], NULL, racer, (void *)(long)i);
    pthread_barrier_wait(&start);

    int status = 0, at_fork = -1;
    pid_t pid = -1;
    if (do_fork) {
        /* Fork once every thread has its context and some connections are done,
         * while the threads are still making more. */
        struct timespec pause = {0, 200000};
        if (park)
            while (atomic_load(&parked) < threads) nanosleep(&pause, NULL);
        else
            while (atomic_load(&with_context) < threads || atomic_load(&handshakes_done) < threads)
                if (atomic_load(&running) == 0) break; else nanosleep(&pause, NULL);
        at_fork = atomic_load(&running);
        fflush(stdout);
        pid = fork();
        if (pid == 0) child();
        pthread_mutex_lock(&gate_lock);
        forked = 1;
        pthread_cond_broadcast(&gate);
        pthread_mutex_unlock(&gate_lock);
    }
    for (int i = 0; i < threads; i++) pthread_join(tid[i], NULL);
    if (pid > 0 && waitpid(pid, &status, 0) != pid) status = -1;

    int total = 0, failed = 0;
    for (int i = 0; i < threads; i++)
        for (int n = 0; n < count; n++) {
            const struct result *r = &results[i][n];
            printf("handshake t%d %s %s\n", i, r->sni, r->outcome);
            total++;
            failed += strncmp(r->outcome, "failed", 6) == 0;
        }
    if (do_fork) {
        printf("threads running at fork: %d%s\n", at_fork, park ? " (parked)" : "");
        if (pid < 0) printf("child: fork failed\n");
        else if (WIFEXITED(status)) printf("child: exit %d\n", WEXITSTATUS(status));
        else if (WIFSIGNALED(status)) printf("child: killed by signal %d\n", WTERMSIG(status));
        else printf("child: status %d\n", status);
    }
    printf("total: %d handshakes, %d failed\n", total, failed);
    int child_ok = !do_fork || (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return failed == 0 && child_ok ? 0 : 1;
}
