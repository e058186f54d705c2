// The log as a guest: which files it refuses to write to, and that it never writes
// through a descriptor number the program has given to a file of its own.
// (Standard error, SIGPIPE and whole programs: tests/e2e/hostile.sh.)
#include <doctest/doctest.h>

#include "temp_dir.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/log.hpp"

using namespace tlso;

namespace {

std::string contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

// The descriptor this process has open on `path`, or -1.
int descriptor_of(const std::string& path) {
    for (int fd = 0; fd < 1024; fd++) {
        char link[PATH_MAX];
        std::string proc = "/proc/self/fd/" + std::to_string(fd);
        ssize_t n = readlink(proc.c_str(), link, sizeof link - 1);
        if (n > 0 && std::string(link, static_cast<std::size_t>(n)) == path) return fd;
    }
    return -1;
}

// Log::open with the log file from TLSOVERRIDE_LOG_FILE; returns the refusal, if any.
std::string open_from_environment(Log& log, const std::string& path) {
    return log.open(LogLevel::Info, LogFormat::Text, path, "unit", "TLSOVERRIDE_LOG_FILE");
}

}  // namespace

TEST_CASE("a log file that is safe to write is written, one line per call, appended") {
    TempDir dir;
    std::string path = dir.write("ok.log", "earlier line\n");
    Log log;
    CHECK(open_from_environment(log, path) == "");
    log.write(LogLevel::Info, "first");
    log.write(LogLevel::Debug, "not at this level");
    log.write(LogLevel::Warn, "second");
    std::string text = contents(path);
    CHECK(text.rfind("earlier line\ntlsoverride[", 0) == 0);
    CHECK(text.find("]: info: first\n") != std::string::npos);
    CHECK(text.find("]: warning: second\n") != std::string::npos);
    CHECK(text.find("not at this level") == std::string::npos);
    // A file that did not exist is created.
    Log fresh;
    CHECK(open_from_environment(fresh, dir.path + "/new.log") == "");
    CHECK(exists(dir.path + "/new.log"));
}

TEST_CASE("log files that are refused, each with the variable or key it came from, and nothing written") {
    TempDir dir;
    mkdir((dir.path + "/real").c_str(), 0755);
    REQUIRE(symlink((dir.path + "/real").c_str(), (dir.path + "/linked").c_str()) == 0);
    std::string target = dir.write("real/target.log", "");
    REQUIRE(symlink(target.c_str(), (dir.path + "/real/link.log").c_str()) == 0);
    REQUIRE(mkfifo((dir.path + "/fifo.log").c_str(), 0600) == 0);
    std::string linked_twice = dir.write("real/two-links.log", "");
    REQUIRE(link(linked_twice.c_str(), (dir.path + "/second-name.log").c_str()) == 0);
    struct Case {
        const char* what;
        std::string path, expected;
    };
    std::vector<Case> cases = {
        {"a relative path", "relative.log",
         "TLSOVERRIDE_LOG_FILE=relative.log: the log file is a relative path, which would follow the program's "
         "working directory; write an absolute path; logging to standard error"},
        {"a symlinked parent directory", dir.path + "/linked/x.log",
         "TLSOVERRIDE_LOG_FILE=" + dir.path + "/linked/x.log: the log file's directory " + dir.path +
             "/linked is a symbolic link, which tlsoverride does not follow; name the real directory; logging to "
             "standard error"},
        {"a symlink", dir.path + "/real/link.log",
         "TLSOVERRIDE_LOG_FILE=" + dir.path +
             "/real/link.log: cannot open the log file: it is a symbolic link, which tlsoverride does not follow; "
             "logging to standard error"},
        {"a FIFO with no reader (must not block)", dir.path + "/fifo.log",
         "TLSOVERRIDE_LOG_FILE=" + dir.path +
             "/fifo.log: the log file is not a regular file (a FIFO or socket); logging to standard error"},
        {"a file with two hard links", dir.path + "/second-name.log",
         "TLSOVERRIDE_LOG_FILE=" + dir.path +
             "/second-name.log: the log file has 2 hard links; tlsoverride writes only to a file with one (a planted "
             "link would point at another file); logging to standard error"},
        {"a missing directory", dir.path + "/missing/x.log",
         "TLSOVERRIDE_LOG_FILE=" + dir.path + "/missing/x.log: cannot open the log file's directory " + dir.path +
             "/missing: No such file or directory; logging to standard error"},
        {"a directory", dir.path + "/real/",
         "TLSOVERRIDE_LOG_FILE=" + dir.path + "/real/: the log file names a directory, not a file; logging to "
                                              "standard error"},
    };
    if (geteuid() == 0) {
        std::string theirs = dir.write("theirs.log", "");
        REQUIRE(chown(theirs.c_str(), 65534, 65534) == 0);
        cases.push_back({"a file owned by another user", theirs,
                         "TLSOVERRIDE_LOG_FILE=" + theirs +
                             ": the log file is owned by uid 65534, neither this process's user (uid 0) nor root; "
                             "tlsoverride does not write into another user's file; logging to standard error"});
    }
    alarm(10);  // a FIFO opened without O_NONBLOCK would block for ever: fail instead of hanging
    for (const Case& c : cases) {
        INFO(c.what);
        Log log;
        CHECK(open_from_environment(log, c.path) == c.expected);
        CHECK(descriptor_of(c.path) == -1);  // nothing left open
    }
    alarm(0);
    CHECK_FALSE(exists("relative.log"));  // not created in the working directory
    CHECK_FALSE(exists(dir.path + "/real/x.log"));
    CHECK(contents(target) == "");
    CHECK(contents(linked_twice) == "");
}

TEST_CASE("a FIFO with a reader is refused too, and the reader gets nothing") {
    TempDir dir;
    std::string fifo = dir.path + "/fifo.log";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    Log log;
    CHECK(open_from_environment(log, fifo) ==
          "TLSOVERRIDE_LOG_FILE=" + fifo +
              ": the log file is not a regular file (a FIFO, socket or device); logging to standard error");
    char byte;
    CHECK(read(reader, &byte, 1) == 0);  // no writer left, nothing written
    close(reader);
}

TEST_CASE("a refusal of [log] file names its place in the configuration file") {
    Log log;
    CHECK(log.open(LogLevel::Warn, LogFormat::Text, "var/x.log", "unit", "/etc/tlsoverride/config.toml:3:8") ==
          "/etc/tlsoverride/config.toml:3:8: [log] file = var/x.log: the log file is a relative path, which would "
          "follow the program's working directory; write an absolute path; logging to standard error");
}

TEST_CASE("after the program closes the log's descriptor and reuses its number, lines go to the log file again") {
    TempDir dir;
    std::string path = dir.path + "/tlsoverride.log";
    std::string database = dir.write("database", "RECORDS\n");
    Log log;
    REQUIRE(open_from_environment(log, path) == "");
    log.write(LogLevel::Warn, "before the daemon closed it");
    int number = descriptor_of(path);
    REQUIRE(number > 2);
    CHECK((fcntl(number, F_GETFD) & FD_CLOEXEC) != 0);  // not inherited by the program's children

    // What a daemon does: close every descriptor, then open its own files.
    close(number);
    int db = ::open(database.c_str(), O_RDWR | O_APPEND);
    REQUIRE(db >= 0);
    if (db != number) {
        REQUIRE(dup2(db, number) == number);
        close(db);
    }
    errno = 1234;
    log.write(LogLevel::Warn, "after the daemon reused the number");
    CHECK(errno == 1234);
    CHECK(contents(database) == "RECORDS\n");  // nothing of ours in the program's file
    std::string text = contents(path);
    CHECK(text.find("before the daemon closed it") != std::string::npos);
    CHECK(text.find("after the daemon reused the number") != std::string::npos);
    int reopened = descriptor_of(path);
    CHECK(reopened != -1);
    CHECK(reopened != number);
    close(number);
    close(reopened);  // the test's own clean-up; the library never closes a number it lost
}

namespace {

// Standard error replaced by the write end of a pipe whose reader is gone, for one test.
struct ReaderlessStderr {
    int saved = dup(2);
    ReaderlessStderr() {
        int ends[2];
        REQUIRE(pipe(ends) == 0);
        close(ends[0]);
        REQUIRE(dup2(ends[1], 2) == 2);
        close(ends[1]);
    }
    ~ReaderlessStderr() {
        dup2(saved, 2);
        close(saved);
    }
    ReaderlessStderr(const ReaderlessStderr&) = delete;
    ReaderlessStderr& operator=(const ReaderlessStderr&) = delete;
};

bool sigpipe_pending() {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

TEST_CASE("a line to a standard error pipe with no reader raises no SIGPIPE and keeps errno") {
    // SIGPIPE's default action would end this test process: the test fails by dying.
    struct sigaction dfl {}, old {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, &old);
    {
        ReaderlessStderr pipe_without_reader;
        Log log;
        REQUIRE(log.open(LogLevel::Warn, LogFormat::Text, "", "unit") == "");
        errno = 4321;
        log.write(LogLevel::Warn, "nobody reads this");
        CHECK(errno == 4321);
        CHECK_FALSE(sigpipe_pending());

        // A SIGPIPE the program already had pending (blocked) stays pending: it is the program's.
        sigset_t pipe_only, mask;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_only, &mask);
        raise(SIGPIPE);
        REQUIRE(sigpipe_pending());
        log.write(LogLevel::Warn, "nobody reads this either");
        CHECK(sigpipe_pending());
        const struct timespec now = {0, 0};
        CHECK(sigtimedwait(&pipe_only, nullptr, &now) == SIGPIPE);
        // ... and the mask is the program's again.
        sigset_t after;
        pthread_sigmask(SIG_SETMASK, nullptr, &after);
        CHECK(sigismember(&after, SIGPIPE) == 1);
        pthread_sigmask(SIG_SETMASK, &mask, nullptr);
    }
    sigaction(SIGPIPE, &old, nullptr);
}
