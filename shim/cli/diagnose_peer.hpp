// One failed peer, diagnosed: probed with the server name the program sent, and the
// outcome an operator acts on: a rule, a certificate failure (no rule: verification is
// not tlsoverride's to change), a server that cannot be probed, or one that accepts
// nothing a rule could make the program offer.
#pragma once

#include "diagnose_records.hpp"
#include "diagnose_rule.hpp"
#include "probe_scan.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tlso::diagnose {

enum class Outcome {
    Rule,         // a rule lets the program in (checked by a handshake)
    Certificate,  // certificate verification failed: no rule
    Unreachable,  // the probe cannot reach the server or it does not speak TLS
    NoRule,       // the server speaks TLS, but no rule found lets the program in
};

struct PeerDiagnosis {
    FailedPeer peer;
    Outcome outcome = Outcome::NoRule;
    std::string message;                     // one sentence: what was found
    std::string address;                     // the address probed, when it was reached
    std::string endpoint_note;               // where HOST:PORT came from, when not from the record
    std::optional<probe::Findings> findings;  // when the probe reached a TLS server
    std::optional<DiagnosedRule> rule;        // Outcome::Rule
    std::optional<std::size_t> covered_by;    // Outcome::Rule: an earlier peer's rule matches these connections too
    int handshakes = 0;                       // the probe's
};

// Probes the peers concurrently (four servers at a time, JOBS handshakes at a time each).
std::vector<PeerDiagnosis> diagnose_peers(const std::vector<FailedPeer>& peers, const std::vector<std::string>& command,
                                          std::chrono::milliseconds timeout, int jobs);


// A host rule cannot tell two ports of one server name apart: the second of two
// rules for the same program and server name is dropped, its peer covered by the first.
void merge_same_target(std::vector<PeerDiagnosis>& peers);

}  // namespace tlso::diagnose
