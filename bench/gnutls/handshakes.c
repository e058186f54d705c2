/* gnutls-handshakes: the GnuTLS client of bench/run (figure 9).
 *
 *   gnutls-handshakes [--self PRIORITY] N PORT
 *
 * N full TLS handshakes to 127.0.0.1:PORT, each a new session and socket
 * (gnutls_handshake, gnutls_bye, gnutls_deinit, close), one credentials object for
 * all. With --self the program sets PRIORITY itself (gnutls_priority_set_direct: the
 * "no library" side, making the policy's choice on its own); without it, it takes
 * GnuTLS's defaults (gnutls_set_default_priority), as wget and apt do, and leaves the
 * choice to a preloaded policy. The peer's certificate is not verified: the bench
 * measures the handshake, not the trust decision.
 *
 * Prints "N handshakes, F failed" and the version of the last handshake.
 * bench/run builds it (cc ... -lgnutls) only when the library governs GnuTLS, so
 * `make bench` does not need the GnuTLS headers otherwise.
 */
#include <gnutls/gnutls.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *priority = NULL;
    int arg = 1;
    if (arg + 1 < argc && !strcmp(argv[arg], "--self")) {
        priority = argv[arg + 1];
        arg += 2;
    }
    if (argc - arg != 2) {
        fprintf(stderr, "usage: gnutls-handshakes [--self PRIORITY] N PORT\n");
        return 2;
    }
    int n = atoi(argv[arg]), port = atoi(argv[arg + 1]);
    if (gnutls_global_init() < 0) return 2;
    gnutls_certificate_credentials_t creds;
    if (gnutls_certificate_allocate_credentials(&creds) < 0) return 2;

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);

    int failed = 0;
    const char *version = "-";
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("gnutls-handshakes: connect"); return 2; }
        gnutls_session_t session;
        gnutls_init(&session, GNUTLS_CLIENT);
        const char *where = NULL;
        int rc = priority ? gnutls_priority_set_direct(session, priority, &where) : gnutls_set_default_priority(session);
        if (rc < 0) {
            fprintf(stderr, "gnutls-handshakes: priority rejected at '%s': %s\n", where ? where : "?", gnutls_strerror(rc));
            return 2;
        }
        gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, creds);
        gnutls_transport_set_int(session, fd);
        do rc = gnutls_handshake(session);
        while (rc < 0 && !gnutls_error_is_fatal(rc));
        if (rc < 0) {
            fprintf(stderr, "gnutls-handshakes: handshake failed: %s\n", gnutls_strerror(rc));
            failed++;
        } else {
            version = gnutls_protocol_get_name(gnutls_protocol_get_version(session));
            gnutls_bye(session, GNUTLS_SHUT_WR);
        }
        gnutls_deinit(session);
        close(fd);
    }
    printf("%d handshakes, %d failed\nversion %s\n", n, failed, version ? version : "?");
    gnutls_certificate_free_credentials(creds);
    gnutls_global_deinit();
    return failed ? 1 : 0;
}
