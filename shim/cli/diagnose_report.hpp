// What `tlsoverride diagnose` prints: text as it goes (the program's own output comes
// between the parts), or one JSON object at the end.
#pragma once

#include "diagnose_config.hpp"
#include "diagnose_observe.hpp"
#include "diagnose_peer.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace tlso::diagnose {

// How one failed peer fares in the --verify re-run.
struct Verdict {
    enum Kind { Connects, Fails, NotSeen } kind = NotSeen;
    HandshakeRecord record;  // the re-run's last handshake with that peer
};

struct Diagnosis {
    std::vector<std::string> command;
    Observation first;
    std::vector<PeerDiagnosis> peers;
    std::optional<std::string> write_file;  // --write
    std::optional<WriteResult> write;       // --write, or the private copy for --verify
    std::optional<Observation> second;      // --verify
    std::vector<Verdict> verdicts;          // parallel to peers, after --verify
    std::vector<HandshakeRecord> regressions;  // succeeded in the first run, failed in the re-run
    std::string still_fails_hint;           // after --verify, when a server with a rule still fails
    int status = 0;
    std::string message;                    // the closing sentence
};

// "oldclient --method tls1 4433", quoted where the shell would need it.
std::string command_text(const std::vector<std::string>& command);

void print_observation(const Diagnosis& d, std::FILE* out);  // the counts after the first run
void print_peer(const PeerDiagnosis& p, std::size_t number, std::FILE* out);
void print_write(const Diagnosis& d, std::FILE* out);
void print_verdicts(const Diagnosis& d, std::FILE* out);
void print_json(const Diagnosis& d, std::FILE* out);

// The rules of every peer with one, as the block --write appends: a comment saying
// where they came from, then each [[rule]].
std::string rules_block(const Diagnosis& d);
std::vector<const DiagnosedRule*> rules_of(const Diagnosis& d);

}  // namespace tlso::diagnose
