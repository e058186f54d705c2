// `[log] file = "syslog"`: log lines and handshake records go to the local syslog
// socket, one datagram per line, without touching the host program's own openlog()
// state: the library keeps its own AF_UNIX SOCK_DGRAM socket and formats each line
// itself, as syslog(3) does on the local socket (RFC 3164 without the HOSTNAME field,
// which the daemon adds):
//     <PRI>Mmm dd hh:mm:ss tlsoverride[PID]: MESSAGE
// The facility is user (1); the severity follows the log level (records are info).
// Never blocks (a full queue drops the line), never raises SIGPIPE, keeps errno.
#pragma once

#include <string>
#include <string_view>

#include "core/settings.hpp"

namespace tlso {

inline constexpr std::string_view syslog_destination = "syslog";  // the [log] file value
inline constexpr const char* default_syslog_socket = "/dev/log";
inline constexpr int syslog_facility_user = 1;

// Syslog severities (RFC 3164), for the levels the library logs at.
enum class Severity { Error = 3, Warning = 4, Info = 6, Debug = 7 };
Severity severity_of(LogLevel level);

class SyslogSink {
public:
    // The socket is SOCKET_PATH, or TLSOVERRIDE_SYSLOG_SOCKET when set (tests point it
    // into their own directory; secure_getenv, so not for setuid programs), or /dev/log.
    // Returns an error message when no syslog socket is there.
    std::string open(const char* socket_path = nullptr);
    bool is_open() const { return fd_ >= 0; }
    void send(Severity severity, std::string_view message) const;

    // The datagram for MESSAGE, at local time TIME (for tests).
    static std::string format(Severity severity, long time, int pid, std::string_view message);

private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace tlso
