// Deciding the rule for one failed peer. See diagnose_rule.hpp.
#include "diagnose_rule.hpp"

#include "diagnose_records.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace tlso::diagnose {

namespace {

using probe::Context;
using probe::Failure;
using probe::Findings;
using probe::Handshake;
using probe::Server;
using probe::Version;
using probe::version_name;

Version version_of(Protocol p) { return static_cast<Version>(static_cast<int>(p)); }

std::string name_of(Version v) { return std::string(version_name(v)); }

// What the program offered, in the probe's terms. A record without bounds (an old
// record, "none") is read as OpenSSL 3's own range.
struct Range {
    Version low = Version::TLSv1;
    Version high = Version::TLSv1_3;
    bool contains(Version v) const { return v >= low && v <= high; }
};

Range offered_range(const HandshakeRecord& r) {
    Range range;
    if (r.offered_low) range.low = version_of(*r.offered_low);
    if (r.offered_high) range.high = version_of(*r.offered_high);
    return range;
}

// The versions the program offers under the rule: the rule's bounds where it names
// them. A floor above the program's one version opens the range to TLSv1.3: the
// library replaces a pinned method when a rule names a bound.
Range range_under(const DiagnosedRule& rule, const Range& offered) {
    Range range = offered;
    if (rule.min_protocol) range.low = rule.min_protocol->value;
    if (rule.max_protocol) range.high = rule.max_protocol->value;
    else if (range.high < range.low) range.high = Version::TLSv1_3;
    return range;
}

// A program whose own highest version is below the new floor. One version alone is
// what a pinned method offers, and the library replaces that method; a range capped
// below the floor is a maximum the program set itself, which would stay and leave no
// version. A host rule's ceiling replaces it on the connection; TLSv1.3 is no limit.
std::optional<Justified<Version>> choose_max_protocol(const std::optional<Justified<Version>>& floor, const Range& offered,
                                                      const HandshakeRecord& failed) {
    if (!floor || offered.high >= floor->value || offered.low == offered.high) return std::nullopt;
    return Justified<Version>{Version::TLSv1_3, failed.program + " offers nothing above " + name_of(offered.high) +
                                                    ": a maximum it sets itself would leave no version above the floor"};
}

std::optional<Version> negotiated(const Findings& findings, const Range& range) {
    std::optional<Version> best;
    for (Version v : probe::all_versions)
        if (range.contains(v) && findings.at(v).accepted()) best = v;
    return best;
}

std::string accepted_versions(const Findings& findings) {
    std::string text;
    for (Version v : probe::all_versions)
        if (findings.at(v).accepted()) text += (text.empty() ? "" : ", ") + name_of(v);
    return text;
}

// The floor that lets the program's versions meet the server's, or nothing when they
// already meet. Never lower than needed, and never below TLSv1.2 when the server
// speaks TLSv1.2 or later.
std::optional<Justified<Version>> choose_min_protocol(const Findings& findings, const Range& offered,
                                                      const HandshakeRecord& failed) {
    if (negotiated(findings, offered)) return std::nullopt;
    const std::string what = failed.program + " offers only " + offered_text(failed);
    std::optional<Version> above;  // the lowest version the server accepts above the program's
    std::optional<Version> modern;
    for (Version v : probe::all_versions) {
        if (!findings.at(v).accepted()) continue;
        if (v > offered.high && !above) above = v;
        if (v >= Version::TLSv1_2 && !modern) modern = v;
    }
    if (modern && *modern > offered.high) {
        if (accepted_versions(findings) == name_of(*modern))
            return Justified<Version>{*modern, what + "; the server accepts only " + name_of(*modern)};
        return Justified<Version>{*modern, what + "; the server's lowest version from TLSv1.2 up is " + name_of(*modern) +
                                               " (it accepts " + accepted_versions(findings) + ")"};
    }
    if (above) return Justified<Version>{*above, what + "; the server accepts " + accepted_versions(findings)};
    Version highest = *findings.highest();
    return Justified<Version>{highest, what + "; the server speaks nothing newer than " + name_of(highest) +
                                           " (weakens: OpenSSL 3 needs security level 0 below TLSv1.2)"};
}

std::string joined(const std::vector<probe::Cipher>& ciphers) {
    std::string text;
    for (const probe::Cipher& c : ciphers) text += (text.empty() ? "" : ":") + c.name;
    return text;
}

bool no_cipher_in_common(const HandshakeRecord& r) {
    return hint_for(r).starts_with("no cipher in common");
}

// The server's list at the version that will be negotiated, when OpenSSL's defaults
// (what the program offers unless it names its own) have none of it, or when the
// record says the program's own list met none of it.
void choose_ciphers(DiagnosedRule& rule, const Findings& findings, Version version, const HandshakeRecord& failed) {
    const std::vector<probe::Cipher>& accepted = findings.at(version).ciphers;
    if (accepted.empty()) return;
    const std::string list = joined(accepted);
    const std::string kind = version == Version::TLSv1_3 ? "ciphersuites" : "ciphers";
    // What a client on OpenSSL's defaults would lack, decided as probe decides it.
    if (auto beyond = probe::ciphers_beyond_defaults(findings, version)) {
        if (version == Version::TLSv1_3) rule.ciphersuites = beyond;
        else rule.ciphers = beyond;
        return;
    }
    const std::vector<std::string> defaults = probe::default_cipher_names();
    std::string why;
    if (no_cipher_in_common(failed))
        why = failed.program + "'s own " + std::to_string(failed.offered_ciphers) + " ciphers met none of the server's " +
              name_of(version) + " " + kind;
    else if (failed.offered_ciphers > 0 && static_cast<std::size_t>(failed.offered_ciphers) != defaults.size() &&
             version != Version::TLSv1_3)
        // A list of the program's own (python's leaves out every SHA-1 suite) may lack
        // all of them; naming the server's keeps the rule from depending on it.
        why = failed.program + " offers a list of its own (" + std::to_string(failed.offered_ciphers) +
              " ciphers; OpenSSL's defaults are " + std::to_string(defaults.size()) + "), which may lack the server's " +
              name_of(version) + " " + kind;
    else
        return;
    Justified<std::string> choice{list, why};
    if (version == Version::TLSv1_3) rule.ciphersuites = choice;
    else rule.ciphers = choice;
}

void choose_option(DiagnosedRule& rule, const Findings& findings, Version version) {
    if (version == Version::TLSv1_3 || findings.secure_renegotiation().value_or(true)) return;
    rule.option = Justified<std::string>{"UnsafeLegacyServerConnect",
                                         "the server lacks secure renegotiation (RFC 5746): OpenSSL 3 fails with "
                                         "\"unsafe legacy renegotiation disabled\""};
}

// A client offering what the program offered, with the rule applied the way the
// library applies it: through SSL_CONF_cmd, the parser the configuration meets.
Context client_with(const DiagnosedRule& rule, const Range& offered) {
    Context context(SSL_CTX_new(TLS_client_method()));
    SSL_CONF_CTX* conf = SSL_CONF_CTX_new();
    if (!context || !conf) {
        SSL_CONF_CTX_free(conf);
        return nullptr;
    }
    Range range = range_under(rule, offered);
    SSL_CONF_CTX_set_flags(conf, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
    SSL_CONF_CTX_set_ssl_ctx(conf, context.get());
    bool accepted = SSL_CONF_cmd(conf, "MinProtocol", name_of(range.low).c_str()) > 0 &&
                    SSL_CONF_cmd(conf, "MaxProtocol", name_of(range.high).c_str()) > 0;
    if (rule.ciphers) accepted = accepted && SSL_CONF_cmd(conf, "CipherString", rule.ciphers->value.c_str()) > 0;
    if (rule.ciphersuites) accepted = accepted && SSL_CONF_cmd(conf, "Ciphersuites", rule.ciphersuites->value.c_str()) > 0;
    if (rule.option) accepted = accepted && SSL_CONF_cmd(conf, "Options", rule.option->value.c_str()) > 0;
    accepted = accepted && SSL_CONF_CTX_finish(conf);
    SSL_CONF_CTX_free(conf);
    if (rule.security_level) SSL_CTX_set_security_level(context.get(), rule.security_level->value);
    return accepted ? std::move(context) : nullptr;
}

Handshake try_rule(const DiagnosedRule& rule, const Range& offered, Server& server) {
    Context client = client_with(rule, offered);
    if (client) return server.handshake(client.get(), probe::Offer{});
    Handshake refused;
    refused.failure = Failure::Rejected;
    const char* reason = ERR_reason_error_string(ERR_peek_error());
    refused.reason = std::string("OpenSSL rejects the rule: ") + (reason ? reason : "unknown reason");
    return refused;
}

int default_security_level() {
    Context context(SSL_CTX_new(TLS_client_method()));
    return context ? SSL_CTX_get_security_level(context.get()) : 1;
}

// The highest level below the default that connects: level 1 still refuses the
// weakest keys and signatures, so it is tried before 0.
void lower_security_level(DiagnosedRule& rule, const Range& offered, Server& server) {
    const std::string refusal = rule.check.reason;
    const int default_level = default_security_level();
    for (int level = default_level - 1; level >= 0; --level) {
        DiagnosedRule candidate = rule;
        std::string levels = level + 1 == default_level
                                 ? "level " + std::to_string(default_level) + " (OpenSSL 3's default)"
                                 : "levels " + std::to_string(default_level) + " (OpenSSL 3's default) down to " +
                                       std::to_string(level + 1);
        candidate.security_level = Justified<int>{level, "the handshake fails at " + levels + ": " + refusal};
        candidate.check = try_rule(candidate, offered, server);
        if (candidate.check.connected()) {
            rule = std::move(candidate);
            return;
        }
    }
}

std::string toml_string(std::string_view text) {
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') quoted += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        quoted += c;
    }
    return quoted + "\"";
}

}  // namespace

DiagnosedRule diagnose_rule(const HandshakeRecord& failed, const Findings& findings, Server& server) {
    DiagnosedRule rule;
    const std::string target = failed.sni.empty() ? failed.peer : failed.sni;
    rule.name = "diagnose: " + failed.program + " to " + target;
    rule.program = {failed.program, "the program whose handshake failed; other programs keep their settings"};
    if (!failed.sni.empty())
        rule.host = Justified<std::string>{failed.sni, "the server name (SNI) " + failed.program + " sends to " + failed.peer};
    else
        rule.no_host_why = failed.program + " connected to " + failed.peer +
                           " by address and sent no server name, which a host rule matches on: this rule applies to "
                           "every connection " + failed.program + " makes";

    const Range offered = offered_range(failed);
    rule.min_protocol = choose_min_protocol(findings, offered, failed);
    rule.max_protocol = choose_max_protocol(rule.min_protocol, offered, failed);
    Version version = *negotiated(findings, range_under(rule, offered));
    choose_ciphers(rule, findings, version, failed);
    choose_option(rule, findings, version);
    rule.check = try_rule(rule, offered, server);
    if (rule.check.failure == Failure::Rejected) lower_security_level(rule, offered, server);
    return rule;
}

std::string rule_toml(const DiagnosedRule& rule) {
    std::vector<std::pair<std::string, std::string>> lines{
        {"program = [" + toml_string(rule.program.value) + "]", rule.program.why}};
    if (rule.host) lines.push_back({"host = [" + toml_string(rule.host->value) + "]", rule.host->why});
    if (rule.min_protocol)
        lines.push_back({"min_protocol = " + toml_string(version_name(rule.min_protocol->value)), rule.min_protocol->why});
    if (rule.max_protocol)
        lines.push_back({"max_protocol = " + toml_string(version_name(rule.max_protocol->value)), rule.max_protocol->why});
    if (rule.ciphers) lines.push_back({"ciphers = " + toml_string(rule.ciphers->value), rule.ciphers->why});
    if (rule.ciphersuites) lines.push_back({"ciphersuites = " + toml_string(rule.ciphersuites->value), rule.ciphersuites->why});
    if (rule.security_level)
        lines.push_back({"security_level = " + std::to_string(rule.security_level->value), rule.security_level->why});
    if (rule.option) lines.push_back({"options = [" + toml_string(rule.option->value) + "]", rule.option->why});

    constexpr std::size_t widest_aligned = 40;
    std::size_t width = 0;
    for (const auto& line : lines)
        if (line.first.size() <= widest_aligned) width = std::max(width, line.first.size());
    std::string text = "[[rule]]\nname = " + toml_string(rule.name) + "\n";
    if (!rule.host) text += "# no host key: " + rule.no_host_why + "\n";
    for (const auto& [setting, why] : lines)
        text += setting + std::string(std::max(width, setting.size()) - setting.size() + 2, ' ') + "# why: " + why + "\n";
    return text;
}

std::string accepted_text(const Findings& findings) {
    std::string text;
    for (Version v : probe::all_versions) {
        const probe::VersionFindings& at = findings.at(v);
        if (!at.accepted()) continue;
        std::string ciphers;
        if (at.ciphers.size() > 3) ciphers = std::to_string(at.ciphers.size()) + " ciphers";
        else
            for (const probe::Cipher& c : at.ciphers) ciphers += (ciphers.empty() ? "" : ", ") + c.name;
        text += (text.empty() ? "" : ", ") + name_of(v) + " (" + ciphers + ")";
    }
    return text.empty() ? "nothing" : text;
}

}  // namespace tlso::diagnose
