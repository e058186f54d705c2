// The one list of GnuTLS functions the preload library exports and interposes.
// Everything else is generated from it: the typed tables (symbols.hpp), the
// wrappers (preload/interpose.cpp, its GnuTLS section), the export map
// (preload/exports.map.in) and the test of the exported symbols. No includes: the
// export map is made from this file with the C preprocessor alone.
//
// Every priority route a program has (measured on GnuTLS 3.7.9: wget, apt, msmtp,
// lftp set the default; git's libcurl sets a string; ldapsearch makes a cache and
// sets it), the server name (a host rule applies there), the handshake (the record
// of its result, and a host rule at the latest), and the session's life (gnutls_init
// tells the role; gnutls_deinit and gnutls_priority_deinit forget what was kept
// about a session or a cache, whose address may be reused).
#pragma once

#define TLSO_GNUTLS_INTERPOSED(X)                                                           \
    X(gnutls_priority_init) X(gnutls_priority_init2) X(gnutls_priority_deinit)              \
    X(gnutls_priority_set) X(gnutls_priority_set_direct)                                    \
    X(gnutls_set_default_priority) X(gnutls_set_default_priority_append)                    \
    X(gnutls_server_name_set) X(gnutls_handshake) X(gnutls_init) X(gnutls_deinit)
