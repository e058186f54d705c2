// The datagram the syslog sink sends: RFC 3164 as syslog(3) sends it on the local socket.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <time.h>

#include "core/syslog_sink.hpp"

using namespace tlso;

TEST_CASE("syslog datagram: <PRI>Mmm dd hh:mm:ss tlsoverride[PID]: MESSAGE, facility user") {
    const char* saved = getenv("TZ");
    std::string old = saved ? saved : "";
    setenv("TZ", "UTC", 1);
    tzset();
    // 2026-12-01 09:05:07 UTC; the day is space-padded as RFC 3164 writes it.
    CHECK(SyslogSink::format(Severity::Warning, 1796115907, 42, "warning: x") == "<12>Dec  1 09:05:07 tlsoverride[42]: warning: x");
    CHECK(SyslogSink::format(Severity::Info, 1796115907, 7, "{\"a\":1}") == "<14>Dec  1 09:05:07 tlsoverride[7]: {\"a\":1}");
    CHECK(SyslogSink::format(Severity::Error, 1796115907, 7, "e").rfind("<11>", 0) == 0);
    CHECK(SyslogSink::format(Severity::Debug, 1796115907, 7, "d").rfind("<15>", 0) == 0);
    if (saved) setenv("TZ", old.c_str(), 1);
    else unsetenv("TZ");
    tzset();
}

TEST_CASE("severity follows the log level") {
    CHECK(severity_of(LogLevel::Error) == Severity::Error);
    CHECK(severity_of(LogLevel::Warn) == Severity::Warning);
    CHECK(severity_of(LogLevel::Info) == Severity::Info);
    CHECK(severity_of(LogLevel::Debug) == Severity::Debug);
}

TEST_CASE("no socket at the path: an error that names it, and nothing is open") {
    SyslogSink sink;
    std::string error = sink.open("/nonexistent/tlso.sock");
    CHECK(error == "no syslog socket at /nonexistent/tlso.sock (is a syslog daemon running?); logging to standard error");
    CHECK_FALSE(sink.is_open());
}
