// Where `tlsoverride probe` connects: HOST[:PORT] as typed, the one address it
// resolves to, and TCP connections to that address that give up at a deadline.
// No OpenSSL here.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tlso::probe {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// Waits until fd is ready for `events` (POLLIN, POLLOUT); false when the deadline passed.
bool wait_until_ready(int fd, short events, Deadline deadline);

// "1 s", "0.5 s": how a timeout is written in messages.
std::string describe_timeout(std::chrono::milliseconds timeout);

struct Endpoint {
    std::string host;  // a name or an address literal, without IPv6 brackets
    int port = 443;
    bool host_is_address = false;  // an address sends no server name (SNI) unless --sni says one
};

struct ParsedEndpoint {
    std::optional<Endpoint> endpoint;
    std::string error;  // set when endpoint is empty
};

// "host", "host:port", "[2001:db8::1]:port", "2001:db8::1".
ParsedEndpoint parse_endpoint(std::string_view text);

// "host:port", with brackets around an IPv6 literal.
std::string endpoint_text(const Endpoint& endpoint);

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
    std::string text;  // numeric form, "127.0.0.1"
};

struct Connection {
    int fd = -1;         // non-blocking, owned by the caller; -1 when it failed
    bool timed_out = false;
    std::string error;   // strerror text, or what timed out
};

// Opens a TCP connection to `address`, waiting at most until `deadline`.
Connection connect_before(const Address& address, Deadline deadline);

struct Reachable {
    std::optional<Address> address;
    bool resolved = false;   // false: the name did not resolve
    bool timed_out = false;  // resolving or connecting took longer than the timeout
    std::string error;
};

// Resolves the endpoint and returns the first of its addresses that accepts a TCP
// connection. Every handshake then goes to that one address: the probe connects to
// nothing else, and a name with several addresses gives one consistent answer.
Reachable find_reachable_address(const Endpoint& endpoint, std::chrono::milliseconds timeout);

}  // namespace tlso::probe
