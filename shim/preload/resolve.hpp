// Stage 1's view of the process's OpenSSL.
#pragma once

#include "openssl/symbols.hpp"

// The full table, once every function the process's OpenSSL ABI requires has been
// found; null while it has not (libssl not loaded yet, or an ABI tlsoverride does
// not govern: then every call passes through). Looked for again only after a new
// library has been loaded.
const OpenSsl* real_openssl() noexcept;

// What has been found so far, complete or not: each wrapper passes its call to its
// own real function through this, whatever else is missing.
const OpenSsl& openssl_found_so_far() noexcept;

// The first libssl's SSL_CTX_new as found so far, or null: read without the start
// lock, for callers that may already hold it.
const void* first_ssl_ctx_new() noexcept;

// False in a second copy of the library (listed twice in LD_PRELOAD): it passes
// every call through, so that only the first copy applies the policy.
bool primary_copy() noexcept;
