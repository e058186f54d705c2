#include "core/log.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace tlso {

struct Log::Descriptor {
    int fd;
    dev_t dev;
    ino_t ino;
    bool pipe;  // a pipe or a socket: a write without a reader raises SIGPIPE
    // The one this replaced (standard error, or the log file before it was reopened):
    // kept, since another thread may still be writing through it.
    const Descriptor* previous = nullptr;
};

namespace {

std::string_view level_word(LogLevel l) {
    switch (l) {
        case LogLevel::Error: return "error";
        case LogLevel::Warn: return "warning";
        case LogLevel::Info: return "info";
        default: return "debug";
    }
}

// The length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
    auto byte = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u; };
    auto continuation = [&](std::size_t k) { return (byte(k) & 0xc0) == 0x80; };
    unsigned c = byte(0);
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) return continuation(1) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned low = c == 0xe0 ? 0xa0 : 0x80, high = c == 0xed ? 0x9f : 0xbf;  // overlong; surrogates
        return byte(1) >= low && byte(1) <= high && continuation(2) ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned low = c == 0xf0 ? 0x90 : 0x80, high = c == 0xf4 ? 0x8f : 0xbf;  // overlong; above U+10FFFF
        return byte(1) >= low && byte(1) <= high && continuation(2) && continuation(3) ? 4 : 0;
    }
    return 0;
}

// U+0080 to U+009F, encoded C2 80 to C2 9F: C1 controls (CSI is U+009B).
bool c1_control(std::string_view text, std::size_t i, std::size_t n) {
    return n == 2 && static_cast<unsigned char>(text[i]) == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
}

void hex_escape(std::string& out, const char* format, unsigned value) {
    char buf[8];
    std::snprintf(buf, sizeof buf, format, value);
    out += buf;
}

}  // namespace

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 1);
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = utf8_sequence(text, i);
        if (n == 0 || c < 0x20 || c == 0x7f || c1_control(text, i, n)) {
            // Byte by byte: an operator sees exactly which bytes arrived.
            for (std::size_t k = 0; k < (n ? n : 1); k++) hex_escape(out, "\\x%02x", static_cast<unsigned char>(text[i + k]));
            i += n ? n : 1;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

namespace {

// True while `d` is still the file it was when it was opened or checked: the program
// may have closed it and given its number to a file of its own.
bool still_the_same(const Log::Descriptor& d) {
    struct stat st;
    return fstat(d.fd, &st) == 0 && st.st_dev == d.dev && st.st_ino == d.ino;
}

void write_line(const Log::Descriptor& d, std::string_view text) {
    std::string line = one_line(text);
    line += '\n';
    if (!d.pipe) {
        // One write() per line: O_APPEND makes each one land whole at the end.
        ssize_t ignored = ::write(d.fd, line.data(), line.size());
        (void)ignored;
        return;
    }
    // A pipe whose reader is gone raises SIGPIPE, which kills a program that does not
    // expect it: block it for this thread around the write, and take back the signal
    // this write raised (only if none was pending before: that one is the program's).
    sigset_t pipe_only, old, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &pipe_only, &old) != 0) return;
    bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    ssize_t n = ::write(d.fd, line.data(), line.size());
    if (n < 0 && errno == EPIPE && !was_pending) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_only, nullptr, &now) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

// Standard error as the program left it when the engine started. When standard error
// was closed at start, the program's next file or socket takes number 2, so what is
// there must look like a standard error: open for writing; a regular file open for
// writing only (2>file, 2>>file; a file opened O_RDWR is the program's data); a socket
// only when it is journald's stream, which systemd names in JOURNAL_STREAM=DEV:INODE
// (systemd.exec(5)). Any other socket there is the program's own connection (TCP, a
// database's UNIX socket, inetd's client), whose peer must not get our lines.
const Log::Descriptor* checked_stderr() {
    int flags = fcntl(2, F_GETFL);
    struct stat st;
    if (flags < 0 || fstat(2, &st) != 0 || (flags & O_ACCMODE) == O_RDONLY) return nullptr;
    if (S_ISREG(st.st_mode) && (flags & O_ACCMODE) != O_WRONLY) return nullptr;
    if (S_ISSOCK(st.st_mode)) {
        // "DEV:INODE", decimal, nothing after.
        const char* journal = getenv("JOURNAL_STREAM");
        if (!journal) return nullptr;
        const std::string_view text(journal);
        unsigned long long dev = 0, ino = 0;
        auto [colon, dev_error] = std::from_chars(text.data(), text.data() + text.size(), dev);
        if (dev_error != std::errc() || colon == text.data() + text.size() || *colon != ':') return nullptr;
        auto [end, ino_error] = std::from_chars(colon + 1, text.data() + text.size(), ino);
        if (ino_error != std::errc() || end != text.data() + text.size() || dev != st.st_dev || ino != st.st_ino)
            return nullptr;
    }
    return new Log::Descriptor{2, st.st_dev, st.st_ino, S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode), nullptr};
}

struct OpenedFile {
    Log::Descriptor* descriptor = nullptr;
    std::string refusal;  // why not, when descriptor is null
};

OpenedFile refused(std::string why) { return {nullptr, std::move(why)}; }

// Opens the log file as sshd's StrictModes and logrotate would accept it: each
// directory on the way is opened with O_NOFOLLOW relative to the one before
// (openat, so nothing can be swapped in between a check and the open).
OpenedFile open_log_file(const std::string& path) {
    if (path.empty() || path[0] != '/')
        return refused("the log file is a relative path, which would follow the program's working directory; write "
                       "an absolute path");
    int dir = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return refused(std::string("cannot open the directory /: ") + std::strerror(errno));
    std::size_t start = 1;
    std::string walked;
    for (;;) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) break;
        std::string part = path.substr(start, slash - start);
        start = slash + 1;
        if (part.empty() || part == ".") continue;
        walked += "/" + part;
        int next = openat(dir, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            int error = errno;
            struct stat st;
            bool link = fstatat(dir, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
            ::close(dir);
            if (link)
                return refused("the log file's directory " + walked +
                               " is a symbolic link, which tlsoverride does not follow; name the real directory");
            return refused("cannot open the log file's directory " + walked + ": " + std::strerror(error));
        }
        ::close(dir);
        dir = next;
    }
    std::string name = path.substr(start);
    if (name.empty() || name == "." || name == "..") {
        ::close(dir);
        return refused("the log file names a directory, not a file");
    }
    // O_NONBLOCK: a FIFO must not block the program here (without a reader it fails
    // with ENXIO; with one, fstat refuses it below).
    int fd = openat(dir, name.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
                    0640);
    int error = errno;
    ::close(dir);
    if (fd < 0) {
        if (error == ELOOP) return refused("cannot open the log file: it is a symbolic link, which tlsoverride does not follow");
        if (error == ENXIO) return refused("the log file is not a regular file (a FIFO or socket)");
        return refused(std::string("cannot open the log file: ") + std::strerror(error));
    }
    struct stat st;
    std::string why;
    if (fstat(fd, &st) != 0) why = std::string("cannot check the log file: ") + std::strerror(errno);
    else if (!S_ISREG(st.st_mode)) why = "the log file is not a regular file (a FIFO, socket or device)";
    else if (st.st_uid != geteuid() && st.st_uid != 0)
        why = "the log file is owned by uid " + std::to_string(st.st_uid) + ", neither this process's user (uid " +
              std::to_string(geteuid()) + ") nor root; tlsoverride does not write into another user's file";
    else if (st.st_nlink != 1)
        why = "the log file has " + std::to_string(st.st_nlink) +
              " hard links; tlsoverride writes only to a file with one (a planted link would point at another file)";
    int flags = why.empty() ? fcntl(fd, F_GETFL) : -1;
    if (why.empty() && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0))
        why = std::string("cannot set up the log file: ") + std::strerror(errno);
    if (!why.empty()) {
        ::close(fd);
        return refused(why);
    }
    return {new Log::Descriptor{fd, st.st_dev, st.st_ino, false, nullptr}, {}};
}

// "TLSOVERRIDE_LOG_FILE=PATH: WHY; ...", or "FILE:LINE:COLUMN: [log] file = PATH: WHY; ...":
// the operator sees where the path came from.
std::string refusal_text(const std::string& path, std::string_view from, const std::string& why) {
    std::string head;
    if (from.rfind("TLSOVERRIDE_", 0) == 0) head = std::string(from) + "=" + path;
    else if (!from.empty()) head = std::string(from) + ": [log] file = " + path;
    else head = path;
    return head + ": " + why + "; logging to standard error";
}

}  // namespace

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = utf8_sequence(text, i);
        if (n == 0) {
            out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER, one per byte
            i++;
            continue;
        }
        if (c1_control(text, i, n)) hex_escape(out, "\\u%04x", static_cast<unsigned char>(text[i + 1]));
        else if (n > 1) out.append(text.substr(i, n));
        else if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (c < 0x20 || c == 0x7f) hex_escape(out, "\\u%04x", c);
        else out += static_cast<char>(c);
        i += n;
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

std::string Log::open(LogLevel level, LogFormat format, const std::string& file, std::string program,
                      std::string_view from) {
    level_ = level;
    format_ = format;
    program_ = std::move(program);
    int saved = errno;
    out_.store(checked_stderr(), std::memory_order_release);
    std::string problem;
    if (file == syslog_destination) {  // before the path checks: "syslog" is no path
        problem = syslog_.open();
    } else if (!file.empty()) {
        OpenedFile opened = open_log_file(file);
        if (opened.descriptor) {
            path_ = file;
            opened.descriptor->previous = out_.load(std::memory_order_relaxed);
            out_.store(opened.descriptor, std::memory_order_release);
        } else {
            problem = refusal_text(file, from, opened.refusal);
        }
    }
    errno = saved;
    return problem;
}

// The engine's Log lives as long as the process (other threads may still log while it
// exits); this runs for the command's and the tests' Logs.
Log::~Log() {
    const Descriptor* d = out_.load(std::memory_order_acquire);
    if (d && !path_.empty() && still_the_same(*d)) ::close(d->fd);  // only the log file is ours to close
    while (d) {
        const Descriptor* previous = d->previous;
        delete d;
        d = previous;
    }
}

const Log::Descriptor* Log::current() const {
    const Descriptor* d = out_.load(std::memory_order_acquire);
    if (!d || still_the_same(*d)) return d;
    // Standard error that is no longer the one checked: nothing safe to write to.
    if (path_.empty()) return nullptr;
    // The log file's number now belongs to another file: open the log file again
    // (never close the old number, it is not ours any more).
    OpenedFile again = open_log_file(path_);
    if (!again.descriptor) return nullptr;
    again.descriptor->previous = d;
    if (out_.compare_exchange_strong(d, again.descriptor, std::memory_order_acq_rel)) return again.descriptor;
    ::close(again.descriptor->fd);  // another thread reopened it first: use that one
    delete again.descriptor;
    return d;
}

void Log::emit(std::string_view line) const {
    int saved = errno;
    if (const Descriptor* d = current()) write_line(*d, line);
    errno = saved;
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
    if (format_ == LogFormat::Json) emit(json_line(level, message));
    else emit("tlsoverride[" + std::to_string(getpid()) + "]: " + std::string(level_word(level)) + ": " + std::string(message));
}

void Log::write_record(std::string_view line) const {
    if (syslog_.is_open()) return syslog_.send(Severity::Info, one_line(without_tag(line)));
    emit(line);
}

}  // namespace tlso
