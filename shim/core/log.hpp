// The library's voice: quiet by default, one write() per line so lines from
// threads and processes sharing a file never interleave, errno left untouched.
//
// A guest in someone else's process: it writes only to a descriptor it opened or
// checked, and only while that descriptor is still the same file (a daemon that
// closes every descriptor and opens its database reuses the numbers); it never
// blocks on a FIFO, never raises SIGPIPE, and every line is valid UTF-8.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "core/settings.hpp"

namespace tlso {

class Log {
public:
    // Standard error is checked first: it is used only if descriptor 2 is open for
    // writing and looks like a standard error (not a program's data file or socket
    // that took the number of a closed standard error; journald's socket is named by
    // JOURNAL_STREAM); its (device, inode) is kept.
    //
    // Then `file`, when not empty, replaces it. The file must be an absolute path,
    // reached without a symbolic link in any directory and not a link itself, a regular
    // file (a FIFO must not block the program: opened O_NONBLOCK, then fstat), with one
    // hard link, owned by this process's user or root. `from` names where the path
    // came from ("TLSOVERRIDE_LOG_FILE", or "FILE:LINE:COLUMN" of [log] file). Returns
    // why the file was refused, worded for the log (the log then stays on standard
    // error), or nothing.
    std::string open(LogLevel level, LogFormat format, const std::string& file, std::string program,
                     std::string_view from = {});

    Log() = default;
    ~Log();
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    bool enabled(LogLevel level) const { return level != LogLevel::Off && level <= level_; }
    LogFormat format() const { return format_; }

    // "tlsoverride[PID]: warning: MESSAGE" or {"time":...,"level":"warning",...}.
    void write(LogLevel level, std::string_view message) const;
    // A handshake record, already formatted as one line (no newline).
    void write_record(std::string_view line) const;

    // A descriptor the log may write to, and the file it was when checked.
    struct Descriptor;

private:
    // The descriptor to write this line to, or null when there is none that is safe.
    const Descriptor* current() const;
    void emit(std::string_view line) const;

    LogLevel level_ = LogLevel::Warn;
    LogFormat format_ = LogFormat::Text;
    std::string program_;
    std::string path_;  // the log file, reopened when its descriptor was taken over; empty: standard error
    // Replaced (never freed: another thread may be writing through it) when the log
    // file is reopened; null when nothing may be written.
    mutable std::atomic<const Descriptor*> out_{nullptr};
};

// JSON string contents: quotes, backslashes, control characters and DEL escaped
// (\n, \t, \r, \u00XX; C1 controls as \u0080-\u009f), valid UTF-8 passed through,
// and each byte of an invalid UTF-8 sequence replaced by U+FFFD: the result is
// always valid JSON and valid UTF-8.
std::string json_escape(std::string_view text);
// Control characters (a client's SNI can hold a newline), DEL and C1 controls would
// split or forge lines, or drive a terminal: they become \xNN, byte by byte, and so
// does each byte of an invalid UTF-8 sequence. The result is valid UTF-8.
std::string one_line(std::string_view text);
std::string rfc3339_now();

}  // namespace tlso
