/* oomsetters: out of memory inside every setter the policy enforces never terminates
 * the host, never changes errno, and never leaves the policy weakened.
 *
 *   LD_PRELOAD=failmalloc.so:libtlsoverride.so oomsetters PORT VERSION [NAME,...]
 *
 * For each call (or only NAME) and each step N of two sweeps, "the N-th allocation
 * inside the call fails" and "the N-th and every later one fail": a fresh context
 * (and connection) is made with allocation working, the call is made with errno at a
 * sentinel and failmalloc.so armed, and after disarming a handshake against the
 * s_server at PORT must land at VERSION, the policy's (or fail: not weakened either).
 * A sweep ends at the first step at which no allocation failed. One line per call:
 *   "NAME: S steps, F failed allocations, errno kept, H handshakes at VERSION, X failed"
 * or, for a step that broke a promise, "BAD NAME step N (mode): what". Exits 0 when
 * the whole table ran (a crash or std::terminate ends it earlier, which is the point).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

#define SENTINEL 4242
#define MAX_STEPS 20000

static void (*arm)(unsigned long, int);
static unsigned long (*disarm)(void);
static unsigned long (*failed_count)(void);
static int port;
static const char *expected;
static unsigned long handshakes_ok, handshakes_failed, bad;

static void info(const SSL *s, int where, int ret) { (void)s, (void)where, (void)ret; }

/* One call under test: gets the fresh context and connection and may replace them
 * (SSL_new, SSL_CTX_new); its return value is only printed when something is wrong. */
typedef long (*call_fn)(SSL_CTX **ctx, SSL **s);

static long ctx_min(SSL_CTX **c, SSL **s) { (void)s; return SSL_CTX_set_min_proto_version(*c, TLS1_VERSION); }
static long ctx_max(SSL_CTX **c, SSL **s) { (void)s; return SSL_CTX_set_max_proto_version(*c, TLS1_2_VERSION); }
static long ctx_ciphers(SSL_CTX **c, SSL **s) { (void)s; return SSL_CTX_set_cipher_list(*c, "AES128-SHA:@SECLEVEL=0"); }
static long ctx_suites(SSL_CTX **c, SSL **s) { (void)s; return SSL_CTX_set_ciphersuites(*c, "TLS_AES_128_GCM_SHA256"); }
static long ctx_options(SSL_CTX **c, SSL **s) { (void)s; return (long)SSL_CTX_set_options(*c, SSL_OP_NO_TLSv1_3); }
static long ctx_clear(SSL_CTX **c, SSL **s) { (void)s; return (long)SSL_CTX_clear_options(*c, ~(uint64_t)0); }
static long ctx_level(SSL_CTX **c, SSL **s) { (void)s; SSL_CTX_set_security_level(*c, 0); return 0; }
static long ctx_groups(SSL_CTX **c, SSL **s) { (void)s; return SSL_CTX_set1_groups_list(*c, "P-384"); }
static long ctx_version(SSL_CTX **c, SSL **s) { (void)s; return SSL_CTX_set_ssl_version(*c, TLS_client_method()); }
static long ctx_info(SSL_CTX **c, SSL **s) { (void)s; SSL_CTX_set_info_callback(*c, info); return 0; }
static long ctx_new(SSL_CTX **c, SSL **s) {
    SSL_CTX *made = SSL_CTX_new(TLS_client_method());
    if (!made) return 0;
    SSL_free(*s), *s = NULL;
    SSL_CTX_free(*c), *c = made;
    return 1;
}
static long ssl_new(SSL_CTX **c, SSL **s) {
    SSL *made = SSL_new(*c);
    if (!made) return 0;
    SSL_free(*s), *s = made;
    return 1;
}
static long ssl_min(SSL_CTX **c, SSL **s) { (void)c; return SSL_set_min_proto_version(*s, TLS1_VERSION); }
static long ssl_max(SSL_CTX **c, SSL **s) { (void)c; return SSL_set_max_proto_version(*s, TLS1_2_VERSION); }
static long ssl_ciphers(SSL_CTX **c, SSL **s) { (void)c; return SSL_set_cipher_list(*s, "AES128-SHA:@SECLEVEL=0"); }
static long ssl_suites(SSL_CTX **c, SSL **s) { (void)c; return SSL_set_ciphersuites(*s, "TLS_AES_128_GCM_SHA256"); }
static long ssl_options(SSL_CTX **c, SSL **s) { (void)c; return (long)SSL_set_options(*s, SSL_OP_NO_TLSv1_3); }
static long ssl_clear(SSL_CTX **c, SSL **s) { (void)c; return (long)SSL_clear_options(*s, ~(uint64_t)0); }
static long ssl_level(SSL_CTX **c, SSL **s) { (void)c; SSL_set_security_level(*s, 0); return 0; }
static long ssl_method(SSL_CTX **c, SSL **s) { (void)c; return SSL_set_ssl_method(*s, TLS_client_method()); }
static long ssl_info(SSL_CTX **c, SSL **s) { (void)c; SSL_set_info_callback(*s, info); return 0; }
static long ssl_sni(SSL_CTX **c, SSL **s) { (void)c; return SSL_set_tlsext_host_name(*s, "oom.test"); }
static long ssl_sni_ctrl(SSL_CTX **c, SSL **s) {
    (void)c;
    return SSL_ctrl(*s, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)"other.oom.test");
}
/* The program's own SSL_CONF commands (nginx's ssl_conf_command): past every setter,
 * so the backstop at the handshake's start is what holds the policy. */
static long conf_cmd(SSL_CTX **c, SSL **s) {
    (void)s;
    SSL_CONF_CTX *cc = SSL_CONF_CTX_new();
    if (!cc) return 0;
    SSL_CONF_CTX_set_flags(cc, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
    SSL_CONF_CTX_set_ssl_ctx(cc, *c);
    long r = SSL_CONF_cmd(cc, "MinProtocol", "TLSv1") + SSL_CONF_cmd(cc, "MaxProtocol", "TLSv1.2") +
             SSL_CONF_cmd(cc, "CipherString", "AES128-SHA:@SECLEVEL=0");
    SSL_CONF_CTX_finish(cc);
    SSL_CONF_CTX_free(cc);
    return r;
}

static int connect_to_server(void);
/* The handshake itself: the info callback (records, host rules, enforce's backstop)
 * runs inside it. It may fail; if it lands, it lands at the policy's version. */
static long ssl_connect(SSL_CTX **c, SSL **s) {
    (void)c;
    int fd = connect_to_server();
    SSL_set_fd(*s, fd);
    long r = SSL_connect(*s);
    if (r == 1 && strcmp(SSL_get_version(*s), expected) != 0) {
        printf("BAD SSL_connect: landed at %s under allocation failures\n", SSL_get_version(*s));
        bad++;
    }
    SSL_free(*s), *s = NULL;
    close(fd);
    return r;
}

static int connect_to_server(void) {
    int fd = connect_loopback(port);
    if (fd < 0) {
        perror("connect");
        exit(3);
    }
    return fd;
}

/* The handshake after disarming, on the call's connection (or a new one). Returns
 * the version it landed at, or NULL for a failed handshake. */
static const char *handshake(SSL_CTX *ctx, SSL *s, char *buf, size_t size) {
    if (!s) s = SSL_new(ctx);
    else SSL_up_ref(s);
    if (!s) return NULL;
    int fd = connect_to_server();
    SSL_set_fd(s, fd);
    const char *v = NULL;
    if (SSL_connect(s) == 1) {
        snprintf(buf, size, "%s", SSL_get_version(s));
        v = buf;
    }
    SSL_free(s);
    close(fd);
    ERR_clear_error();
    return v;
}

static void sweep(const char *name, call_fn call, int needs_ssl, int keeps_errno) {
    unsigned long steps = 0, failures = 0;
    for (int mode = 0; mode < 2; mode++) {
        for (unsigned long n = 1; n <= MAX_STEPS; n++) {
            SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
            SSL *s = needs_ssl ? SSL_new(ctx) : NULL;
            if (!ctx || (needs_ssl && !s)) {
                printf("BAD %s: no context without allocation failures\n", name);
                exit(2);
            }
            errno = SENTINEL;
            arm(n, mode);
            long r = call(&ctx, &s);
            int after = errno;
            unsigned long seen = disarm();
            unsigned long f = failed_count();
            ERR_clear_error();
            steps++, failures += f;
            const char *how = mode ? "and every later one" : "alone";
            if (keeps_errno && after != SENTINEL) {
                printf("BAD %s step %lu (%s): errno changed to %d (returned %ld)\n", name, n, how, after, r);
                bad++;
            }
            char buf[32];
            const char *v = handshake(ctx, s, buf, sizeof buf);
            if (!v) handshakes_failed++, printf("# %s step %lu (%s): the handshake after it failed\n", name, n, how);
            else if (strcmp(v, expected) == 0) handshakes_ok++;
            else {
                printf("BAD %s step %lu (%s): the handshake after it landed at %s, not %s\n", name, n, how, v, expected);
                bad++;
            }
            SSL_free(s);
            SSL_CTX_free(ctx);
            if (seen < n) break; /* no allocation failed at this step: every one was tried */
        }
    }
    printf("%s: %lu steps, %lu failed allocations\n", name, steps, failures);
    fflush(stdout);
}

/* Whether NAME is one of the comma-separated LIST. */
static int listed(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == 0)) return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: oomsetters PORT VERSION [NAME,...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* every line out before a crash */
    port = atoi(argv[1]);
    expected = argv[2];
    const char *only = argc > 3 ? argv[3] : NULL;
    arm = (void (*)(unsigned long, int))dlsym(RTLD_DEFAULT, "failmalloc_arm");
    disarm = (unsigned long (*)(void))dlsym(RTLD_DEFAULT, "failmalloc_disarm");
    failed_count = (unsigned long (*)(void))dlsym(RTLD_DEFAULT, "failmalloc_failed");
    if (!arm || !disarm || !failed_count) {
        fprintf(stderr, "oomsetters: failmalloc.so is not preloaded\n");
        return 2;
    }
    /* The first context starts the engine, with allocation working. */
    SSL_CTX *first = SSL_CTX_new(TLS_client_method());
    if (!first) {
        printf("context creation failed\n");
        return 2;
    }
    char buf[32];
    const char *v = handshake(first, NULL, buf, sizeof buf);
    printf("control: a handshake lands at %s\n", v ? v : "failure");
    SSL_CTX_free(first);

    static const struct {
        const char *name;
        call_fn call;
        int needs_ssl;
    } calls[] = {  /* every one keeps errno but SSL_connect, whose socket BIO sets it (also bare) */
        {"SSL_CTX_set_min_proto_version", ctx_min, 0}, {"SSL_CTX_set_max_proto_version", ctx_max, 0},
        {"SSL_CTX_set_cipher_list", ctx_ciphers, 0},   {"SSL_CTX_set_ciphersuites", ctx_suites, 0},
        {"SSL_CTX_set_options", ctx_options, 0},       {"SSL_CTX_clear_options", ctx_clear, 0},
        {"SSL_CTX_set_security_level", ctx_level, 0},  {"SSL_CTX_set1_groups_list", ctx_groups, 0},
        {"SSL_CTX_set_ssl_version", ctx_version, 0},   {"SSL_CTX_set_info_callback", ctx_info, 0},
        {"SSL_CTX_new", ctx_new, 0},                   {"SSL_new", ssl_new, 0},
        {"SSL_set_min_proto_version", ssl_min, 1},     {"SSL_set_max_proto_version", ssl_max, 1},
        {"SSL_set_cipher_list", ssl_ciphers, 1},       {"SSL_set_ciphersuites", ssl_suites, 1},
        {"SSL_set_options", ssl_options, 1},           {"SSL_clear_options", ssl_clear, 1},
        {"SSL_set_security_level", ssl_level, 1},      {"SSL_set_ssl_method", ssl_method, 1},
        {"SSL_set_info_callback", ssl_info, 1},        {"SSL_set_tlsext_host_name", ssl_sni, 1},
        {"SSL_ctrl (SNI)", ssl_sni_ctrl, 1},           {"SSL_CONF_cmd", conf_cmd, 0},
        {"SSL_connect", ssl_connect, 1},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (only ? listed(only, calls[i].name) : calls[i].call != ssl_connect) /* SSL_connect: only when named */ sweep(calls[i].name, calls[i].call, calls[i].needs_ssl, calls[i].call != ssl_connect);
    printf("handshakes after disarming: %lu at %s, %lu failed, %lu promises broken\n", handshakes_ok, expected,
           handshakes_failed, bad);
    printf("done\n");
    return 0;
}
