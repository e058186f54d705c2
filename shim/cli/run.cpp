// tlsoverride run: turns flags into TLSOVERRIDE_* variables, puts the library first in
// LD_PRELOAD and becomes COMMAND (execvp), so COMMAND's exit status is ours and every
// program COMMAND starts inherits the same environment, hence the same policy.
#include "args.hpp"
#include "commands.hpp"
#include "run.hpp"
#include "runtimes.hpp"
#include "doctor.hpp"
#include "executable.hpp"
#include "linked_openssl.hpp"
#include "core/log.hpp"
#include "core/process_config.hpp"

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

// Debian's multiarch triplet ("x86_64-linux-gnu"), from the compiler; the Makefile passes
// it. It is a property of the build, not of PREFIX, so `make install` never recompiles.
#ifndef TLSO_MULTIARCH
#define TLSO_MULTIARCH ""
#endif

using namespace tlso::cli;

namespace {

// Exit statuses of our own, chosen like env(1)'s so that they rarely collide with
// COMMAND's: anything else is COMMAND's status.
constexpr int exit_no_library = 125;
constexpr int exit_refused = 126;
constexpr int exit_cannot_run = 127;

constexpr const char* preload_name = "libtlsoverride.so";
constexpr const char* engine_name = "libtlsoverride-engine.so";

// A flag that sets one TLSOVERRIDE_* variable: one line per row of the design's Settings
// table; the values are checked (as the library will read them) before COMMAND starts.
struct SettingFlag {
    Option option;
    const char* variable;
};

constexpr SettingFlag setting_flags[] = {
    {{"min-protocol", 0, Takes::Value, "VERSION", "lowest protocol: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"}, "TLSOVERRIDE_MIN_PROTOCOL"},
    {{"max-protocol", 0, Takes::Value, "VERSION", "highest protocol, same names"}, "TLSOVERRIDE_MAX_PROTOCOL"},
    {{"ciphers", 0, Takes::Value, "LIST", "TLSv1.2-and-below cipher list (OpenSSL syntax)"}, "TLSOVERRIDE_CIPHERS"},
    {{"ciphersuites", 0, Takes::Value, "LIST", "TLSv1.3 ciphersuites (OpenSSL syntax)"}, "TLSOVERRIDE_CIPHERSUITES"},
    {{"groups", 0, Takes::Value, "LIST", "key-exchange groups, e.g. X25519:P-256"}, "TLSOVERRIDE_GROUPS"},
    {{"signature-algorithms", 0, Takes::Value, "LIST", "e.g. RSA+SHA256:ECDSA+SHA256"}, "TLSOVERRIDE_SIGNATURE_ALGORITHMS"},
    {{"security-level", 0, Takes::Value, "N", "OpenSSL security level, 0 to 5"}, "TLSOVERRIDE_SECURITY_LEVEL"},
    {{"options", 0, Takes::Value, "NAMES", "OpenSSL Options names, comma-separated"}, "TLSOVERRIDE_OPTIONS"},
    {{"gnutls-priority", 0, Takes::Value, "TOKENS", "GnuTLS priority tokens, appended after the translation"}, "TLSOVERRIDE_GNUTLS_PRIORITY"},
    {{"mode", 0, Takes::Value, "MODE", "default (program may change later) or enforce"}, "TLSOVERRIDE_MODE"},
    {{"on-error", 0, Takes::Value, "ACTION", "bad configuration: fail (default) or ignore"}, "TLSOVERRIDE_ON_ERROR"},
    {{"log", 0, Takes::Value, "LEVEL", "off, error, warn (default), info, debug"}, "TLSOVERRIDE_LOG"},
    {{"log-file", 0, Takes::Value, "PATH", "log here (or \"syslog\") instead of standard error"}, "TLSOVERRIDE_LOG_FILE"},
    {{"log-format", 0, Takes::Value, "FORMAT", "text (default) or json"}, "TLSOVERRIDE_LOG_FORMAT"},
    {{"log-handshakes", 0, Takes::Switch, "BOOL", "one record per handshake (a value only with =)"}, "TLSOVERRIDE_LOG_HANDSHAKES"},
    {{"config", 0, Takes::Value, "FILE", "configuration file (default /etc/tlsoverride/config.toml)"}, "TLSOVERRIDE_CONFIG"},
};

// run's own flags, one line each.
constexpr Option run_flags[] = {
    {"quiet", 'q', Takes::Nothing, "", "no warnings from run itself (the library's own log: --log)"},
    {"print-env", 0, Takes::Nothing, "", "print the environment run would set for COMMAND (VAR=value lines, for a systemd EnvironmentFile=), and exit"},
};

const std::vector<Option>& all_run_options() {
    static const std::vector<Option> all = [] {
        std::vector<Option> v;
        for (const SettingFlag& f : setting_flags) v.push_back(f.option);
        v.insert(v.end(), std::begin(run_flags), std::end(run_flags));
        return v;
    }();
    return all;
}

void print_help(FILE* out) {
    std::fputs("usage: tlsoverride run [FLAGS] [--] COMMAND [ARGS...]\n"
               "\n"
               "Runs COMMAND with the tlsoverride library preloaded and the flags below applied;\n"
               "programs COMMAND starts inherit them. Each setting flag sets the TLSOVERRIDE_*\n"
               "variable of the same name, which overrides the configuration file (see\n"
               "tlsoverride(1)). The settings are checked before COMMAND starts.\n"
               "\n",
               out);
    print_options(out, all_run_options());
    std::fputs("\n"
               "Exit status: COMMAND's; 2 usage error, a flag's value is invalid, or a bad\n"
               "configuration for a Java or node COMMAND; 125 library not\n"
               "found, or the configuration is invalid (with on_error = \"fail\"); 126 COMMAND is\n"
               "setuid, setgid or has file capabilities (ld.so would ignore the library);\n"
               "127 COMMAND not found or not runnable.\n"
               "\n"
               "example: tlsoverride run --min-protocol TLSv1.2 --log info -- ./legacy-client host\n",
               out);
}

// ---- the command line -------------------------------------------------------------

struct RunRequest {
    std::vector<std::pair<const char*, std::string>> variables;  // TLSOVERRIDE_* = value
    char** command = nullptr;                                   // NULL-terminated, argv-style
    bool quiet = false;
    bool print_env = false;
};

const SettingFlag* setting_flag_named(std::string_view name) {
    for (const SettingFlag& f : setting_flags)
        if (f.option.name == name) return &f;
    return nullptr;
}

// A relative --config or --log-file is read by COMMAND, which may change directory before
// its first TLS call (daemons chdir to /), so it is anchored to where `run` was started.
std::string anchored_path(const std::string& value) {
    if (value.empty() || value.front() == '/' || value == "syslog") return value;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return value;
    return std::string(cwd) + "/" + value;
}

std::string value_for(const SettingFlag& f, std::string value) {
    if (f.option.name == "config" || f.option.name == "log-file") return anchored_path(value);
    return value;
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

}  // namespace

// ---- shared with diagnose (run.hpp) -------------------------------------------------

// Relative to this binary only, so that the same file works from the build tree, from
// any PREFIX and from a DESTDIR stage or a moved tree, and `make install` has nothing to
// recompile: BIN/../lib/<multiarch>/tlsoverride (PREFIX=/usr, the Debian package), then
// BIN/../lib/tlsoverride (any other PREFIX), then BIN itself (the build tree). Stage 1
// loads the engine from its own directory, so a directory only counts when both files
// are there.
LibrarySearch find_library() {
    LibrarySearch search;
    std::string here = directory_of_this_program();
    std::vector<std::string> dirs;
    if (!here.empty()) {
        if (*TLSO_MULTIARCH) dirs.push_back(here + "/../lib/" TLSO_MULTIARCH "/tlsoverride");
        dirs.push_back(here + "/../lib/tlsoverride");
        dirs.push_back(here);
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

// The settings COMMAND will see (the flags over the inherited environment), read the way
// the library will read them and checked with OpenSSL, so a typo fails here, at once, and
// not at COMMAND's first TLS context. Returns an exit status when COMMAND must not start.
std::optional<int> check_settings(const RunRequest& request, bool quiet) {
    auto lookup = [&](const char* name) -> const char* {
        for (auto it = request.variables.rbegin(); it != request.variables.rend(); ++it)
            if (!std::strcmp(it->first, name)) return it->second.c_str();
        return std::getenv(name);
    };
    tlso::ProcessConfig pc = tlso::load_process_config(lookup);
    tlso::Diagnostics errors = configuration_errors(pc);
    if (errors.empty()) return std::nullopt;
    // A value given as a flag is reported as the flag; the rest (the file, an inherited
    // variable) as the library would report it.
    bool flag_error = false;
    for (const tlso::Diagnostic& d : errors) {
        std::string where = d.where;
        for (const SettingFlag& f : setting_flags)
            for (const auto& [variable, value] : request.variables)
                if (where == f.variable && !std::strcmp(variable, f.variable)) {
                    where = "--" + std::string(f.option.name);
                    flag_error = true;
                }
        std::fprintf(stderr, "tlsoverride run: %s\n", tlso::one_line(where.empty() ? d.message : where + ": " + d.message).c_str());
    }
    if (flag_error) return exit_usage;
    bool ignore = pc.process.on_error && pc.process.on_error->value == tlso::OnError::Ignore;
    if (ignore) {
        if (!quiet)
            std::fprintf(stderr, "tlsoverride run: warning: on_error = \"ignore\": %s runs unmodified\n", request.command[0]);
        return std::nullopt;
    }
    std::fprintf(stderr, "tlsoverride run: not starting %s: with on_error = \"fail\" every TLS context it made would "
                         "fail (check the configuration with tlsoverride check)\n",
                 request.command[0]);
    return exit_no_library;
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
    const std::vector<Option>& options = all_run_options();
    Arguments args = parse_arguments({"run", options, true}, argc, argv);
    if (args.help) {
        print_help(stdout);
        return 0;
    }
    if (args.version) return print_version();
    if (!args.error.empty()) return usage_error("run", args.error);
    if (!args.rest || !*args.rest) return usage_error("run", "no COMMAND given (usage: tlsoverride run [FLAGS] [--] COMMAND [ARGS...])");

    RunRequest request;
    request.command = args.rest;
    for (const Arguments::Given& g : args.given) {
        if (g.name == "quiet") request.quiet = true;
        else if (g.name == "print-env") request.print_env = true;
        else if (const SettingFlag* f = setting_flag_named(g.name)) request.variables.emplace_back(f->variable, value_for(*f, g.value));
    }

    const char* command = request.command[0];
    std::optional<std::string> program = find_program(command);
    if (!program) return report_cannot_run(command, ENOENT);
    if (refuse_privileged(*program, "tlsoverride run")) return exit_refused;
    if (std::optional<int> refused = check_settings(request, request.quiet)) return *refused;
    if (!request.quiet) {
        std::string unreachable = unreachable_reason(*program);
        if (!unreachable.empty()) std::fprintf(stderr, "tlsoverride run: warning: %s\n", unreachable.c_str());
    }

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
