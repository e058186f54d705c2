// Where `tlsoverride probe` connects. See probe_target.hpp.
#include "probe_target.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace tlso::probe {

std::string describe_timeout(std::chrono::milliseconds timeout) {
    char text[32];
    std::snprintf(text, sizeof text, "%g s", static_cast<double>(timeout.count()) / 1000.0);
    return text;
}

namespace {

// Milliseconds from now until the deadline, for poll(2); 0 once it has passed.
int milliseconds_left(Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

bool wait_until_ready(int fd, short events, Deadline deadline) {
    pollfd waiting{fd, events, 0};
    for (;;) {
        int ready = poll(&waiting, 1, milliseconds_left(deadline));
        if (ready > 0) return true;
        if (ready == 0 || errno != EINTR) return false;
    }
}

namespace {

bool is_address_literal(const std::string& host) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::optional<int> parse_port(std::string_view text) {
    int port = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
    return port;
}

}  // namespace

ParsedEndpoint parse_endpoint(std::string_view text) {
    std::string_view host = text, port;
    if (text.starts_with('[')) {  // [IPv6]:port
        auto close = text.find(']');
        if (close == std::string_view::npos) return {std::nullopt, "'" + std::string(text) + "': missing ']'"};
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':'))
            return {std::nullopt, "'" + std::string(text) + "': expected ':PORT' after ']'"};
        if (!rest.empty()) port = rest.substr(1);
    } else if (auto colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
        host = text.substr(0, colon);  // exactly one colon: host:port; more: a bare IPv6 literal
        port = text.substr(colon + 1);
    }
    if (host.empty()) return {std::nullopt, "'" + std::string(text) + "': no host"};
    Endpoint endpoint{std::string(host), 443, false};
    if (!port.empty() || text.ends_with(':')) {
        auto number = parse_port(port);
        if (!number) return {std::nullopt, "'" + std::string(text) + "': the port must be a number from 1 to 65535"};
        endpoint.port = *number;
    }
    endpoint.host_is_address = is_address_literal(endpoint.host);
    return {endpoint, ""};
}

std::string endpoint_text(const Endpoint& endpoint) {
    bool ipv6 = endpoint.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

Connection connect_before(const Address& address, Deadline deadline) {
    int fd = socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return {-1, false, std::strerror(errno)};
    int status = connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length);
    if (status != 0 && errno == EINPROGRESS) {
        if (!wait_until_ready(fd, POLLOUT, deadline)) {
            close(fd);
            return {-1, true, "no TCP connection"};
        }
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        errno = error;
        status = error == 0 ? 0 : -1;
    }
    if (status != 0) {
        std::string error = std::strerror(errno);
        close(fd);
        return {-1, false, error};
    }
    return {fd, false, ""};
}

namespace {

// A name lookup that gives up at the timeout. getaddrinfo(3) can wait for an
// unreachable DNS server far longer (resolv.conf's timeout times its attempts), so it
// runs on a thread of its own; when the probe stops waiting, that thread frees what
// it finds. (glibc's getaddrinfo_a works the same way, but its internal thread
// crashes ThreadSanitizer builds.)
struct Answer {
    addrinfo* addresses = nullptr;
    int status = 0;
    int error_number = 0;  // errno, for EAI_SYSTEM
};

struct Lookup {
    std::mutex mutex;
    std::condition_variable finished;
    std::optional<Answer> answer;
    bool abandoned = false;
};

void look_up(std::shared_ptr<Lookup> lookup, std::string host, std::string service) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    Answer answer;
    answer.status = getaddrinfo(host.c_str(), service.c_str(), &hints, &answer.addresses);
    answer.error_number = errno;
    std::lock_guard lock(lookup->mutex);
    if (lookup->abandoned) {
        if (answer.status == 0) freeaddrinfo(answer.addresses);
        return;
    }
    lookup->answer = answer;
    lookup->finished.notify_one();
}

struct Resolution {
    addrinfo* addresses = nullptr;  // free with freeaddrinfo
    bool timed_out = false;
    std::string error;
};

Resolution resolve(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
    auto lookup = std::make_shared<Lookup>();
    std::thread(look_up, lookup, endpoint.host, std::to_string(endpoint.port)).detach();
    std::unique_lock lock(lookup->mutex);
    if (!lookup->finished.wait_for(lock, timeout, [&] { return lookup->answer.has_value(); })) {
        lookup->abandoned = true;
        return {nullptr, true, "no answer within " + describe_timeout(timeout)};
    }
    const Answer& answer = *lookup->answer;
    if (answer.status == EAI_SYSTEM) return {nullptr, false, std::strerror(answer.error_number)};
    if (answer.status != 0) return {nullptr, false, gai_strerror(answer.status)};
    return {answer.addresses, false, ""};
}

Address address_of(const addrinfo& info) {
    Address address;
    std::memcpy(&address.storage, info.ai_addr, info.ai_addrlen);
    address.length = info.ai_addrlen;
    char text[NI_MAXHOST] = "";
    getnameinfo(info.ai_addr, info.ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST);
    address.text = text;
    return address;
}

}  // namespace

Reachable find_reachable_address(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
    Resolution resolution = resolve(endpoint, timeout);
    if (!resolution.addresses) return {std::nullopt, false, resolution.timed_out, resolution.error};
    Reachable result{std::nullopt, true, false, ""};
    for (const addrinfo* info = resolution.addresses; info; info = info->ai_next) {
        Address address = address_of(*info);
        Connection connection = connect_before(address, Clock::now() + timeout);
        if (connection.fd >= 0) {
            close(connection.fd);
            result = {address, true, false, ""};
            break;
        }
        if (result.error.empty()) {  // report the first address's failure: the one a client tries first
            result.timed_out = connection.timed_out;
            result.error = connection.error;
        }
    }
    freeaddrinfo(resolution.addresses);
    return result;
}

}  // namespace tlso::probe
