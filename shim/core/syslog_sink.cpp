#include "core/syslog_sink.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace tlso {

Severity severity_of(LogLevel level) {
    switch (level) {
        case LogLevel::Error: return Severity::Error;
        case LogLevel::Warn: return Severity::Warning;
        case LogLevel::Info: return Severity::Info;
        default: return Severity::Debug;
    }
}

std::string SyslogSink::open(const char* socket_path) {
    int saved = errno;
    const char* chosen = socket_path ? socket_path : secure_getenv("TLSOVERRIDE_SYSLOG_SOCKET");
    path_ = chosen && *chosen ? chosen : default_syslog_socket;
    std::string error;
    struct stat st {};
    sockaddr_un address{};
    if (path_.size() >= sizeof address.sun_path) {
        error = "the syslog socket path " + path_ + " is too long";
    } else if (stat(path_.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
        error = "no syslog socket at " + path_ + (errno == ENOENT ? " (is a syslog daemon running?)" : "");
    } else {
        // Our own socket: the host's openlog()/syslog() state (its descriptor, ident,
        // facility) is never touched. Non-blocking: a stalled daemon drops our lines
        // instead of stalling the program.
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd_ < 0) error = std::string("cannot create a socket for syslog: ") + std::strerror(errno);
    }
    if (!error.empty()) error += "; logging to standard error";
    errno = saved;
    return error;
}

std::string SyslogSink::format(Severity severity, long time, int pid, std::string_view message) {
    std::time_t t = static_cast<std::time_t>(time);
    struct tm tm {};
    localtime_r(&t, &tm);
    char stamp[32];
    // RFC 3164's TIMESTAMP: "Mmm dd hh:mm:ss", the day space-padded, in English whatever the locale.
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::snprintf(stamp, sizeof stamp, "%s %2d %02d:%02d:%02d", months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    int priority = syslog_facility_user * 8 + static_cast<int>(severity);
    return "<" + std::to_string(priority) + ">" + stamp + " tlsoverride[" + std::to_string(pid) + "]: " + std::string(message);
}

void SyslogSink::send(Severity severity, std::string_view message) const {
    if (fd_ < 0) return;
    int saved = errno;
    std::string datagram = format(severity, static_cast<long>(std::time(nullptr)), static_cast<int>(getpid()), message);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    // Unconnected sendto: a restarted daemon's new socket is found on the next line.
    ssize_t ignored = sendto(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&address), sizeof address);
    (void)ignored;
    errno = saved;
}

}  // namespace tlso
