// The re-run's verdicts. See diagnose_verify.hpp.
#include "diagnose_verify.hpp"

#include "core/process_config.hpp"

#include <cstdlib>

namespace tlso::diagnose {

std::vector<Verdict> verdicts_of(const std::vector<PeerDiagnosis>& peers, const Observation& second) {
    std::vector<Verdict> verdicts(peers.size());
    for (std::size_t i = 0; i < peers.size(); ++i)
        for (const HandshakeRecord& r : second.handshakes)
            if (r.role == Role::Client && r.peer == peers[i].peer.first.peer && r.sni == peers[i].peer.first.sni)
                verdicts[i] = {r.ok ? Verdict::Connects : Verdict::Fails, r};
    return verdicts;
}

std::vector<HandshakeRecord> regressions_of(const Observation& first, const Observation& second) {
    std::vector<HandshakeRecord> regressions;
    auto same = [](const HandshakeRecord& a, const HandshakeRecord& b) { return a.peer == b.peer && a.sni == b.sni; };
    for (const HandshakeRecord& r : second.handshakes) {
        if (r.ok || r.role != Role::Client) continue;
        bool failed_before = false, worked_before = false;
        for (const HandshakeRecord& f : first.handshakes)
            if (same(f, r)) (f.ok ? worked_before : failed_before) = true;
        bool listed = false;
        for (const HandshakeRecord& g : regressions) listed = listed || same(g, r);
        if (worked_before && !failed_before && !listed) regressions.push_back(r);
    }
    return regressions;
}

// A rule that passed its check but not the re-run: the program most likely sets the
// same settings itself after creating its context, which mode = "default" lets stand.
std::string still_fails_hint(const Diagnosis& d, const std::string& configuration) {
    ProcessConfig pc = load_process_config([](const char* n) { return std::getenv(n); }, configuration);
    if (pc.process.mode && pc.process.mode->value == Mode::Enforce) return "";
    // A floor without a ceiling, and the re-run has no version left: the program caps
    // its own versions (a pinned method would have been replaced).
    for (std::size_t i = 0; i < d.peers.size(); ++i) {
        const std::optional<DiagnosedRule>& rule = d.peers[d.peers[i].covered_by.value_or(i)].rule;
        const std::string& reason = d.verdicts[i].record.reason;
        if (rule && rule->min_protocol && !rule->max_protocol && d.verdicts[i].kind == Verdict::Fails &&
            (reason.find("no protocols available") != std::string::npos ||
             reason.find("unsupported protocol") != std::string::npos))
            return "the program sets its own highest version below the rule's floor, and under mode = \"default\" "
                   "it stands; add max_protocol = \"TLSv1.3\" to the rule \"" + rule->name +
                   "\" (a host rule's ceiling replaces the program's on the connection), or set mode = \"enforce\"";
    }
    return "the rule lets a client offering what the program offered in, so the program most likely sets these "
           "settings itself after creating its context, and under mode = \"default\" its choice stands; "
           "mode = \"enforce\" at the top of " + configuration + " keeps the rule's values (for every program "
           "that reads it)";
}

}  // namespace tlso::diagnose
