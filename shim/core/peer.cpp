#include "core/peer.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <linux/tcp.h>  // its tcp_info has tcpi_bytes_acked; glibc's does not
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace tlso {

std::string peer_of_socket(int fd) {
    sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
    char host[INET6_ADDRSTRLEN] = "";
    if (addr.ss_family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&addr);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    }
    if (addr.ss_family == AF_INET6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    return "unix";
}

namespace {

// Whether fd is a connected TCP socket; if so, the bytes the program has written
// into it: those sent once (tcpi_bytes_sent less tcpi_bytes_retrans, Linux 4.19) and
// those not sent yet (tcpi_notsent_bytes). tcpi_bytes_acked would count the SYN of an
// active open, and not of a passive one. Only queries: nothing about the socket changes.
bool connected_tcp(int fd, std::uint64_t& written) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
    int type = 0, protocol = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
    len = sizeof protocol;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0 || protocol != IPPROTO_TCP) return false;
    sockaddr_storage addr;
    socklen_t alen = sizeof addr;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) return false;
    tcp_info info{};
    len = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
        len < offsetof(tcp_info, tcpi_bytes_retrans) + sizeof info.tcpi_bytes_retrans)
        written = UINT64_MAX;  // an older kernel: matches no byte count
    else
        written = info.tcpi_bytes_sent - info.tcpi_bytes_retrans + info.tcpi_notsent_bytes;
    return true;
}

// What the scan found: how many sockets, and the first of each kind.
struct Tally {
    int sockets = 0, uncounted = 0, exact = 0, at_least = 0;
    int any_fd = -1, exact_fd = -1, at_least_fd = -1;
};

}  // namespace

SocketSearch find_connection_socket(std::optional<std::uint64_t> written) {
    int saved = errno;
    SocketSearch result;
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        errno = saved;
        return {-1, "/proc/self/fd cannot be read"};
    }
    Tally t;
    // getdents64 into a stack buffer: opendir would allocate.
    alignas(8) char buf[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct Entry {
                ino64_t ino;
                off64_t next;
                unsigned short reclen;
                unsigned char type;
                char name[1];
            };
            const auto* e = reinterpret_cast<const Entry*>(buf + off);
            off += e->reclen;
            int fd = 0;
            const char* p = e->name;
            if (*p < '0' || *p > '9') continue;  // "." and ".."
            for (; *p >= '0' && *p <= '9' && fd < (1 << 27); ++p) fd = fd * 10 + (*p - '0');
            std::uint64_t sent = 0;
            if (*p || fd == dir || !connected_tcp(fd, sent)) continue;
            if (t.sockets++ == 0) t.any_fd = fd;
            if (sent == UINT64_MAX) ++t.uncounted;
            if (!written) continue;
            // The TLS bytes are the socket's last: a proxy's CONNECT went before them.
            if (sent == *written && t.exact++ == 0) t.exact_fd = fd;
            if (sent != UINT64_MAX && sent >= *written && t.at_least++ == 0) t.at_least_fd = fd;
        }
    }
    close(dir);
    // A count rules a single socket out too: TLS over a pipe or memory BIOs, beside an
    // unrelated TCP connection, is not that connection's.
    if (t.sockets == 0) result = {-1, "the process has no connected TCP socket"};
    else if (t.sockets == 1 && (!written || t.uncounted == 1)) result = {t.any_fd, nullptr};
    else if (!written || t.uncounted > 0) result = {-1, "several connected TCP sockets and no byte count to tell them apart"};
    else if (t.exact == 1) result = {t.exact_fd, nullptr};
    else if (t.exact == 0 && t.at_least == 1) result = {t.at_least_fd, nullptr};
    else if (t.exact == 0 && t.at_least == 0) result = {-1, "no connected TCP socket has written the connection's bytes"};
    else result = {-1, "several connected TCP sockets match the connection's byte count"};
    errno = saved;
    return result;
}

}  // namespace tlso
