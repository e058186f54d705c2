// tlsoverride probe: which protocol versions, ciphers and groups a server accepts,
// and the [[rule]] that lets a client with OpenSSL 3's defaults in. It uses OpenSSL
// directly (not the preload library) and connects only to the host and port given.
//
// The work is split by idea: probe_target (HOST[:PORT], the address, TCP with a
// deadline), probe_handshake (one handshake and what it tells), probe_scan (which
// handshakes, concurrently), probe_rule (the suggestion), probe_report (the output).
#include "commands.hpp"
#include "args.hpp"
#include "probe_progress.hpp"
#include "probe_report.hpp"
#include "probe_rule.hpp"
#include "probe_scan.hpp"
#include "probe_target.hpp"

#include <openssl/crypto.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace tlso::probe;
namespace cli = tlso::cli;

// One status per way a probe can end, so that scripts can tell them apart.
constexpr int exit_ok = 0;
constexpr int exit_nothing_accepted = 1;  // TLS is spoken, but every offer was refused
constexpr int exit_usage = 2;
constexpr int exit_cannot_resolve = 3;
constexpr int exit_cannot_connect = 4;    // refused, unreachable
constexpr int exit_timed_out = 5;
constexpr int exit_not_tls = 6;
constexpr int exit_closed = 7;            // closed or reset during the handshake
constexpr int exit_internal = 8;          // OpenSSL or the system failed us

constexpr const char* usage_line = "usage: tlsoverride probe HOST[:PORT] [--sni NAME] [--json] [--timeout SECONDS] [--jobs N]\n";

void print_help(std::FILE* out) {
    std::fputs(usage_line, out);
    std::fputs("\n"
               "Finds the TLS versions, ciphers (in the server's order) and key-exchange groups a\n"
               "server accepts, its certificate and RFC 5746 support, and ends with a [[rule]] for\n"
               "the configuration file that lets a client with OpenSSL 3's defaults in. PORT\n"
               "defaults to 443; the server name (SNI) defaults to HOST when HOST is a name.\n"
               "An address gets a rule without a host key: clients send no server name to an\n"
               "address, and a host key matches only that name. On a terminal, one line on\n"
               "standard error says what is being tested; it is erased before the report.\n"
               "\n"
               "  --sni NAME         send NAME as the server name (SNI); the rule matches it\n"
               "  --json             print one JSON object instead of text\n"
               "  --timeout SECONDS  limit for each connection and handshake (default 5; 0.5 works)\n"
               "  --jobs N           handshakes at a time, 1 to 64 (default 8)\n"
               "  -h, --help         this text\n"
               "      --version      the version, and the OpenSSL the probe uses\n"
               "\n"
               "Exit status (a failure prints one line on standard error, and nothing on\n"
               "standard output, with --json too):\n"
               "  0  probed\n"
               "  1  the server speaks TLS but accepted nothing the probe offers\n"
               "  2  usage error\n"
               "  3  HOST does not resolve\n"
               "  4  connection refused or network unreachable\n"
               "  5  timed out\n"
               "  6  the server does not speak TLS\n"
               "  7  the server closed the connection during the handshake\n"
               "  8  internal error (OpenSSL set-up, threads, memory)\n"
               "\n"
               "example: tlsoverride probe billing.legacy.example:8443 --timeout 2\n",
               out);
}

struct Options {
    std::string target;  // HOST[:PORT]
    std::optional<std::string> sni;
    bool json = false;
    std::chrono::milliseconds timeout{5000};
    int jobs = 8;
};

int usage_error(const std::string& message) {
    std::fprintf(stderr, "tlsoverride probe: %s (see tlsoverride probe --help)\n", message.c_str());
    return exit_usage;
}

std::optional<std::chrono::milliseconds> parse_timeout(const char* text) {
    char* end = nullptr;
    double seconds = std::strtod(text, &end);
    if (end == text || *end != '\0' || !(seconds >= 0.001 && seconds <= 600)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

std::optional<int> parse_jobs(const char* text) {
    char* end = nullptr;
    long jobs = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || jobs < 1 || jobs > 64) return std::nullopt;
    return static_cast<int>(jobs);
}

// Fills options from argv; returns an exit status when the command is already done
// (--help, --version, a usage error).
std::optional<int> parse_options(int argc, char** argv, Options& options) {
    static constexpr cli::Option flags[] = {
        {"sni", 0, cli::Takes::Value, "NAME", "send NAME as the server name (SNI)"},
        {"json", 0, cli::Takes::Nothing, "", "print one JSON object instead of text"},
        {"timeout", 0, cli::Takes::Value, "SECONDS", "limit for each connection and handshake"},
        {"jobs", 0, cli::Takes::Value, "N", "handshakes at a time, 1 to 64"},
    };
    cli::Arguments args = cli::parse_arguments({"probe", flags, false, 1, "HOST[:PORT]"}, argc, argv);
    if (args.help) return print_help(stdout), exit_ok;
    if (args.version) {
        std::printf("tlsoverride probe %s (%s)\n", TLSO_VERSION, OpenSSL_version(OPENSSL_VERSION));
        return exit_ok;
    }
    if (!args.error.empty()) return usage_error(args.error);
    options.json = args.has("json");
    options.sni = args.value("sni");
    if (auto t = args.value("timeout")) {
        auto timeout = parse_timeout(t->c_str());
        if (!timeout) return usage_error("--timeout takes seconds, more than 0 and at most 600");
        options.timeout = *timeout;
    }
    if (auto j = args.value("jobs")) {
        auto jobs = parse_jobs(j->c_str());
        if (!jobs) return usage_error("--jobs takes a number from 1 to 64");
        options.jobs = *jobs;
    }
    if (args.operands.empty()) return usage_error("no HOST given");
    options.target = args.operands.front();
    return std::nullopt;
}

int fail(int status, const std::string& message) {
    std::fprintf(stderr, "tlsoverride probe: %s\n", message.c_str());
    return status;
}

// The one line, and the status, for a server that accepted no version.
int report_nothing_accepted(const std::string& where, const Handshake& why, std::chrono::milliseconds timeout) {
    switch (why.failure) {
    case Failure::Rejected:
        return fail(exit_nothing_accepted,
                    where + " speaks TLS but accepted no version from TLSv1 to TLSv1.3 with any cipher OpenSSL has: " + why.reason);
    case Failure::NotTls:
        return fail(exit_not_tls, where + " does not speak TLS: it answered \"" + why.sent_instead + "\"");
    case Failure::Closed:
        return fail(exit_closed, where + " closed the connection during the TLS handshake (" + why.reason + ")");
    case Failure::TimedOut:
        return fail(exit_timed_out, where + " accepted the connection but did not complete a TLS handshake within " +
                                        describe_timeout(timeout) + " (" + why.reason + ")");
    case Failure::CannotConnect:
    case Failure::None:
        break;
    }
    return fail(exit_cannot_connect, "cannot connect to " + where + ": " + why.reason);
}

int probe(const Options& options) {
    // OpenSSL writes to sockets with write(2): a server that closes early would
    // otherwise end the probe with SIGPIPE instead of a reported failure.
    std::signal(SIGPIPE, SIG_IGN);
    Clock::time_point started = Clock::now();
    ParsedEndpoint parsed = parse_endpoint(options.target);
    if (!parsed.endpoint) return usage_error(parsed.error);
    const Endpoint& endpoint = *parsed.endpoint;
    std::string where = endpoint_text(endpoint);
    std::string sni = options.sni.value_or(endpoint.host_is_address ? "" : endpoint.host);
    // Never with --json, and never where the line could not be rewritten: a pipe or a
    // file gets exactly the output it got before. Erased before every line printed.
    Progress progress(!options.json && Progress::terminal());

    progress.started("connecting to " + where);
    Reachable reachable = find_reachable_address(endpoint, options.timeout);
    progress.erase();
    if (!reachable.resolved) return fail(exit_cannot_resolve, "cannot resolve '" + endpoint.host + "': " + reachable.error);
    if (!reachable.address && reachable.timed_out)
        return fail(exit_timed_out, "no TCP connection to " + where + " within " + describe_timeout(options.timeout));
    if (!reachable.address) return fail(exit_cannot_connect, "cannot connect to " + where + ": " + reachable.error);

    Server server(*reachable.address, sni, options.timeout);
    Findings findings = scan(server, options.jobs, progress);
    progress.erase();
    if (!findings.highest()) return report_nothing_accepted(where, why_nothing_was_accepted(findings), options.timeout);
    progress.step(0);
    progress.started("testing the suggested rule");
    SuggestedRule rule = suggest_rule(findings, server, RuleTarget{where, sni, endpoint.host});
    progress.erase();

    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    Report report{endpoint.host, endpoint.port, where, sni, reachable.address->text, findings, rule,
                  server.handshakes(), static_cast<long>(elapsed)};
    if (options.json)
        print_json(report, stdout);
    else
        print_text(report, stdout);
    return exit_ok;
}

}  // namespace

int command_probe(int argc, char** argv) {
    try {
        Options options;
        if (auto done = parse_options(argc, argv, options)) return *done;
        return probe(options);
    } catch (const std::exception& error) {  // OpenSSL set-up, thread creation, memory
        return fail(exit_internal, error.what());
    }
}
