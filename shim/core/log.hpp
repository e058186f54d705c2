// The library's voice: quiet by default, one write() per line so lines from
// threads and processes sharing a file never interleave, errno left untouched.
#pragma once

#include <string>
#include <string_view>

#include "core/settings.hpp"
#include "core/syslog_sink.hpp"

namespace tlso {

class Log {
public:
    // Opens `file` for appending without following a symlink (a planted link in a
    // world-writable directory must not redirect our writes). An empty path is
    // standard error. Returns an error message when the file cannot be opened
    // (the log then stays on standard error). "syslog" is the local syslog socket.
    std::string open(LogLevel level, LogFormat format, const std::string& file, std::string program);

    bool enabled(LogLevel level) const { return level != LogLevel::Off && level <= level_; }
    LogFormat format() const { return format_; }

    // "tlsoverride[PID]: warning: MESSAGE" or {"time":...,"level":"warning",...}.
    void write(LogLevel level, std::string_view message) const;
    // A handshake record, already formatted as one line (no newline).
    void write_record(std::string_view line) const;

private:
    std::string json_line(LogLevel level, std::string_view message) const;

    LogLevel level_ = LogLevel::Warn;
    LogFormat format_ = LogFormat::Text;
    int fd_ = 2;
    std::string program_;
    SyslogSink syslog_;  // open when [log] file = "syslog": lines go there instead of fd_
};

std::string json_escape(std::string_view text);
// Control characters (a client's SNI can hold a newline) would split or forge
// lines: they become \xNN.
std::string one_line(std::string_view text);
std::string rfc3339_now();

}  // namespace tlso
