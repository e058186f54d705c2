// Which descriptor a GnuTLS transport names (core/peer.hpp).
#include <doctest/doctest.h>

#include "core/peer.hpp"

using tlso::transport_descriptor;

TEST_CASE("a GnuTLS transport names a descriptor only when pointer and int agree") {
    // gnutls_transport_set_int(session, 7): the pointer is 7.
    CHECK(transport_descriptor(7, 7) == 7);
    CHECK(transport_descriptor(0, 0) == 0);
    // GnuTLS's default transport, (gnutls_transport_ptr_t)-1: no descriptor.
    CHECK(transport_descriptor(~std::uintptr_t{0}, -1) == std::nullopt);
    if constexpr (sizeof(std::uintptr_t) > sizeof(int)) {
        // A program's own pointer whose low 32 bits happen to be a socket's number.
        std::uintptr_t own = (std::uintptr_t{1} << 32) | 5;
        CHECK(transport_descriptor(own, 5) == std::nullopt);
    }
    CHECK(transport_descriptor(0x1234, -3) == std::nullopt);
}
