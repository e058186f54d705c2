// Running COMMAND under the library and reading its records. See diagnose_observe.hpp.
#include "diagnose_observe.hpp"

#include "diagnose_records.hpp"
#include "run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>

namespace tlso::diagnose {

namespace {

std::string private_directory() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp == '/' ? tmp : "/tmp") + "/tlsoverride-diagnose.XXXXXX";
    if (!mkdtemp(pattern.data())) return "";
    return pattern;
}

// The level the records need: records are written at "error" and above, so a
// configuration or environment that turned the log off would hide them.
std::string observer_log_level() {
    const char* level = std::getenv("TLSOVERRIDE_LOG");
    if (level && *level && std::string_view(level) != "off") return level;
    return "warn";
}

[[noreturn]] void become_command(const ObserveRequest& request, const std::string& log_file, int report_fd) {
    for (const auto& [name, value] : request.variables) setenv(name.c_str(), value.c_str(), 1);
    setenv("TLSOVERRIDE_LOG_HANDSHAKES", "1", 1);
    setenv("TLSOVERRIDE_LOG_FORMAT", "json", 1);
    setenv("TLSOVERRIDE_LOG_FILE", log_file.c_str(), 1);
    setenv("TLSOVERRIDE_LOG", observer_log_level().c_str(), 1);
    setenv("LD_PRELOAD", preload_list(request.library, std::getenv("LD_PRELOAD")).c_str(), 1);
    if (request.stdout_to_stderr) dup2(STDERR_FILENO, STDOUT_FILENO);
    if (request.stdin_from_null) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, STDIN_FILENO);
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    // diagnose ignores SIGPIPE for its probes; an ignored signal would survive exec.
    signal(SIGPIPE, request.sigpipe_ignored ? SIG_IGN : SIG_DFL);
    execvp(request.command[0], request.command);
    int error = errno;
    (void)!write(report_fd, &error, sizeof error);
    _exit(127);
}

void read_log(const std::string& path, Observation& observation) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (std::optional<HandshakeRecord> r = parse_record(line)) observation.handshakes.push_back(std::move(*r));
        else if (std::optional<std::string> e = library_error(line)) observation.library_errors.push_back(*e);
    }
}

}  // namespace

Observation observe(const ObserveRequest& request) {
    Observation observation;
    std::string directory = private_directory();
    if (directory.empty()) {
        observation.setup_error = std::string("cannot make a private directory for the handshake records: ") + std::strerror(errno) +
                                  " (set TMPDIR to a writable directory)";
        return observation;
    }
    std::string log_file = directory + "/handshakes.json";

    // The child reports a failed exec through a close-on-exec pipe: end of file
    // without data means COMMAND is running.
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        observation.setup_error = std::string("cannot make a pipe: ") + std::strerror(errno);
        rmdir(directory.c_str());
        return observation;
    }
    // Like system(3): a ^C is COMMAND's to handle; we wait, read, clean up.
    struct sigaction ignore {}, old_int {}, old_quit {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);

    std::fflush(nullptr);
    pid_t child = fork();
    if (child == 0) become_command(request, log_file, report[1]);
    close(report[1]);
    if (child < 0) {
        observation.error = errno;
    } else {
        int error = 0;
        ssize_t n;
        do n = read(report[0], &error, sizeof error);
        while (n < 0 && errno == EINTR);
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        if (n == static_cast<ssize_t>(sizeof error)) {
            observation.error = error;
        } else {
            observation.ran = true;
            if (WIFSIGNALED(status)) {
                observation.signal = WTERMSIG(status);
                observation.status = 128 + observation.signal;
            } else {
                observation.status = WEXITSTATUS(status);
            }
        }
    }
    close(report[0]);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);

    read_log(log_file, observation);
    unlink(log_file.c_str());
    rmdir(directory.c_str());
    return observation;
}

// `tlsoverride doctor PROGRAM`, run as this same binary: its verdict, from the line
// that starts with yes/no/cannot tell on.
std::string doctor_verdict(const char* program, bool& governed) {
    int out[2];
    governed = true;
    if (pipe(out) != 0) return "";
    std::fflush(nullptr);
    pid_t child = fork();
    if (child == 0) {
        dup2(out[1], STDOUT_FILENO);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        execl("/proc/self/exe", "tlsoverride", "doctor", "--", program, static_cast<char*>(nullptr));
        _exit(127);
    }
    close(out[1]);
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = read(out[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
    close(out[0]);
    int status = 0;
    if (child > 0)
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
    governed = child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::string verdict;
    bool in_verdict = false;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? text.size() : end + 1;
        if (line.starts_with("yes") || line.starts_with("no:") || line.starts_with("cannot tell")) in_verdict = true;
        if (in_verdict) verdict += "  " + line + "\n";
    }
    return verdict;
}

}  // namespace tlso::diagnose
