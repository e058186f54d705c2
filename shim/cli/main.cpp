// tlsoverride: the command-line tool. Dispatches to one subcommand per file.
#include "commands.hpp"

#include <cstdio>
#include <cstring>

namespace {

constexpr const char* usage =
    "usage: tlsoverride COMMAND [ARGS...]\n"
    "\n"
    "Makes unmodified OpenSSL programs negotiate the TLS versions and algorithms you choose.\n"
    "\n"
    "commands:\n"
    "  run [FLAGS] [--] COMMAND [ARGS...]   run COMMAND with the policy applied\n"
    "  check [FILE]                         validate a configuration file, print the policy\n"
    "  explain [--program P] [--host H] [--role client|server]\n"
    "                                       show the effective settings and where each comes from\n"
    "  doctor PROGRAM                       can tlsoverride govern PROGRAM, and why\n"
    "  probe HOST[:PORT]                    what a server accepts, and the rule that lets a client in\n"
    "  diagnose [--write FILE] [--verify] -- COMMAND [ARGS...]\n"
    "                                       run COMMAND, find why its handshakes fail, write the rule\n"
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
};

}  // namespace

int main(int argc, char** argv) {
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
    std::fprintf(stderr, "tlsoverride: unknown command '%s' (use run, check, explain, doctor, probe or diagnose)\n", argv[1]);
    return 2;
}
