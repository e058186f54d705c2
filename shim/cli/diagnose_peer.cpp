// Probing each failed peer and deciding its outcome. See diagnose_peer.hpp.
#include "diagnose_peer.hpp"

#include "probe_target.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

namespace tlso::diagnose {

namespace {

using probe::Failure;

std::string certificate_message(const HandshakeRecord& r) {
    std::string why = !r.verify_error.empty() ? r.verify_error : r.reason.empty() ? r.alert : r.reason;
    return "certificate verification failed (" + why +
           "): tlsoverride changes which versions and algorithms may be negotiated, never verification, so no rule "
           "can fix this. Fix the trust store (the program's CA file) or the server's certificate.";
}

std::string unreachable_message(const std::string& where, const probe::Handshake& why, std::chrono::milliseconds timeout) {
    switch (why.failure) {
        case Failure::NotTls: return where + " does not speak TLS: it answered \"" + why.sent_instead + "\"";
        case Failure::Closed: return where + " closed the connection during the probe's handshakes (" + why.reason + ")";
        case Failure::TimedOut:
            return where + " did not complete a TLS handshake within " + probe::describe_timeout(timeout);
        default: return "cannot connect to " + where + ": " + why.reason;
    }
}

void diagnose_one(PeerDiagnosis& d, const std::vector<std::string>& command, std::chrono::milliseconds timeout, int jobs) {
    HandshakeRecord r = d.peer.first;
    if (is_certificate_failure(r)) {
        d.outcome = Outcome::Certificate;
        d.message = certificate_message(r);
        return;
    }
    if (r.peer.empty()) {
        // The library reads the address from the connection's socket: a program doing
        // its own socket I/O (curl's BIO) has none to read, and a reset one has lost it.
        if (std::optional<std::string> guessed = endpoint_from_command(r.sni, command)) {
            d.endpoint_note = "the record has no address (the program does its own socket I/O, or the connection was "
                              "gone); " + *guessed + " is taken from the command line";
            r.peer = *guessed;
        }
    }
    probe::ParsedEndpoint parsed = probe::parse_endpoint(r.peer);
    if (!parsed.endpoint) {
        d.outcome = Outcome::Unreachable;
        d.message = r.peer.empty()
                        ? "the library could not read the server's address (the program does its own socket I/O, or "
                          "the connection was gone when the handshake failed: " + r.reason +
                          "), and the command line names no HOST:PORT for it; run tlsoverride probe HOST:PORT" +
                          (r.sni.empty() ? std::string() : " --sni " + r.sni)
                        : "the record's peer " + r.peer + " is not an address the probe can reach";
        return;
    }
    const std::string where = probe::endpoint_text(*parsed.endpoint);
    probe::Reachable reachable = probe::find_reachable_address(*parsed.endpoint, timeout);
    if (!reachable.address) {
        d.outcome = Outcome::Unreachable;
        d.message = reachable.timed_out ? "no TCP connection to " + where + " within " + probe::describe_timeout(timeout)
                                        : "cannot connect to " + where + ": " + reachable.error;
        return;
    }
    d.address = reachable.address->text;
    probe::Server server(*reachable.address, r.sni, timeout);
    probe::Findings findings = probe::scan(server, jobs);
    if (!findings.highest()) {
        probe::Handshake why = probe::why_nothing_was_accepted(findings);
        d.handshakes = server.handshakes();
        if (why.failure == Failure::Rejected) {
            d.outcome = Outcome::NoRule;
            d.message = where + " speaks TLS but accepted no version from TLSv1 to TLSv1.3 with any cipher OpenSSL has (" +
                        why.reason + "); a server that demands a client certificate refuses every offer like this, "
                        "and that is the program's certificate and key to supply, not a rule's";
        } else {
            d.outcome = Outcome::Unreachable;
            d.message = unreachable_message(where, why, timeout);
        }
        return;
    }
    DiagnosedRule rule = diagnose_rule(r, findings, server);  // r.peer: the address as probed
    d.handshakes = server.handshakes();
    d.findings = std::move(findings);
    if (!rule.check.connected()) {
        d.outcome = Outcome::NoRule;
        d.message = "no rule found: a client offering what " + r.program + " offered, with the settings tried, still fails: " +
                    rule.check.reason;
        return;
    }
    if (!rule.changes_anything()) {
        d.outcome = Outcome::NoRule;
        d.message = "a client offering what " + r.program + " offered connects with " +
                    std::string(probe::version_name(*rule.check.version)) + " " + rule.check.cipher +
                    ", so the program's own settings (cipher list, security level, groups) must be what refuses the "
                    "server; the record's hint: " + hint_for(r);
        return;
    }
    d.outcome = Outcome::Rule;
    d.message = "a client offering what " + r.program + " offered, with this rule, connects with " +
                std::string(probe::version_name(*rule.check.version)) + " " + rule.check.cipher;
    d.rule = std::move(rule);
}

}  // namespace

std::vector<PeerDiagnosis> diagnose_peers(const std::vector<FailedPeer>& peers, const std::vector<std::string>& command,
                                          std::chrono::milliseconds timeout, int jobs) {
    std::vector<PeerDiagnosis> results(peers.size());
    for (std::size_t i = 0; i < peers.size(); ++i) results[i].peer = peers[i];
    // A few servers at a time: each scan already makes JOBS handshakes at once.
    constexpr std::size_t servers_at_once = 4;
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next++) < results.size();) {
            try {
                diagnose_one(results[i], command, timeout, jobs);
            } catch (const std::exception& error) {  // OpenSSL set-up, threads, memory
                results[i].outcome = Outcome::Unreachable;
                results[i].message = std::string("the probe failed: ") + error.what();
            }
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < std::min(servers_at_once, results.size()); ++t) threads.emplace_back(work);
    for (std::thread& t : threads) t.join();
    return results;
}

void merge_same_target(std::vector<PeerDiagnosis>& peers) {
    for (std::size_t i = 0; i < peers.size(); ++i) {
        if (!peers[i].rule) continue;
        const HandshakeRecord& r = peers[i].peer.first;
        for (std::size_t j = 0; j < i; ++j) {
            if (!peers[j].rule || peers[j].covered_by) continue;
            const HandshakeRecord& earlier = peers[j].peer.first;
            if (earlier.program != r.program || earlier.sni != r.sni) continue;
            peers[i].covered_by = j;
            peers[i].message += "; the rule for server " + std::to_string(j + 1) + " (\"" + peers[j].rule->name +
                                "\") matches these connections too, so it is the one written";
            peers[i].rule.reset();
            break;
        }
    }
}

}  // namespace tlso::diagnose
