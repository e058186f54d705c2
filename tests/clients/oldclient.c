/* oldclient: plays an old binary whose TLS choices are baked into its code.
 *
 * Every flag stands for a line an old program hard-codes: a pinned method, an
 * SSL_OP_NO_TLSv1_2, a narrow cipher list. It links libssl directly, so under
 * LD_PRELOAD its calls go through tlsoverride like any unmodified program's.
 *
 *   oldclient [flags] PORT
 *     --method flex|tls1|tls1_1|tls1_2|dtls   SSL_CTX_new(TLS_client_method()), a pinned method, DTLS
 *     --set-method tls1|...              SSL_CTX_set_ssl_version() after creation
 *     --no-tls1_2, --no-tls1_3           SSL_CTX_set_options(SSL_OP_NO_TLSv1_2 / _3)
 *     --min V, --max V                   SSL_CTX_set_min/max_proto_version (V: tls1 tls1_1 tls1_2 tls1_3)
 *     --ssl-max V                        SSL_set_max_proto_version on the connection
 *     --ciphers L, --ciphersuites L      SSL_CTX_set_cipher_list / SSL_CTX_set_ciphersuites
 *     --groups L                         SSL_CTX_set1_groups_list
 *     --seclevel N                       SSL_CTX_set_security_level
 *     --sni NAME                         SSL_set_tlsext_host_name
 *     --verify CAFILE                    verify the peer against CAFILE
 *     --info-callback                    install an info callback and check the getter returns it
 *     --count N                          N handshakes in a row on one context
 *     --reuse                            ... on one connection object (SSL_clear between them)
 *     --conf CMD=VALUE                   SSL_CONF_cmd on the context (openssl.cnf names, e.g. MaxProtocol=TLSv1.1)
 *     --clear-options HEX                SSL_CTX_clear_options
 *     --min-raw HEX                      SSL_CTX_set_min_proto_version with a raw number (0x300: SSL 3)
 *     --dup                              SSL_dup each connection object (and free the copy)
 *     --show                             after each handshake: "security level N options 0xHEX"
 *     --host ADDR                        default 127.0.0.1
 * Prints "connected VERSION CIPHER" per handshake, or "handshake failed: REASON";
 * exits 0 when every handshake succeeded, 1 when one failed, 2 when set-up failed.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
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

static int info_calls;
static void on_info(const SSL *ssl, int where, int ret) { (void)ssl; (void)where; (void)ret; info_calls++; }

static int version_of(const char *name) {
    if (!strcmp(name, "tls1")) return TLS1_VERSION;
    if (!strcmp(name, "tls1_1")) return TLS1_1_VERSION;
    if (!strcmp(name, "tls1_2")) return TLS1_2_VERSION;
    if (!strcmp(name, "tls1_3")) return TLS1_3_VERSION;
    fprintf(stderr, "oldclient: unknown version %s\n", name);
    exit(2);
}

static const SSL_METHOD *method_of(const char *name) {
    if (!strcmp(name, "flex")) return TLS_client_method();
    if (!strcmp(name, "dtls")) return DTLS_client_method();
    if (!strcmp(name, "tls1")) return TLSv1_client_method();
    if (!strcmp(name, "tls1_1")) return TLSv1_1_client_method();
    if (!strcmp(name, "tls1_2")) return TLSv1_2_client_method();
    fprintf(stderr, "oldclient: unknown method %s\n", name);
    exit(2);
}

static const char *first_error(void) {
    static char buf[256];
    unsigned long e = ERR_peek_error();
    if (e == 0) return "no OpenSSL error";
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

static int connect_to(const char *host, int port) {
    int fd = connect_tcp(host, port);
    if (fd < 0) {
        perror("oldclient: connect");
        exit(2);
    }
    return fd;
}

int main(int argc, char **argv) {
    const char *method = "flex", *set_method = NULL, *min = NULL, *max = NULL, *ssl_max = NULL;
    const char *ciphers = NULL, *suites = NULL, *groups = NULL, *sni = NULL, *cafile = NULL;
    const char *host = "127.0.0.1";
    const char *conf = NULL, *clear = NULL, *min_raw = NULL;
    int no12 = 0, no13 = 0, seclevel = -1, want_info = 0, count = 1, port = 0, reuse = 0, dup = 0, show = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(flag, var) if (!strcmp(a, flag) && v) { var = v; i++; continue; }
        TAKE("--method", method) TAKE("--set-method", set_method) TAKE("--min", min) TAKE("--max", max)
        TAKE("--ssl-max", ssl_max) TAKE("--ciphers", ciphers) TAKE("--ciphersuites", suites)
        TAKE("--groups", groups) TAKE("--sni", sni) TAKE("--verify", cafile) TAKE("--host", host)
        TAKE("--conf", conf) TAKE("--clear-options", clear) TAKE("--min-raw", min_raw)
        if (!strcmp(a, "--reuse")) { reuse = 1; continue; }
        if (!strcmp(a, "--dup")) { dup = 1; continue; }
        if (!strcmp(a, "--show")) { show = 1; continue; }
        if (!strcmp(a, "--seclevel") && v) { seclevel = atoi(v); i++; continue; }
        if (!strcmp(a, "--count") && v) { count = atoi(v); i++; continue; }
        if (!strcmp(a, "--no-tls1_2")) { no12 = 1; continue; }
        if (!strcmp(a, "--no-tls1_3")) { no13 = 1; continue; }
        if (!strcmp(a, "--info-callback")) { want_info = 1; continue; }
        if (a[0] != '-') { port = atoi(a); continue; }
        fprintf(stderr, "oldclient: unknown flag %s\n", a);
        return 2;
    }
    if (port == 0) { fprintf(stderr, "oldclient: no port\n"); return 2; }

    SSL_CTX *ctx = SSL_CTX_new(method_of(method));
    if (!ctx) { printf("context creation failed: %s\n", first_error()); return 2; }
    if (set_method) SSL_CTX_set_ssl_version(ctx, method_of(set_method));
    if (no12) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2);
    if (no13) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_3);
    if (min) SSL_CTX_set_min_proto_version(ctx, version_of(min));
    if (max) SSL_CTX_set_max_proto_version(ctx, version_of(max));
    if (ciphers && !SSL_CTX_set_cipher_list(ctx, ciphers)) { printf("cipher list rejected: %s\n", first_error()); return 2; }
    if (suites && !SSL_CTX_set_ciphersuites(ctx, suites)) { printf("ciphersuites rejected: %s\n", first_error()); return 2; }
    if (groups && !SSL_CTX_set1_groups_list(ctx, groups)) { printf("groups rejected: %s\n", first_error()); return 2; }
    if (seclevel >= 0) SSL_CTX_set_security_level(ctx, seclevel);
    if (min_raw) SSL_CTX_set_min_proto_version(ctx, (int)strtol(min_raw, NULL, 16));
    if (clear) SSL_CTX_clear_options(ctx, strtoul(clear, NULL, 16));
    if (conf) {
        /* As nginx, lighttpd and s-nail do: SSL_CONF writes inside libssl, past the setters. */
        char name[128];
        const char *eq = strchr(conf, '=');
        if (!eq || (size_t)(eq - conf) >= sizeof name) { printf("--conf wants CMD=VALUE\n"); return 2; }
        memcpy(name, conf, (size_t)(eq - conf));
        name[eq - conf] = '\0';
        SSL_CONF_CTX *cctx = SSL_CONF_CTX_new();
        SSL_CONF_CTX_set_flags(cctx, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
        SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
        if (SSL_CONF_cmd(cctx, name, eq + 1) <= 0) { printf("SSL_CONF_cmd %s rejected: %s\n", conf, first_error()); return 2; }
        SSL_CONF_CTX_finish(cctx);
        SSL_CONF_CTX_free(cctx);
    }
    if (cafile) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (!SSL_CTX_load_verify_locations(ctx, cafile, NULL)) { printf("cannot load %s\n", cafile); return 2; }
    }
    if (want_info) {
        SSL_CTX_set_info_callback(ctx, on_info);
        printf("info callback getter returns ours: %s\n", SSL_CTX_get_info_callback(ctx) == on_info ? "yes" : "no");
    }

    int failures = 0;
    SSL *kept = NULL;
    for (int n = 0; n < count; n++) {
        SSL *ssl = kept ? kept : SSL_new(ctx);
        if (kept) SSL_clear(ssl);
        if (ssl_max) SSL_set_max_proto_version(ssl, version_of(ssl_max));
        if (sni) SSL_set_tlsext_host_name(ssl, sni);
        if (cafile && sni) SSL_set1_host(ssl, sni);
        if (dup) {  /* before the handshake SSL_dup makes a real copy, ex_data and all */
            SSL *copy = SSL_dup(ssl);
            SSL_free(copy);
        }
        int fd = connect_to(host, port);
        SSL_set_fd(ssl, fd);
        ERR_clear_error();
        if (SSL_connect(ssl) == 1) {
            if (count == 1) printf("connected %s %s\n", SSL_get_version(ssl), SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
            if (show) printf("security level %d options 0x%llx context options 0x%llx\n", SSL_get_security_level(ssl),
                             (unsigned long long)SSL_get_options(ssl), (unsigned long long)SSL_CTX_get_options(ctx));
            SSL_shutdown(ssl);
        } else {
            printf("handshake failed: %s\n", first_error());
            long vr = SSL_get_verify_result(ssl);
            if (vr != X509_V_OK) printf("verify result: %s\n", X509_verify_cert_error_string(vr));
            failures++;
        }
        if (reuse) kept = ssl;
        else SSL_free(ssl);
        close(fd);
    }
    if (kept) SSL_free(kept);
    if (count > 1) printf("%d handshakes, %d failed\n", count, failures);
    if (want_info) printf("info callback calls: %d\n", info_calls);
    SSL_CTX_free(ctx);
    return failures ? 1 : 0;
}
