/* A GnuTLS client with its own push and pull functions and a transport pointer of its
 * own, as libcurl has (its connection filter): the pointer, read back as an int, is
 * the number of another connected socket. The record must not name that socket's
 * peer (core/peer.hpp, transport_descriptor).
 *   gnutls_ownptr [--int] [--priority STRING] --ca FILE DECOY_PORT [NAME:]PORT
 * Opens a connection to DECOY_PORT and holds it, then handshakes with 127.0.0.1:PORT
 * (server name NAME, as a program given NAME:PORT would) over its own functions (or,
 * with --int, over gnutls_transport_set_int). 64-bit only: a pointer there is wider
 * than the int GnuTLS reads it as.
 * Prints "handshake ok TLS1.x" or "handshake failed: REASON"; exits 0 or 1. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

static int tls_fd = -1;  /* the socket the handshake runs over */

static ssize_t push(gnutls_transport_ptr_t ignored, const void* data, size_t size) {
    (void)ignored;
    return send(tls_fd, data, size, 0);
}

static ssize_t pull(gnutls_transport_ptr_t ignored, void* data, size_t size) {
    (void)ignored;
    return recv(tls_fd, data, size, 0);
}

static int connect_to(int port) {
    int fd = connect_loopback(port);
    if (fd < 0) {
        perror("connect");
        exit(1);
    }
    return fd;
}

int main(int argc, char** argv) {
    const char *ca = NULL, *priority = NULL;
    char name[256] = "";
    int as_int = 0, ports[2] = {0, 0}, n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ca") && i + 1 < argc) ca = argv[++i];
        else if (!strcmp(argv[i], "--priority") && i + 1 < argc) priority = argv[++i];
        else if (!strcmp(argv[i], "--int")) as_int = 1;
        else if (n < 2) {
            const char* colon = strrchr(argv[i], ':');
            if (colon && n == 1 && (size_t)(colon - argv[i]) < sizeof name) {
                memcpy(name, argv[i], (size_t)(colon - argv[i]));
                name[colon - argv[i]] = '\0';
            }
            ports[n++] = atoi(colon ? colon + 1 : argv[i]);
        }
    }
    if (!ca || n != 2 || sizeof(void*) <= sizeof(int)) {
        fprintf(stderr, "usage: gnutls_ownptr [--int] [--priority STRING] --ca FILE DECOY_PORT [NAME:]PORT (64-bit)\n");
        return 2;
    }
    int decoy = connect_to(ports[0]);
    tls_fd = connect_to(ports[1]);

    gnutls_certificate_credentials_t creds;
    gnutls_certificate_allocate_credentials(&creds);
    gnutls_certificate_set_x509_trust_file(creds, ca, GNUTLS_X509_FMT_PEM);
    gnutls_session_t session;
    gnutls_init(&session, GNUTLS_CLIENT);
    if (priority) gnutls_priority_set_direct(session, priority, NULL);
    else gnutls_set_default_priority(session);
    if (*name) gnutls_server_name_set(session, GNUTLS_NAME_DNS, name, strlen(name));
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, creds);
    gnutls_session_set_verify_cert(session, *name ? name : "localhost", 0);
    if (as_int) {
        gnutls_transport_set_int(session, tls_fd);
    } else {
        /* Never dereferenced: only the functions above see it. Its low 32 bits are the
         * decoy's descriptor, as a heap pointer's may be some socket's number. */
        uintptr_t own = ((uintptr_t)1 << 32) | (uintptr_t)decoy;
        gnutls_transport_set_ptr(session, (gnutls_transport_ptr_t)own);
        gnutls_transport_set_push_function(session, push);
        gnutls_transport_set_pull_function(session, pull);
    }
    int ret;
    do ret = gnutls_handshake(session);
    while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret < 0) printf("handshake failed: %s\n", gnutls_strerror(ret));
    else printf("handshake ok %s\n", gnutls_protocol_get_name(gnutls_protocol_get_version(session)));
    if (ret == 0) gnutls_bye(session, GNUTLS_SHUT_RDWR);
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(creds);
    close(tls_fd);
    close(decoy);
    return ret < 0;
}
