// Stage 1's view of the process's GnuTLS (the same contract as resolve.hpp).
#pragma once

#include "gnutls/symbols.hpp"

// The full table once every required function is found and the version is one
// tlsoverride governs; null otherwise (then every call passes through). Looked for
// again only after a new library has been loaded.
const Gnutls* real_gnutls() noexcept;

// What has been found so far: each wrapper passes its call through this.
const Gnutls& gnutls_found_so_far() noexcept;

// False in a second copy of the library (listed twice in LD_PRELOAD).
bool gnutls_primary_copy() noexcept;
