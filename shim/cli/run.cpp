// tlsoverride run: turns flags into TLSOVERRIDE_* variables, puts the library first in
// LD_PRELOAD and becomes COMMAND (execvp), so COMMAND's exit status is ours and every
// program COMMAND starts inherits the same environment, hence the same policy.
#include "commands.hpp"
#include "executable.hpp"
#include "run.hpp"
#include "runtimes.hpp"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The install-time library directory; the Makefile passes it. A build without it still
// finds the library beside the binary or under ../lib/tlsoverride.
#ifndef TLSO_MULTIARCH
#define TLSO_MULTIARCH ""
#endif
#ifndef TLSO_LIBDIR
#define TLSO_LIBDIR "/usr/local/lib/tlsoverride"
#endif

namespace {

// Exit statuses of our own, chosen like env(1)'s so that they rarely collide with
// COMMAND's: anything else is COMMAND's status.
constexpr int exit_usage = 2;
constexpr int exit_no_library = 125;
constexpr int exit_refused = 126;
constexpr int exit_cannot_run = 127;

constexpr const char* preload_name = "libtlsoverride.so";
constexpr const char* engine_name = "libtlsoverride-engine.so";

struct SettingFlag {
    std::string_view name;  // without the leading "--"
    const char* variable;
    const char* value;      // the placeholder in --help
    const char* help;
};

// One line per row of the design's Settings table; the library validates the values.
constexpr SettingFlag setting_flags[] = {
    {"min-protocol", "TLSOVERRIDE_MIN_PROTOCOL", "VERSION", "lowest protocol: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"},
    {"max-protocol", "TLSOVERRIDE_MAX_PROTOCOL", "VERSION", "highest protocol, same names"},
    {"ciphers", "TLSOVERRIDE_CIPHERS", "LIST", "TLSv1.2-and-below cipher list (OpenSSL syntax)"},
    {"ciphersuites", "TLSOVERRIDE_CIPHERSUITES", "LIST", "TLSv1.3 ciphersuites (OpenSSL syntax)"},
    {"groups", "TLSOVERRIDE_GROUPS", "LIST", "key-exchange groups, e.g. X25519:P-256"},
    {"signature-algorithms", "TLSOVERRIDE_SIGNATURE_ALGORITHMS", "LIST", "e.g. RSA+SHA256:ECDSA+SHA256"},
    {"security-level", "TLSOVERRIDE_SECURITY_LEVEL", "N", "OpenSSL security level, 0 to 5"},
    {"options", "TLSOVERRIDE_OPTIONS", "NAMES", "OpenSSL Options names, comma-separated"},
    {"gnutls-priority", "TLSOVERRIDE_GNUTLS_PRIORITY", "TOKENS", "GnuTLS priority tokens, appended after the translation"},
    {"mode", "TLSOVERRIDE_MODE", "MODE", "default (program may change later) or enforce"},
    {"on-error", "TLSOVERRIDE_ON_ERROR", "ACTION", "bad configuration: fail (default) or ignore"},
    {"log", "TLSOVERRIDE_LOG", "LEVEL", "off, error, warn (default), info, debug"},
    {"log-file", "TLSOVERRIDE_LOG_FILE", "PATH", "log here instead of standard error"},
    {"log-format", "TLSOVERRIDE_LOG_FORMAT", "FORMAT", "text (default) or json"},
    {"log-handshakes", "TLSOVERRIDE_LOG_HANDSHAKES", "[BOOL]", "one record per handshake (true when bare)"},
    {"config", "TLSOVERRIDE_CONFIG", "FILE", "configuration file (default /etc/tlsoverride/config.toml)"},
};

void print_help(FILE* out) {
    std::fputs("usage: tlsoverride run [FLAGS] [--] COMMAND [ARGS...]\n"
               "\n"
               "Runs COMMAND with the tlsoverride library preloaded and the flags below applied;\n"
               "programs COMMAND starts inherit them. Each flag sets the TLSOVERRIDE_* variable of\n"
               "the same name, which overrides the configuration file (see tlsoverride(1)).\n"
               "\n",
               out);
    for (const SettingFlag& f : setting_flags) {
        std::string left = "--" + std::string(f.name) + " " + f.value;
        std::fprintf(out, "  %-32s %s\n", left.c_str(), f.help);
    }
    std::fputs("  -h, --help                       this text\n"
               "      --version                    version, and the library that would be preloaded\n"
               "      --print-env                  print the environment run would set for COMMAND, one\n"
               "                                   VAR=value line each (a systemd EnvironmentFile=), and exit\n"
               "\n"
               "Exit status: COMMAND's; 2 usage error, or a bad configuration for a Java or node\n"
               "COMMAND; 125 library not found; 126 COMMAND is setuid, setgid or has file\n"
               "capabilities (ld.so would ignore the library); 127 COMMAND not found or not runnable.\n"
               "\n"
               "example: tlsoverride run --min-protocol TLSv1.2 --log info -- ./legacy-client host\n",
               out);
}

// ---- the command line -------------------------------------------------------------

struct RunRequest {
    std::vector<std::pair<const char*, std::string>> variables;  // TLSOVERRIDE_* = value
    char** command = nullptr;                                   // NULL-terminated, argv-style
    bool help = false;
    bool version = false;
    bool print_env = false;
};

const SettingFlag* setting_flag_named(std::string_view name) {
    for (const SettingFlag& f : setting_flags)
        if (f.name == name) return &f;
    return nullptr;
}

bool is_boolean_word(std::string_view s) {
    return s == "true" || s == "false" || s == "1" || s == "0";
}

// A relative --config or --log-file is read by COMMAND, which may change directory before
// its first TLS call (daemons chdir to /), so it is anchored to where `run` was started.
std::string anchored_path(const std::string& value) {
    if (value.empty() || value.front() == '/') return value;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return value;
    return std::string(cwd) + "/" + value;
}

std::string value_for(const SettingFlag& f, std::string value) {
    if (f.name == "config" || f.name == "log-file") return anchored_path(value);
    return value;
}

// Fills REQUEST from ARGV; returns an empty string or the usage error to print.
std::string parse_run_arguments(int argc, char** argv, RunRequest& request) {
    int i = 1;
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg == "-h" || arg == "--help") {
            request.help = true;
            return "";
        }
        if (arg == "--version") {
            request.version = true;
            return "";
        }
        if (arg == "--print-env") {
            request.print_env = true;
            continue;
        }
        if (arg.size() < 2 || arg[0] != '-') break;  // COMMAND starts here
        if (arg.substr(0, 2) != "--")
            return "unknown flag '" + std::string(arg) + "' (flags are long, e.g. --min-protocol; see --help)";

        std::string_view body = arg.substr(2);
        size_t eq = body.find('=');
        std::string_view name = body.substr(0, eq);
        const SettingFlag* flag = setting_flag_named(name);
        if (!flag)
            return "unknown flag '--" + std::string(name) + "' (see tlsoverride run --help; put -- before COMMAND if it starts with -)";

        std::string value;
        if (eq != std::string_view::npos) {
            value = std::string(body.substr(eq + 1));
        } else if (flag->name == "log-handshakes") {
            // A bare --log-handshakes means true; it takes the next word only when that is a
            // boolean, so `--log-handshakes curl ...` still runs curl.
            if (i + 1 < argc && is_boolean_word(argv[i + 1])) value = argv[++i];
            else value = "true";
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return "--" + std::string(name) + " needs a value: --" + std::string(name) + " " + flag->value;
        }
        request.variables.emplace_back(flag->variable, value_for(*flag, value));
    }
    if (i >= argc) return "no COMMAND given (usage: tlsoverride run [FLAGS] [--] COMMAND [ARGS...])";
    request.command = argv + i;
    return "";
}

// ---- the library --------------------------------------------------------------------

std::string directory_of_this_program() {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return "";
    self[n] = '\0';
    std::string path(self);
    return path.substr(0, path.rfind('/'));
}

// Where a relocated install keeps the library, relative to its bin directory: the tail of
// the compiled-in directory from its last "lib/" on ("lib/tlsoverride" or, for
// PREFIX=/usr, "lib/x86_64-linux-gnu/tlsoverride"). This is what makes an install staged
// with DESTDIR, or copied elsewhere, work.
std::string libdir_below_prefix() {
    std::string_view libdir = TLSO_LIBDIR;
    size_t at = libdir.rfind("/lib/");
    return at == std::string_view::npos ? "lib/tlsoverride" : std::string(libdir.substr(at + 1));
}

}  // namespace

// The compiled-in directory first, then the build tree (beside this binary), then the
// relocated install. Stage 1 loads the engine from its own directory, so a directory
// only counts when both files are there.
LibrarySearch find_library() {
    LibrarySearch search;
    std::string here = directory_of_this_program();
    std::vector<std::string> dirs = {TLSO_LIBDIR};
    if (!here.empty()) {
        dirs.push_back(here);
        dirs.push_back(here + "/../" + libdir_below_prefix());
        dirs.push_back(here + "/../lib/tlsoverride");
    }
    for (const std::string& dir : dirs) {
        search.looked.push_back(dir);
        std::string preload = dir + "/" + preload_name;
        if (access(preload.c_str(), R_OK) != 0) continue;
        if (access((dir + "/" + engine_name).c_str(), R_OK) != 0) {
            if (search.missing_engine_in.empty()) search.missing_engine_in = dir;
            continue;
        }
        char resolved[PATH_MAX];
        if (!realpath(preload.c_str(), resolved)) continue;
        search.path = resolved;
        return search;
    }
    return search;
}

// An installed library in a multiarch directory, ".../lib/x86_64-linux-gnu/tlsoverride/",
// is named ".../$LIB/tlsoverride/" in LD_PRELOAD: ld.so expands $LIB per program
// ("lib/x86_64-linux-gnu", "lib/i386-linux-gnu", or "lib32" with Debian's biarch
// libc6-i386), so one value serves 64- and 32-bit programs alike, each getting the
// library of its own class (make install puts the i386 one in both 32-bit places).
std::string preload_value(const std::string& path) {
    const std::string tail = std::string("/lib/") + TLSO_MULTIARCH + "/tlsoverride/" + preload_name;
    if (std::string_view(TLSO_MULTIARCH).empty() || path.size() <= tail.size() ||
        path.compare(path.size() - tail.size(), tail.size(), tail) != 0)
        return path;
    return path.substr(0, path.size() - tail.size()) + "/$LIB/tlsoverride/" + preload_name;
}

void report_missing_library(const LibrarySearch& search, const char* who) {
    std::string looked;
    for (const std::string& dir : search.looked) looked += "\n  " + dir;
    if (!search.missing_engine_in.empty())
        std::fprintf(stderr,
                     "%s: %s/%s is there but %s is not beside it; both files must be "
                     "installed in the same directory (make install, or make in the build tree)\n",
                     who, search.missing_engine_in.c_str(), preload_name, engine_name);
    std::fprintf(stderr, "%s: cannot find %s; looked in:%s\n"
                         "Install tlsoverride (make install) or run this binary from its build directory.\n",
                 who, preload_name, looked.c_str());
}

std::optional<std::string> preload_library_path(const char* who) {
    LibrarySearch library = find_library();
    if (library.path.empty()) {
        report_missing_library(library, who);
        return std::nullopt;
    }
    // ld.so would split a path with a space or colon into two entries.
    if (library.path.find_first_of(" :") != std::string::npos) {
        std::fprintf(stderr, "%s: the library path %s contains a space or colon, which "
                             "LD_PRELOAD cannot express; install tlsoverride under a plain path\n",
                     who, library.path.c_str());
        return std::nullopt;
    }
    return library.path;
}

// ---- LD_PRELOAD --------------------------------------------------------------------

namespace {

bool is_tlsoverride_entry(std::string_view entry) {
    size_t slash = entry.rfind('/');
    std::string_view base = slash == std::string_view::npos ? entry : entry.substr(slash + 1);
    return base == preload_name;
}

}  // namespace

// LIBRARY first, then the existing entries in their order. ld.so splits the list on
// spaces and colons; we write colons. Any other copy of our stage 1 (a nested run, or a
// different install) is dropped: two copies would both interpose the same functions.
std::string preload_list(const std::string& library, const char* existing) {
    std::string list = preload_value(library);
    std::string_view rest = existing ? existing : "";
    while (!rest.empty()) {
        size_t end = rest.find_first_of(" :");
        std::string_view entry = rest.substr(0, end);
        if (!entry.empty() && !is_tlsoverride_entry(entry)) {
            list += ':';
            list += entry;
        }
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    return list;
}

// ---- running COMMAND ----------------------------------------------------------------

// Secure execution makes ld.so ignore LD_PRELOAD without a word, so the program would run
// unprotected while looking governed. torsocks refuses for the same reason.
bool refuse_privileged(const std::string& path, const char* who) {
    std::optional<FileMode> mode = file_mode_of(path);
    if (!mode) return false;  // execvp will report it
    std::string reason = secure_execution_reason(*mode);
    if (reason.empty()) return false;
    std::fprintf(stderr,
                 "%s: refusing to run %s: %s; mode %s.\n"
                 "ld.so ignores LD_PRELOAD for setuid, setgid and file-capability programs, so the\n"
                 "program would run without the policy. Use the program's own TLS settings, or see\n"
                 "'Setuid programs' in tlsoverride(1) for the system-wide /etc/ld.so.preload route.\n",
                 who, path.c_str(), reason.c_str(), describe_mode(*mode).c_str());
    return true;
}

void report_cannot_run(const char* command, int error, const char* who) {
    if (error == ENOENT && !std::strchr(command, '/'))
        std::fprintf(stderr, "%s: %s: command not found in PATH (%s)\n", who, command,
                     std::getenv("PATH") ? std::getenv("PATH") : "unset");
    else
        std::fprintf(stderr, "%s: cannot run %s: %s\n", who, command, std::strerror(error));
}

namespace {

int report_cannot_run(const char* command, int error) {
    ::report_cannot_run(command, error, "tlsoverride run");
    return exit_cannot_run;
}

int print_version() {
    LibrarySearch search = find_library();
    std::printf("tlsoverride run %s\n", TLSO_VERSION);
    if (!search.path.empty()) {
        std::printf("library: %s\n", search.path.c_str());
        return 0;
    }
    std::printf("library: not found; looked in:\n");
    for (const std::string& dir : search.looked) std::printf("  %s\n", dir.c_str());
    return 0;
}

}  // namespace

int command_run(int argc, char** argv) {
    RunRequest request;
    std::string error = parse_run_arguments(argc, argv, request);
    if (request.help) {
        print_help(stdout);
        return 0;
    }
    if (request.version) return print_version();
    if (!error.empty()) {
        std::fprintf(stderr, "tlsoverride run: %s\n", error.c_str());
        return exit_usage;
    }

    const char* command = request.command[0];
    std::optional<std::string> program = find_program(command);
    if (!program) return report_cannot_run(command, ENOENT);
    if (refuse_privileged(*program, "tlsoverride run")) return exit_refused;

    std::optional<std::string> library = preload_library_path("tlsoverride run");
    if (!library) return exit_no_library;

    for (const auto& [variable, value] : request.variables) setenv(variable, value.c_str(), 1);
    // Java and node carry their own TLS: the policy is translated for them (runtimes.cpp).
    RuntimeSetup runtime = runtime_setup(recognise_runtime(*program), command, library->substr(0, library->rfind('/')));
    if (!runtime.ok) return exit_usage;
    runtime.variables.insert(runtime.variables.begin(),
                             {"LD_PRELOAD", preload_list(*library, std::getenv("LD_PRELOAD"))});
    if (request.print_env) {
        EnvironmentVariables all(request.variables.begin(), request.variables.end());
        all.insert(all.end(), runtime.variables.begin(), runtime.variables.end());
        return print_environment(all);
    }
    for (const auto& [variable, value] : runtime.variables) setenv(variable.c_str(), value.c_str(), 1);
    execvp(command, request.command);
    return report_cannot_run(command, errno);
}
