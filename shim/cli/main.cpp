// tlsoverride: the command-line tool. Dispatches to one subcommand per file.
#include "commands.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

constexpr const char* usage =
    "usage: tlsoverride COMMAND [ARGS...]\n"
    "\n"
    "Makes unmodified OpenSSL programs negotiate the TLS versions and algorithms you choose.\n"
    "\n"
    "commands:\n"
    "  run [FLAGS] [--] COMMAND [ARGS...]   run COMMAND with the policy applied\n"
    "  check [--json] [FILE]                validate a configuration file, print the policy\n"
    "  explain [--program P] [--host H] [--role client|server] [--json]\n"
    "                                       show the effective settings and where each comes from\n"
    "  doctor [--json] PROGRAM              can tlsoverride govern PROGRAM, and why\n"
    "  probe [--json] HOST[:PORT]           what a server accepts, and the rule that lets a client in\n"
    "  diagnose [--write FILE] [--verify] -- COMMAND [ARGS...]\n"
    "                                       run COMMAND, find why its handshakes fail, write the rule\n"
    "  status [--json]                      which running processes have the library, and their policy\n"
    "\n"
    "Run 'tlsoverride COMMAND --help' for a command's flags.\n"
    "example: tlsoverride run --min-protocol TLSv1.2 -- ./legacy-client\n";

struct Command {
    const char* name;
    int (*main)(int, char**);
};

constexpr Command commands[] = {
    {"run", command_run},         {"check", command_check}, {"explain", command_explain},
    {"doctor", command_doctor},   {"probe", command_probe},
    {"diagnose", command_diagnose},
    {"status", command_status},
};

// ---- never governed by our own library ------------------------------------------------
// With LD_PRELOAD exported (a shell, a systemd drop-in), ld.so loads libtlsoverride.so into
// this command too, and the library would then apply the policy to probe's handshakes and
// fail check's own OpenSSL validation closed. The design says the command is never
// governed, so it starts itself again without that entry before it does anything. The
// rest of LD_PRELOAD is kept (the user put it there); `run` adds the library back for the
// program it starts.
bool is_own_library(std::string_view entry) {
    std::size_t slash = entry.rfind('/');
    return (slash == std::string_view::npos ? entry : entry.substr(slash + 1)) == "libtlsoverride.so";
}

void leave_own_preload(char** argv) {
    const char* preload = std::getenv("LD_PRELOAD");
    if (!preload) return;
    std::string kept;
    bool found = false;
    std::string_view rest = preload;
    while (!rest.empty()) {
        std::size_t end = rest.find_first_of(" :");  // ld.so splits on both
        std::string_view entry = rest.substr(0, end);
        if (is_own_library(entry)) found = true;
        else if (!entry.empty()) kept += (kept.empty() ? "" : ":") + std::string(entry);
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    if (!found) return;
    if (kept.empty()) unsetenv("LD_PRELOAD");
    else setenv("LD_PRELOAD", kept.c_str(), 1);
    // The new image no longer names the library, so this happens at most once.
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "tlsoverride: warning: could not restart without libtlsoverride.so in LD_PRELOAD (%s); "
                         "this command's own TLS may be governed by it\n", std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
    leave_own_preload(argv);
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version")) {
        std::printf("tlsoverride %s\n", TLSO_VERSION);
        return 0;
    }
    for (const Command& c : commands)
        if (!std::strcmp(argv[1], c.name)) return c.main(argc - 1, argv + 1);
    std::fprintf(stderr, "tlsoverride: unknown command '%s' (use run, check, explain, doctor, probe, diagnose or status)\n", argv[1]);
    return 2;
}
