#include "core/log.hpp"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace tlso {
namespace {

std::string_view level_word(LogLevel l) {
    switch (l) {
        case LogLevel::Error: return "error";
        case LogLevel::Warn: return "warning";
        case LogLevel::Info: return "info";
        default: return "debug";
    }
}

}  // namespace

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 1);
    for (unsigned char c : text) {
        if (c >= 0x20 && c != 0x7f) {
            out += static_cast<char>(c);
            continue;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
    }
    return out;
}

namespace {

void write_line(int fd, std::string_view text) {
    int saved = errno;
    std::string line = one_line(text);
    line += '\n';
    // One write() per line: O_APPEND makes each one land whole at the end.
    ssize_t ignored = ::write(fd, line.data(), line.size());
    (void)ignored;
    errno = saved;
}

}  // namespace

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    for (unsigned char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

std::string rfc3339_now() {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(tv.tv_usec / 1000));
    return buf;
}

std::string Log::open(LogLevel level, LogFormat format, const std::string& file, std::string program) {
    level_ = level;
    format_ = format;
    program_ = std::move(program);
    if (file.empty()) return {};
    if (file == syslog_destination) return syslog_.open();  // syslog_sink.hpp
    int saved = errno;
    int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
    std::string error;
    if (fd < 0)
        error = "cannot open log file " + file + ": " + std::strerror(errno) +
                (errno == ELOOP ? " (it is a symbolic link, which tlsoverride does not follow)" : "") +
                "; logging to standard error";
    else
        fd_ = fd;
    errno = saved;
    return error;
}

// A text record starts "tlsoverride[PID]: "; in syslog the tag says that already.
static std::string_view without_tag(std::string_view line) {
    if (line.rfind("tlsoverride[", 0) != 0) return line;
    std::size_t end = line.find("]: ");
    return end == std::string_view::npos ? line : line.substr(end + 3);
}

std::string Log::json_line(LogLevel level, std::string_view message) const {
    return "{\"time\":\"" + rfc3339_now() + "\",\"type\":\"log\",\"level\":\"" + std::string(level_word(level)) +
           "\",\"program\":\"" + json_escape(program_) + "\",\"pid\":" + std::to_string(getpid()) +
           ",\"message\":\"" + json_escape(message) + "\"}";
}

void Log::write(LogLevel level, std::string_view message) const {
    if (!enabled(level)) return;
    if (syslog_.is_open()) {  // the same line, as one datagram; the tag carries the pid
        std::string line = format_ == LogFormat::Json ? json_line(level, message)
                                                      : std::string(level_word(level)) + ": " + std::string(message);
        return syslog_.send(severity_of(level), one_line(line));
    }
    if (format_ == LogFormat::Json) {
        write_line(fd_, json_line(level, message));
    } else {
        write_line(fd_, "tlsoverride[" + std::to_string(getpid()) + "]: " + std::string(level_word(level)) + ": " +
                            std::string(message));
    }
}

void Log::write_record(std::string_view line) const {
    if (syslog_.is_open()) return syslog_.send(Severity::Info, one_line(without_tag(line)));
    write_line(fd_, std::string(line));
}

}  // namespace tlso
