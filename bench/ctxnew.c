/* ctxnew: the SSL_CTX_new driver of bench/run (figures 4 and 5).
 *
 *   ctxnew [--set-policy CIPHERS] N [REPS]
 *
 * Makes one context first (timed on its own: in a preloaded process that call
 * loads the engine and the configuration), then N more, each
 * SSL_CTX_new(TLS_client_method()) followed by SSL_CTX_free. With REPS the N
 * calls are repeated REPS times and the median loop is reported.
 * --set-policy makes the program itself do what an enforce policy would: min
 * TLSv1.2 and CIPHERS on every context (the "doing it yourself" reference).
 *
 * Prints one line: first_ns=F per_call_ns=P calls=N
 * Exits 2 when a context cannot be made (a bad configuration fails closed).
 */
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *policy_ciphers;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static SSL_CTX *make(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        char buf[256];
        ERR_error_string_n(ERR_peek_error(), buf, sizeof buf);
        fprintf(stderr, "ctxnew: SSL_CTX_new failed: %s\n", buf);
        exit(2);
    }
    if (policy_ciphers) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        if (!SSL_CTX_set_cipher_list(ctx, policy_ciphers)) {
            fprintf(stderr, "ctxnew: cipher list rejected: %s\n", policy_ciphers);
            exit(2);
        }
    }
    return ctx;
}

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int arg = 1;
    if (arg + 1 < argc && !strcmp(argv[arg], "--set-policy")) {
        policy_ciphers = argv[arg + 1];
        arg += 2;
    }
    if (arg >= argc) {
        fprintf(stderr, "usage: ctxnew [--set-policy CIPHERS] N [REPS]\n");
        return 2;
    }
    int n = atoi(argv[arg]);
    int reps = arg + 1 < argc ? atoi(argv[arg + 1]) : 1;
    if (n < 0 || reps < 1 || reps > 1000) return 2;

    long long start = now_ns();
    SSL_CTX_free(make());
    long long first = now_ns() - start;

    long long loops[1000];
    for (int r = 0; r < reps; r++) {
        start = now_ns();
        for (int i = 0; i < n; i++) SSL_CTX_free(make());
        loops[r] = now_ns() - start;
    }
    qsort(loops, (size_t)reps, sizeof loops[0], by_value);
    long long per_call = n ? loops[reps / 2] / n : 0;
    printf("first_ns=%lld per_call_ns=%lld calls=%d\n", first, per_call, n);
    return 0;
}
