// The contract between the two stages of the preload library.
//
// Stage 1 (libtlsoverride.so, the file in LD_PRELOAD) is small and needs nothing
// but libc: every process it is loaded into pays only for that. On the first call
// that needs it, it loads stage 2 (libtlsoverride-engine.so, from its own
// directory), which reads the configuration and decides. Each backend has its own
// entry point; the engine hands back its versions of that backend's interposed
// functions, which call the real ones stage 1 found.
#pragma once

#include "openssl/symbols.hpp"

#define TLSO_ENGINE_FILE "libtlsoverride-engine.so"
#define TLSO_OPENSSL_ENTRY "tlsoverride_engine_openssl_v2"

// What stage 1 gives the engine: the real functions, and its re-entrancy marks.
// The engine's work inside OpenSSL callbacks (the info callback runs inside
// SSL_connect, which is not interposed) must be marked as ours too, or libssl's
// internal calls would look like the program's.
struct Stage1 {
    const OpenSsl* openssl;
    void (*enter)() noexcept;
    void (*leave)() noexcept;
};

extern "C" {
// Returns null when the engine cannot govern this process (it has said why).
using OpenSslEntry = const Interposed* (*)(const Stage1* stage1);
}

// --- GnuTLS ---------------------------------------------------------------------
// The same contract for the GnuTLS backend: its own entry point and table.
#include "gnutls/symbols.hpp"

#define TLSO_GNUTLS_ENTRY "tlsoverride_engine_gnutls_v1"

struct Stage1Gnutls {
    const Gnutls* gnutls;
    void (*enter)() noexcept;
    void (*leave)() noexcept;
};

extern "C" {
// Returns null when the engine cannot govern this process's GnuTLS (it has said why).
using GnutlsEntry = const GnutlsInterposed* (*)(const Stage1Gnutls* stage1);
}
