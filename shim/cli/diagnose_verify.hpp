// --verify: how each failed server fares when COMMAND runs again under the new
// configuration, which servers that worked before now fail, and, when a checked rule
// still fails, the likely reason.
#pragma once

#include "diagnose_report.hpp"

#include <string>
#include <vector>

namespace tlso::diagnose {

// The re-run's last handshake with each peer (same address and server name).
std::vector<Verdict> verdicts_of(const std::vector<PeerDiagnosis>& peers, const Observation& second);

// Failed in SECOND, and only succeeded with that peer in FIRST.
std::vector<HandshakeRecord> regressions_of(const Observation& first, const Observation& second);

// Why a rule that passed its check fails in the re-run, and the line that fixes it.
std::string still_fails_hint(const Diagnosis& d, const std::string& configuration);

}  // namespace tlso::diagnose
