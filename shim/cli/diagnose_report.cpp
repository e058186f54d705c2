// The diagnosis in words and in JSON. See diagnose_report.hpp.
#include "diagnose_report.hpp"

#include "core/log.hpp"

#include <ctime>

namespace tlso::diagnose {

namespace {

std::string json_string(std::string_view text) { return "\"" + json_escape(text) + "\""; }
std::string json_or_null(const std::string& text) { return text.empty() ? "null" : json_string(text); }

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::size_t failed_count(const std::vector<HandshakeRecord>& records) {
    std::size_t n = 0;
    for (const HandshakeRecord& r : records) n += !r.ok;
    return n;
}

std::string told(const HandshakeRecord& r) {
    std::string text = r.reason.empty() ? "no reason from OpenSSL" : r.reason;
    if (!r.alert.empty()) text += " (alert \"" + r.alert + "\" " + (r.alert_sent ? "sent" : "received") + ")";
    if (!r.verify_error.empty()) text += "; verification: " + r.verify_error;
    return text;
}

const char* outcome_word(Outcome o) {
    switch (o) {
        case Outcome::Rule: return "rule";
        case Outcome::Certificate: return "certificate";
        case Outcome::Unreachable: return "unreachable";
        case Outcome::NoRule: return "no_rule";
    }
    return "no_rule";
}

std::string accepts_json(const probe::Findings& findings) {
    std::string text = "{";
    for (probe::Version v : probe::all_versions) {
        const probe::VersionFindings& at = findings.at(v);
        text += (v == probe::Version::TLSv1 ? "" : ", ") + json_string(probe::version_name(v)) + ": ";
        if (!at.accepted()) {
            text += "null";
            continue;
        }
        text += "[";
        for (std::size_t i = 0; i < at.ciphers.size(); ++i) text += (i ? ", " : "") + json_string(at.ciphers[i].name);
        text += "]";
    }
    return text + "}";
}

std::string handshake_json(const probe::Handshake& h) {
    if (!h.connected()) return "{\"connects\": false, \"error\": " + json_string(h.reason) + "}";
    return "{\"connects\": true, \"version\": " + json_string(probe::version_name(*h.version)) +
           ", \"cipher\": " + json_string(h.cipher) + "}";
}

std::string verdict_json(const Verdict& v) {
    switch (v.kind) {
        case Verdict::Connects:
            return "{\"connects\": true, \"version\": " + json_string(v.record.version) +
                   ", \"cipher\": " + json_string(v.record.cipher) + ", \"rule\": " + json_or_null(v.record.rule) + "}";
        case Verdict::Fails:
            return "{\"connects\": false, \"reason\": " + json_string(told(v.record)) +
                   ", \"rule\": " + json_or_null(v.record.rule) + "}";
        case Verdict::NotSeen: break;
    }
    return "{\"connects\": null, \"reason\": \"no handshake with this peer in the re-run\"}";
}

std::string string_list(const std::vector<std::string>& items) {
    std::string text = "[";
    for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + json_string(items[i]);
    return text + "]";
}

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace

std::string command_text(const std::vector<std::string>& command) {
    std::string text;
    for (const std::string& word : command) {
        bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789-_./:=@%+,") == std::string::npos;
        std::string quoted = "'";
        for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        text += (text.empty() ? "" : " ") + (plain ? word : quoted + "'");
    }
    return one_line(text);
}

void print_observation(const Diagnosis& d, std::FILE* out) {
    const Observation& o = d.first;
    std::string ended = o.signal ? "was killed by signal " + std::to_string(o.signal)
                                 : "exited with status " + std::to_string(o.status);
    std::string name = d.command.front().substr(d.command.front().rfind('/') + 1);
    std::fprintf(out, "\ntlsoverride diagnose: %s %s; %s, %zu failed", one_line(name).c_str(), ended.c_str(),
                 plural(o.handshakes.size(), "handshake", "handshakes").c_str(), failed_count(o.handshakes));
    std::size_t servers = failed_peers(o.handshakes).size();
    if (servers) std::fprintf(out, ", with %s", plural(servers, "server", "servers").c_str());
    std::fprintf(out, ".\n");
    for (const std::string& e : o.library_errors) std::fprintf(out, "  the library said: %s\n", one_line(e).c_str());
}

void print_peer(const PeerDiagnosis& p, std::size_t number, std::FILE* out) {
    const HandshakeRecord& r = p.peer.first;
    std::fprintf(out, "\n%zu. %s -> %s: %s\n", number, one_line(r.program).c_str(), one_line(describe_peer(r)).c_str(),
                 p.peer.failures == 1 ? "handshake failed" : (std::to_string(p.peer.failures) + " handshakes failed").c_str());
    if (p.peer.successes) std::fprintf(out, "   (%d with the same server succeeded)\n", p.peer.successes);
    if (!p.endpoint_note.empty()) std::fprintf(out, "   note: %s\n", one_line(p.endpoint_note).c_str());
    std::fprintf(out, "   it offered:         %s, %d ciphers\n", one_line(offered_text(r)).c_str(), r.offered_ciphers);
    std::fprintf(out, "   it failed with:     %s\n", one_line(told(r)).c_str());
    if (p.findings) std::fprintf(out, "   the server accepts: %s\n", accepted_text(*p.findings).c_str());
    switch (p.outcome) {
        case Outcome::Rule:
            if (p.rule) std::fprintf(out, "   checked: %s\n\n%s", one_line(p.message).c_str(), rule_toml(*p.rule).c_str());
            else std::fprintf(out, "   checked: %s\n", one_line(p.message).c_str());
            break;
        case Outcome::Certificate: std::fprintf(out, "   no rule: %s\n", one_line(p.message).c_str()); break;
        case Outcome::Unreachable: std::fprintf(out, "   cannot probe: %s\n", one_line(p.message).c_str()); break;
        case Outcome::NoRule: std::fprintf(out, "   no rule: %s\n", one_line(p.message).c_str()); break;
    }
}

void print_write(const Diagnosis& d, std::FILE* out) {
    if (!d.write || !d.write_file) return;
    const WriteResult& w = *d.write;
    for (const std::string& e : w.errors) std::fprintf(out, "tlsoverride diagnose: %s\n", one_line(e).c_str());
    if (!w.written) {
        std::fprintf(out, "tlsoverride diagnose: nothing written to %s: the configuration would not pass tlsoverride check\n",
                     d.write_file->c_str());
        return;
    }
    std::fprintf(out, "\ntlsoverride diagnose: wrote %s to %s; tlsoverride check passes on %s\n",
                 plural(rules_of(d).size(), "rule", "rules").c_str(), d.write_file->c_str(), w.configuration.c_str());
    for (const std::string& warning : w.warnings)
        std::fprintf(out, "tlsoverride diagnose: warning: %s\n", one_line(warning).c_str());
}

void print_verdicts(const Diagnosis& d, std::FILE* out) {
    std::fprintf(out, "\n");
    for (std::size_t i = 0; i < d.peers.size(); ++i) {
        const Verdict& v = d.verdicts[i];
        std::string peer = one_line(describe_peer(d.peers[i].peer.first));
        switch (v.kind) {
            case Verdict::Connects:
                std::fprintf(out, "tlsoverride diagnose: verify: %s now connects with %s %s%s\n", peer.c_str(),
                             one_line(v.record.version).c_str(), one_line(v.record.cipher).c_str(),
                             v.record.rule.empty() ? "" : one_line(" (rule \"" + v.record.rule + "\")").c_str());
                break;
            case Verdict::Fails:
                std::fprintf(out, "tlsoverride diagnose: verify: %s still fails: %s\n", peer.c_str(),
                             one_line(told(v.record)).c_str());
                break;
            case Verdict::NotSeen:
                std::fprintf(out, "tlsoverride diagnose: verify: %s: no handshake with it in the re-run\n", peer.c_str());
                break;
        }
    }
    for (const HandshakeRecord& r : d.regressions)
        std::fprintf(out, "tlsoverride diagnose: verify: %s succeeded before and now fails: %s\n",
                     one_line(describe_peer(r)).c_str(), one_line(told(r)).c_str());
    if (!d.still_fails_hint.empty()) std::fprintf(out, "tlsoverride diagnose: %s\n", d.still_fails_hint.c_str());
}

void print_json(const Diagnosis& d, std::FILE* out) {
    std::string peers = "[";
    for (std::size_t i = 0; i < d.peers.size(); ++i) {
        const PeerDiagnosis& p = d.peers[i];
        const HandshakeRecord& r = p.peer.first;
        peers += std::string(i ? ",\n" : "\n") + "    {\"program\": " + json_string(r.program) +
                 ", \"peer\": " + json_string(r.peer) + ", \"sni\": " + json_or_null(r.sni) +
                 ", \"failures\": " + std::to_string(p.peer.failures) + ", \"successes\": " + std::to_string(p.peer.successes) +
                 ", \"offered_versions\": " + json_string(r.offered_versions) +
                 ", \"offered_ciphers\": " + std::to_string(r.offered_ciphers) + ", \"reason\": " + json_string(r.reason) +
                 ", \"alert\": " + json_or_null(r.alert) + ", \"verify_error\": " + json_or_null(r.verify_error) +
                 ", \"outcome\": " + json_string(outcome_word(p.outcome)) + ", \"message\": " + json_string(p.message) +
                 ", \"address\": " + json_or_null(p.address) + ", \"endpoint_note\": " + json_or_null(p.endpoint_note) +
                 ", \"accepts\": " + (p.findings ? accepts_json(*p.findings) : "null") +
                 ", \"rule\": " + (p.rule ? json_string(rule_toml(*p.rule)) : "null") +
                 ", \"covered_by\": " + (p.covered_by ? std::to_string(*p.covered_by) : "null") +
                 ", \"rule_check\": " + (p.rule ? handshake_json(p.rule->check) : "null") +
                 ", \"handshakes\": " + std::to_string(p.handshakes) +
                 ", \"verify\": " + (d.second ? verdict_json(d.verdicts[i]) : "null") + "}";
    }
    peers += d.peers.empty() ? "]" : "\n  ]";
    std::vector<std::string> command = d.command;
    std::string regressions = "[";
    for (std::size_t i = 0; i < d.regressions.size(); ++i)
        regressions += (i ? ", " : "") + std::string("{\"peer\": ") + json_string(d.regressions[i].peer) +
                       ", \"sni\": " + json_or_null(d.regressions[i].sni) +
                       ", \"reason\": " + json_string(told(d.regressions[i])) + "}";
    regressions += "]";
    bool written = d.write && d.write_file && d.write->written;
    std::string verified = "null";
    if (d.second) verified = d.status == 6 ? "false" : "true";
    std::fprintf(out,
                 "{\n  \"command\": %s,\n  \"exit_status\": %d,\n  \"handshakes\": %zu,\n  \"failed\": %zu,\n"
                 "  \"library_errors\": %s,\n  \"peers\": %s,\n  \"written\": %s,\n  \"configuration\": %s,\n"
                 "  \"write_errors\": %s,\n  \"warnings\": %s,\n  \"verified\": %s,\n  \"regressions\": %s,\n"
                 "  \"hint\": %s,\n  \"status\": %d,\n  \"message\": %s\n}\n",
                 string_list(command).c_str(), d.first.status, d.first.handshakes.size(), failed_count(d.first.handshakes),
                 string_list(d.first.library_errors).c_str(), peers.c_str(),
                 written ? json_string(*d.write_file).c_str() : "null",
                 d.write ? json_or_null(d.write->configuration).c_str() : "null",
                 string_list(d.write ? d.write->errors : std::vector<std::string>{}).c_str(),
                 string_list(d.write ? d.write->warnings : std::vector<std::string>{}).c_str(), verified.c_str(),
                 regressions.c_str(), json_or_null(d.still_fails_hint).c_str(), d.status, json_string(d.message).c_str());
}

std::vector<const DiagnosedRule*> rules_of(const Diagnosis& d) {
    std::vector<const DiagnosedRule*> rules;
    for (const PeerDiagnosis& p : d.peers)
        if (p.rule) rules.push_back(&*p.rule);
    return rules;
}

std::string rules_block(const Diagnosis& d) {
    std::string block = "# Written by tlsoverride diagnose on " + utc_now() + " for: " + command_text(d.command) + "\n";
    for (const PeerDiagnosis& p : d.peers)
        if (p.rule) block += "\n" + rule_toml(*p.rule);
    return block;
}

}  // namespace tlso::diagnose
