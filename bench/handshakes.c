/* handshakes: the memory driver of bench/run (figure 6).
 *
 *   handshakes [--self CIPHERS] [--mark K] [--sni NAME] N PORT
 *
 * N full TLS handshakes to 127.0.0.1:PORT on one SSL_CTX (new SSL and socket each
 * time, SSL_shutdown, SSL_free, close), like oldclient --count. With --self the
 * program sets min TLSv1.2 and CIPHERS itself (the "no library" side); without it,
 * it sets nothing and leaves the choice to a preloaded policy. --sni sets the
 * server name on every connection, so that host rules decide each one (figure 7).
 *
 * Prints one line:
 *   handshakes=N failed=F vmhwm_kb=P heap_mark=A heap_end=E per_handshake_ns=T
 * vmhwm_kb: peak RSS (VmHWM of /proc/self/status) at the end.
 * heap_mark, heap_end: malloc'd bytes in use (mallinfo2) after handshake K (default
 * 10) and after the last one, the context still alive. Anything kept per connection
 * (a leak) shows as heap_end - heap_mark growing with N; the peak RSS is too coarse
 * (pages, allocator noise) to show a small one.
 * per_handshake_ns: the wall time of handshakes 2 to N, per handshake (the first one
 * loads the engine and the configuration).
 */
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long vmhwm_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

static size_t heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

int main(int argc, char **argv) {
    const char *ciphers = NULL, *sni = NULL;
    int mark = 10, arg = 1;
    while (arg + 1 < argc && argv[arg][0] == '-') {
        if (!strcmp(argv[arg], "--self")) ciphers = argv[arg + 1];
        else if (!strcmp(argv[arg], "--mark")) mark = atoi(argv[arg + 1]);
        else if (!strcmp(argv[arg], "--sni")) sni = argv[arg + 1];
        else break;
        arg += 2;
    }
    if (argc - arg != 2) {
        fprintf(stderr, "usage: handshakes [--self CIPHERS] [--mark K] [--sni NAME] N PORT\n");
        return 2;
    }
    int n = atoi(argv[arg]), port = atoi(argv[arg + 1]);

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) { fprintf(stderr, "handshakes: SSL_CTX_new failed\n"); return 2; }
    if (ciphers) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        if (!SSL_CTX_set_cipher_list(ctx, ciphers)) { fprintf(stderr, "handshakes: cipher list rejected\n"); return 2; }
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);

    int failed = 0;
    size_t heap_mark = 0;
    long long after_first = 0;
    for (int i = 1; i <= n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("handshakes: connect"); return 2; }
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (sni) SSL_set_tlsext_host_name(ssl, sni);
        if (SSL_connect(ssl) == 1) SSL_shutdown(ssl);
        else failed++;
        SSL_free(ssl);
        close(fd);
        ERR_clear_error();
        if (i == mark) heap_mark = heap_in_use();
        if (i == 1) after_first = now_ns();
    }
    long long per_handshake = n > 1 ? (now_ns() - after_first) / (n - 1) : 0;
    size_t heap_end = heap_in_use();
    printf("handshakes=%d failed=%d vmhwm_kb=%ld heap_mark=%zu heap_end=%zu per_handshake_ns=%lld\n", n, failed,
           vmhwm_kb(), heap_mark, heap_end, per_handshake);
    SSL_CTX_free(ctx);
    return failed ? 1 : 0;
}
