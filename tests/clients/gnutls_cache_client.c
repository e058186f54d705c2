/* A GnuTLS client that sets its priorities the way ldapsearch (OpenLDAP) does: one
 * cache from gnutls_priority_init, set on the session with gnutls_priority_set,
 * then the server name. Exercises the route where a host rule must rebuild a
 * session's priorities from the cache's own string.
 *   gnutls_cache_client [--priority STRING] [--sni NAME] --ca FILE PORT
 * Prints "handshake ok TLS1.2" or "handshake failed: REASON"; exits 0 or 1. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

int main(int argc, char** argv) {
    const char *priority = "NORMAL", *sni = NULL, *ca = NULL;
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--priority") && i + 1 < argc) priority = argv[++i];
        else if (!strcmp(argv[i], "--sni") && i + 1 < argc) sni = argv[++i];
        else if (!strcmp(argv[i], "--ca") && i + 1 < argc) ca = argv[++i];
        else port = atoi(argv[i]);
    }
    if (!ca || port <= 0) {
        fprintf(stderr, "usage: gnutls_cache_client [--priority STRING] [--sni NAME] --ca FILE PORT\n");
        return 2;
    }
    gnutls_priority_t cache;
    const char* where = NULL;
    int ret = gnutls_priority_init(&cache, priority, &where);
    if (ret < 0) {
        printf("priority_init failed: %s (at '%s')\n", gnutls_strerror(ret), where ? where : "?");
        return 1;
    }
    gnutls_certificate_credentials_t creds;
    gnutls_certificate_allocate_credentials(&creds);
    gnutls_certificate_set_x509_trust_file(creds, ca, GNUTLS_X509_FMT_PEM);
    gnutls_session_t session;
    gnutls_init(&session, GNUTLS_CLIENT);
    gnutls_priority_set(session, cache);
    if (sni) gnutls_server_name_set(session, GNUTLS_NAME_DNS, sni, strlen(sni));
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, creds);
    gnutls_session_set_verify_cert(session, sni ? sni : "localhost", 0);

    int fd = connect_loopback(port);
    if (fd < 0) {
        perror("connect");
        return 1;
    }
    gnutls_transport_set_int(session, fd);
    do ret = gnutls_handshake(session);
    while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret < 0) printf("handshake failed: %s\n", gnutls_strerror(ret));
    else printf("handshake ok %s\n", gnutls_protocol_get_name(gnutls_protocol_get_version(session)));
    if (ret == 0) gnutls_bye(session, GNUTLS_SHUT_RDWR);
    close(fd);
    gnutls_deinit(session);
    gnutls_priority_deinit(cache);
    gnutls_certificate_free_credentials(creds);
    return ret == 0 ? 0 : 1;
}
