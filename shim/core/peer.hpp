// The peer of a connection's socket as a handshake record names it ("127.0.0.1:4433",
// "[::1]:443", "unix"), for every backend. Empty when the descriptor is no connected
// socket (a peer gone).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tlso {

std::string peer_of_socket(int fd);

// The descriptor a GnuTLS session's transport names, if it names one. GnuTLS keeps
// the transport as a pointer: gnutls_transport_set_int stores the descriptor cast to
// one, and gnutls_transport_get_int casts it back. A program with its own push and
// pull functions sets a pointer of its own (libcurl: its connection filter), which,
// read back as an int, is a truncation that can be the number of some other socket:
// a descriptor only when pointer and int are the same number.
constexpr std::optional<int> transport_descriptor(std::uintptr_t pointer, int as_int) {
    if (as_int < 0 || pointer != static_cast<std::uintptr_t>(as_int)) return std::nullopt;
    return as_int;
}

// A connection with no descriptor of its own (a program with its own BIO or push and
// pull functions, as curl has): the process's connected TCP socket it runs over, when
// the answer is unambiguous. With the bytes the TLS connection has written so far
// (`written`, OpenSSL's BIO_number_written), the socket whose kernel count of bytes
// written matches; without, the only connected TCP socket. Reads /proc/self/fd and
// asks each socket (fstat, getsockopt, getpeername): never reads, writes or
// changes a descriptor of the program; errno preserved; no allocation.
struct SocketSearch {
    int fd = -1;                // the socket, or -1
    const char* why = nullptr;  // when fd is -1: why none was chosen
};
SocketSearch find_connection_socket(std::optional<std::uint64_t> written);

}  // namespace tlso
