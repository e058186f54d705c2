// The peer of a connection's socket as a handshake record names it ("127.0.0.1:4433",
// "[::1]:443", "unix"), for every backend. Empty when the descriptor is no connected
// socket (a program with its own BIO, or a peer gone).
#pragma once

#include <string>

namespace tlso {

std::string peer_of_socket(int fd);

}  // namespace tlso
