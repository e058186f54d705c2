// tlsoverride diagnose [--write FILE] [--verify] [--json] -- COMMAND [ARGS...]: runs
// COMMAND once under the library as an observer, probes every server a handshake
// failed with, and prints the rule that lets this program in; --write appends the
// rules to FILE after `check` passes on the result, --verify re-runs COMMAND under it.
//
// Split by idea: diagnose_observe (running COMMAND, its records), diagnose_records
// (reading them), diagnose_peer (probing a failed peer, its outcome), diagnose_rule
// (the smallest rule), diagnose_config (writing it, checked), diagnose_verify (the
// re-run's verdicts), diagnose_report (output).
#include "commands.hpp"
#include "core/log.hpp"
#include "core/process_config.hpp"
#include "diagnose_config.hpp"
#include "diagnose_observe.hpp"
#include "diagnose_peer.hpp"
#include "diagnose_records.hpp"
#include "diagnose_report.hpp"
#include "diagnose_verify.hpp"
#include "executable.hpp"
#include "linked_openssl.hpp"
#include "run.hpp"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace tlso::diagnose;

constexpr const char* who = "tlsoverride diagnose";

// One status per way a diagnosis can end; when several apply, the highest.
constexpr int exit_done = 0;            // nothing failed, or every failed server has a rule
constexpr int exit_no_rule = 1;         // a certificate failure, or no rule lets the program in
constexpr int exit_usage = 2;
constexpr int exit_cannot_probe = 3;    // a failed server cannot be reached, or does not speak TLS
constexpr int exit_nothing_seen = 4;    // no handshake observed
constexpr int exit_bad_config = 5;      // the current configuration, or the written one, fails check
constexpr int exit_still_fails = 6;     // --verify: a server still fails, or one that worked now fails
constexpr int exit_no_library = 125;
constexpr int exit_refused = 126;
constexpr int exit_cannot_run = 127;

constexpr const char* usage_line =
    "usage: tlsoverride diagnose [--write FILE] [--verify] [--json] [--config FILE] [--timeout SECONDS] [--] COMMAND [ARGS...]\n";

void print_help(std::FILE* out) {
    std::fputs(usage_line, out);
    std::fputs("\n"
               "Runs COMMAND once under the tlsoverride library as an observer (handshake records on,\n"
               "the current configuration applied; its output passes through), probes every server a\n"
               "handshake failed with, using the server name the program sent, and prints what the\n"
               "program offered, what the server accepts, and the smallest [[rule]] that lets this\n"
               "program in, each line with its reason. A certificate failure gets no rule:\n"
               "verification is not tlsoverride's to change.\n"
               "\n"
               "  --write FILE       append the rules to FILE (created if missing, e.g.\n"
               "                     /etc/tlsoverride/conf.d/NAME.toml), only if tlsoverride check\n"
               "                     passes on the result\n"
               "  --verify           run COMMAND again under the new configuration (FILE's, or a\n"
               "                     private copy of the current one with the rules) and say whether\n"
               "                     each server now connects; standard input goes to the first run only\n"
               "  --json             one JSON object on standard output (COMMAND's goes to standard error)\n"
               "  --config FILE      the current configuration (default: TLSOVERRIDE_CONFIG, then\n"
               "                     /etc/tlsoverride/config.toml)\n"
               "  --timeout SECONDS  limit for each probe connection and handshake (default 5)\n"
               "  -h, --help         this text\n"
               "      --version      version\n"
               "\n"
               "Exit status (COMMAND's own is in the report):\n"
               "  0  every handshake succeeded, or every failed server has a rule (written and\n"
               "     verified when asked)\n"
               "  1  a server gets no rule: a certificate failure, or nothing found lets COMMAND in\n"
               "  2  usage error\n"
               "  3  a failed server cannot be probed (unreachable, not TLS, closed, timed out)\n"
               "  4  no handshake observed: COMMAND made none, or uses TLS the library cannot see\n"
               "  5  the current configuration, or the one --write would make, fails tlsoverride check,\n"
               "     or FILE cannot be written (nothing is written)\n"
               "  6  --verify: a server still fails, or one that connected before now fails\n"
               "  125 library not found, 126 COMMAND is setuid/setgid/has capabilities, 127 cannot run\n"
               "  When several apply, the highest.\n"
               "\n"
               "example: tlsoverride diagnose --write /etc/tlsoverride/conf.d/billing.toml --verify -- billing-sync\n",
               out);
}

struct Options {
    std::optional<std::string> write;
    std::optional<std::string> config;
    bool verify = false;
    bool json = false;
    std::chrono::milliseconds timeout{5000};
    char** command = nullptr;
};

int usage_error(const std::string& message) {
    std::fprintf(stderr, "%s: %s (see tlsoverride diagnose --help)\n", who, message.c_str());
    return exit_usage;
}

std::string absolute(const std::string& path) {
    if (path.empty() || path.front() == '/') return path;
    char cwd[PATH_MAX];
    return getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + path : path;
}

// Small and self-contained on purpose: `--flag value` and `--flag=value`, up to COMMAND.
std::optional<int> parse_options(int argc, char** argv, Options& options) {
    int i = 1;
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg == "-h" || arg == "--help") return print_help(stdout), exit_done;
        if (arg == "--version") return std::printf("tlsoverride diagnose %s\n", TLSO_VERSION), exit_done;
        if (arg.size() < 2 || arg[0] != '-') break;  // COMMAND starts here
        std::size_t eq = arg.find('=');
        std::string_view name = arg.substr(0, eq);
        if (name == "--verify" || name == "--json") {
            if (eq != std::string_view::npos) return usage_error(std::string(name) + " takes no value");
            (name == "--verify" ? options.verify : options.json) = true;
            continue;
        }
        if (name != "--write" && name != "--config" && name != "--timeout")
            return usage_error("unknown flag '" + std::string(name) + "'; put -- before COMMAND if it starts with -");
        std::string value;
        if (eq != std::string_view::npos) value = std::string(arg.substr(eq + 1));
        else if (i + 1 < argc) value = argv[++i];
        else return usage_error(std::string(name) + " needs a value");
        if (value.empty()) return usage_error(std::string(name) + " needs a value");
        if (name == "--write") options.write = absolute(value);
        else if (name == "--config") options.config = absolute(value);
        else {
            char* end = nullptr;
            double seconds = std::strtod(value.c_str(), &end);
            if (*end != '\0' || !(seconds >= 0.001 && seconds <= 600))
                return usage_error("--timeout takes seconds, more than 0 and at most 600");
            options.timeout = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
        }
    }
    if (i >= argc) return usage_error("no COMMAND given");
    options.command = argv + i;
    return std::nullopt;
}

// The configuration COMMAND runs under now must be good: under a bad one the library
// refuses every context, and the diagnosis would be of that.
bool current_configuration_is_good(std::optional<std::string>& path) {
    tlso::ProcessConfig pc = tlso::load_process_config([](const char* n) { return std::getenv(n); });
    tlso::Diagnostics errors = configuration_errors(pc);
    if (!pc.path.empty()) path = pc.path;
    for (const tlso::Diagnostic& d : errors) std::fprintf(stderr, "%s: %s\n", who, tlso::one_line(d.text()).c_str());
    if (errors.empty()) return true;
    std::fprintf(stderr, "%s: the current configuration%s is invalid, so every TLS context COMMAND creates would "
                         "fail; fix it first (tlsoverride check shows the same errors)\n",
                 who, pc.path.empty() ? "" : (" " + pc.path).c_str());
    return false;
}


// No record at all: the program made no handshake, or made it where the library does
// not reach (another TLS library, an OpenSSL of its own, a helper). doctor tells which.
int nothing_seen(Diagnosis& d, const Options& options) {
    bool governed = true;
    std::string verdict = doctor_verdict(options.command[0], governed);
    const std::string name = d.command.front();
    d.message = "no handshake observed: " + name +
                (governed ? " made none the library saw (it may have failed before connecting, or connect through a "
                            "helper program or library the library does not govern)"
                          : " made none the library saw, and the library cannot govern it") +
                ". tlsoverride doctor " + name + " says:\n" + verdict;
    return exit_nothing_seen;
}

std::size_t failed_as_server(const Observation& o) {
    std::size_t n = 0;
    for (const tlso::HandshakeRecord& r : o.handshakes) n += !r.ok && r.role == tlso::Role::Server;
    return n;
}


std::string count(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// One sentence over every peer: what was found, written and verified.
std::string closing_message(const Diagnosis& d, const Options& options) {
    std::size_t rules = 0, no_rule = 0, unreachable = 0, still_failing = 0;
    for (std::size_t i = 0; i < d.peers.size(); ++i) {
        switch (d.peers[i].outcome) {
            case Outcome::Rule: ++rules; break;
            case Outcome::Certificate:
            case Outcome::NoRule: ++no_rule; break;
            case Outcome::Unreachable: ++unreachable; break;
        }
        if (d.second && d.peers[i].outcome == Outcome::Rule && d.verdicts[i].kind != Verdict::Connects) ++still_failing;
    }
    std::vector<std::string> parts;
    if (rules) {
        std::string text = rules == d.peers.size() ? std::string("every failed server has a rule")
                                                   : count(rules, "failed server has a rule", "failed servers have a rule");
        if (d.write && d.write_file) text += d.write->written ? ", written to " + *d.write_file : "; nothing written";
        else if (d.write && !d.write->written) text += "; the new configuration does not pass tlsoverride check";
        if (d.second)
            text += still_failing ? "; the re-run still fails for " + count(still_failing, "of them", "of them")
                                  : rules == 1 ? "; the re-run connects" : "; the re-run connects to each";
        else if (!options.write)
            text += "; add " + std::string(rules == 1 ? "it" : "them") + " to the configuration, or run again with --write FILE --verify";
        parts.push_back(text);
    }
    if (no_rule) parts.push_back(count(no_rule, "failed server gets no rule", "failed servers get no rule") + " (see above)");
    if (unreachable) parts.push_back(count(unreachable, "failed server cannot be probed", "failed servers cannot be probed") + " (see above)");
    if (!d.regressions.empty())
        parts.push_back(count(d.regressions.size(), "server that connected before now fails", "servers that connected before now fail"));
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : "; ") + part;
    return text;
}

int diagnose(const Options& options) {
    // A probed server that closes early is a reported failure, not a SIGPIPE.
    const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) == SIG_IGN;
    FILE* out = stdout;
    Diagnosis d;
    for (char** word = options.command; *word; ++word) d.command.emplace_back(*word);

    if (options.config) setenv("TLSOVERRIDE_CONFIG", options.config->c_str(), 1);
    std::optional<std::string> current;
    if (!current_configuration_is_good(current)) return exit_bad_config;

    const char* name = options.command[0];
    std::optional<std::string> program = find_program(name);
    if (!program) return report_cannot_run(name, ENOENT, who), exit_cannot_run;
    if (refuse_privileged(*program, who)) return exit_refused;
    std::optional<std::string> library = preload_library_path(who);
    if (!library) return exit_no_library;

    if (!options.json)
        std::fprintf(out, "tlsoverride diagnose: running %s under the library as an observer (configuration: %s)\n\n",
                     command_text(d.command).c_str(), current ? current->c_str() : "none");
    std::fflush(out);
    ObserveRequest request{options.command, *library, {}, options.json, false, sigpipe_ignored};
    d.first = observe(request);
    if (!d.first.setup_error.empty()) return std::fprintf(stderr, "%s: %s\n", who, d.first.setup_error.c_str()), exit_cannot_run;
    if (!d.first.ran) return report_cannot_run(name, d.first.error, who), exit_cannot_run;
    if (!options.json) print_observation(d, out);

    std::vector<FailedPeer> failed = failed_peers(d.first.handshakes);
    if (d.first.handshakes.empty()) {
        d.status = nothing_seen(d, options);
    } else if (failed.empty() && failed_as_server(d.first)) {
        d.status = exit_no_rule;
        std::string hint;
        for (const tlso::HandshakeRecord& r : d.first.handshakes)
            if (!r.ok && hint.empty()) hint = tlso::hint_for(r);
        d.message = std::to_string(failed_as_server(d.first)) + " handshake(s) failed on the server side (clients "
                    "connecting to " + d.command.front() + "); diagnose writes rules for client connections only: run it "
                    "on the client program" + (hint.empty() ? std::string() : "; the record's hint: " + hint);
    } else if (failed.empty()) {
        d.status = exit_done;
        d.message = "every handshake succeeded (" + std::to_string(d.first.handshakes.size()) + "): nothing to change";
    } else {
        d.peers = diagnose_peers(failed, d.command, options.timeout, 8);
        merge_same_target(d.peers);
        for (std::size_t i = 0; i < d.peers.size(); ++i) {
            if (!options.json) print_peer(d.peers[i], i + 1, out);
            Outcome o = d.peers[i].outcome;
            if (o == Outcome::Certificate || o == Outcome::NoRule) d.status = std::max(d.status, exit_no_rule);
            if (o == Outcome::Unreachable) d.status = std::max(d.status, exit_cannot_probe);
        }
        std::vector<const DiagnosedRule*> rules = rules_of(d);
        std::string trial_directory;
        if (!rules.empty() && options.write) {
            d.write_file = options.write;
            d.write = write_checked(*options.write, rules_block(d), rules);
            if (!options.json) print_write(d, out);
            if (!d.write->written) d.status = exit_bad_config;
        } else if (!rules.empty() && options.verify) {
            d.write = trial_configuration(current, rules_block(d), rules, trial_directory);
            for (const std::string& e : d.write->errors) std::fprintf(stderr, "%s: %s\n", who, e.c_str());
            if (!d.write->written) d.status = exit_bad_config;
        } else if (options.write && !options.json) {
            std::fprintf(out, "\ntlsoverride diagnose: no rule to write; %s is unchanged\n", options.write->c_str());
        }
        if (options.verify && d.write && d.write->written) {
            if (!options.json)
                std::fprintf(out, "\ntlsoverride diagnose: verify: running %s again %s\n\n", command_text(d.command).c_str(),
                             d.write_file ? ("with TLSOVERRIDE_CONFIG=" + d.write->configuration).c_str()
                                          : "under the current configuration and the new rules (a private copy)");
            std::fflush(out);
            ObserveRequest again{options.command, *library, {{"TLSOVERRIDE_CONFIG", d.write->configuration}}, options.json,
                                 true, sigpipe_ignored};
            d.second = observe(again);
            d.verdicts = verdicts_of(d.peers, *d.second);
            d.regressions = regressions_of(d.first, *d.second);
            for (std::size_t i = 0; i < d.peers.size(); ++i)
                if (d.peers[i].outcome == Outcome::Rule && d.verdicts[i].kind != Verdict::Connects)
                    d.status = std::max(d.status, exit_still_fails);
            if (!d.regressions.empty()) d.status = std::max(d.status, exit_still_fails);
            if (d.status == exit_still_fails) d.still_fails_hint = still_fails_hint(d, d.write->configuration);
            if (!options.json) print_verdicts(d, out);
        }
        if (!trial_directory.empty()) {
            unlink((trial_directory + "/config.toml").c_str());
            rmdir(trial_directory.c_str());
        }
        d.message = closing_message(d, options);
    }
    if (options.json) print_json(d, out);
    else std::fprintf(out, "\ntlsoverride diagnose: %s\n", d.message.c_str());
    return d.status;
}

}  // namespace

int command_diagnose(int argc, char** argv) {
    try {
        Options options;
        if (auto done = parse_options(argc, argv, options)) return *done;
        return diagnose(options);
    } catch (const std::exception& error) {  // OpenSSL set-up, thread creation, memory
        std::fprintf(stderr, "%s: %s\n", who, error.what());
        return exit_cannot_probe;
    }
}
