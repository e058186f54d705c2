// What `tlsoverride probe` prints. See probe_report.hpp.
#include "probe_report.hpp"

#include <algorithm>
#include <vector>

namespace tlso::probe {

namespace {

// Left-aligned columns two spaces apart, like sslscan's; the last column is not padded.
class Table {
public:
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

    void print(std::FILE* out) const {
        std::vector<std::size_t> widths;
        for (const auto& row : rows_) {
            widths.resize(std::max(widths.size(), row.size()));
            for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
        }
        for (const auto& row : rows_) {
            std::string line;
            for (std::size_t i = 0; i < row.size(); ++i)
                line += i + 1 < row.size() ? row[i] + std::string(widths[i] - row[i].size() + 2, ' ') : row[i];
            line.erase(line.find_last_not_of(' ') + 1);  // an empty last column leaves none
            std::fprintf(out, "%s\n", line.c_str());
        }
    }

private:
    std::vector<std::vector<std::string>> rows_;
};

std::string yes_no(bool value) { return value ? "yes" : "no"; }

std::string right_aligned(int number, int width) {
    std::string text = std::to_string(number);
    return std::string(std::max<int>(0, width - static_cast<int>(text.size())), ' ') + text;
}

std::string outcome(const Handshake& handshake) {
    if (!handshake.connected()) return "fails: " + handshake.reason;
    return "connects with " + std::string(version_name(*handshake.version)) + " " + handshake.cipher;
}

void print_protocols(const Findings& findings, std::FILE* out) {
    Table table;
    table.add({"Protocol", "Accepted", "Server order"});
    for (Version version : all_versions) {
        const VersionFindings& found = findings.at(version);
        std::string order = !found.accepted() ? "" : found.ciphers.size() < 2 ? "(one cipher)" : yes_no(found.server_order);
        table.add({std::string(version_name(version)), yes_no(found.accepted()), order});
    }
    table.print(out);
}

void print_ciphers(const Findings& findings, std::FILE* out) {
    Table table;
    table.add({"Protocol", "Rank", "Bits", "Cipher"});
    for (Version version : all_versions) {
        const VersionFindings& found = findings.at(version);
        for (std::size_t i = 0; i < found.ciphers.size(); ++i) {
            // Without server order the list is the probe's own order: nothing is preferred.
            std::string rank = i == 0 && found.server_order ? "preferred" : "accepted";
            table.add({std::string(version_name(version)), rank, right_aligned(found.ciphers[i].bits, 4), found.ciphers[i].name});
        }
    }
    table.print(out);
}

// Groups are offered one at a time at the highest version only: which ones a server
// takes can differ between versions, and below TLSv1.3 OpenSSL 3.0 names only EC groups.
void print_groups(const Findings& findings, std::FILE* out) {
    std::fprintf(out, "Groups (tested at %s)\n", std::string(version_name(*findings.highest())).c_str());
    Table table;
    table.add({"Group", "Accepted"});
    for (const GroupFinding& group : findings.groups)
        table.add({group.name, group.accepted ? (group.name == findings.preferred_group ? "yes, preferred" : "yes") : "no"});
    table.print(out);
}

std::string key_text(const Certificate& certificate) {
    std::string text = certificate.key_type + " " + std::to_string(certificate.key_bits) + " bits";
    return certificate.key_curve.empty() ? text : text + " (" + certificate.key_curve + ")";
}

void print_certificate(const std::optional<Certificate>& certificate, std::FILE* out) {
    if (!certificate) {
        std::fputs("Certificate  none sent\n", out);
        return;
    }
    std::fputs("Certificate\n", out);
    Table table;
    table.add({"  subject", certificate->subject});
    table.add({"  issuer", certificate->issuer});
    table.add({"  key", key_text(*certificate)});
    table.add({"  signature", certificate->signature});
    table.add({"  expires", certificate->not_after});
    table.print(out);
}

std::string renegotiation_text(std::optional<bool> secure) {
    if (!secure) return "not applicable (TLSv1.3 only)";
    if (*secure) return "supported";
    return "NOT supported: OpenSSL 3 clients fail with \"unsafe legacy renegotiation disabled\"";
}

void print_summary(const Report& report, std::FILE* out) {
    Table table;
    table.add({"Secure renegotiation (RFC 5746)", renegotiation_text(report.findings.secure_renegotiation())});
    table.add({"OpenSSL 3 defaults, no rule", outcome(report.findings.default_client)});
    table.print(out);
}

void print_rule(const SuggestedRule& rule, std::FILE* out) {
    std::fputs("Suggested rule, for /etc/tlsoverride/config.toml (or the file TLSOVERRIDE_CONFIG names):\n\n", out);
    std::fputs(rule_toml(rule).c_str(), out);
    std::fprintf(out, "\nChecked: a client with OpenSSL 3's defaults and this rule %s\n", outcome(rule.check).c_str());
}

}  // namespace

void print_text(const Report& report, std::FILE* out) {
    std::string address = report.host == report.address ? "" : " (" + report.address + ")";
    std::string sni = report.sni.empty() ? "no SNI" : "SNI " + report.sni;
    std::fprintf(out, "Probe of %s%s, %s\n\n", report.endpoint.c_str(), address.c_str(), sni.c_str());
    print_protocols(report.findings, out);
    std::fputc('\n', out);
    print_ciphers(report.findings, out);
    std::fputc('\n', out);
    print_groups(report.findings, out);
    std::fputc('\n', out);
    print_certificate(report.findings.certificate(), out);
    std::fputc('\n', out);
    print_summary(report, out);
    std::fputc('\n', out);
    print_rule(report.rule, out);
    std::fprintf(out, "\n%d handshakes in %ld ms\n", report.handshakes, report.elapsed_ms);
}

namespace {

std::string json_string(std::string_view text) {
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (c == '\n') {
            quoted += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            quoted += escaped;
        } else {
            quoted += c;
        }
    }
    return quoted + "\"";
}

std::string json_bool(bool value) { return value ? "true" : "false"; }

// {"TLSv1": ..., "TLSv1.1": ..., ...}: one entry per version.
template <class F>
std::string per_version(F&& value_of) {
    std::string text = "{";
    for (Version version : all_versions)
        text += (version == Version::TLSv1 ? "" : ", ") + json_string(version_name(version)) + ": " + value_of(version);
    return text + "}";
}

std::string cipher_list(const std::vector<Cipher>& ciphers) {
    std::string text = "[";
    for (const Cipher& cipher : ciphers) text += (text.size() > 1 ? ", " : "") + json_string(cipher.name);
    return text + "]";
}

std::string group_list(const std::vector<GroupFinding>& groups) {
    std::string text = "[";
    for (const GroupFinding& group : groups)
        if (group.accepted) text += (text.size() > 1 ? ", " : "") + json_string(group.name);
    return text + "]";
}

std::string certificate_object(const std::optional<Certificate>& certificate) {
    if (!certificate) return "null";
    return "{\"subject\": " + json_string(certificate->subject) + ", \"issuer\": " + json_string(certificate->issuer) +
           ", \"key_type\": " + json_string(certificate->key_type) + ", \"key_bits\": " + std::to_string(certificate->key_bits) +
           ", \"key_curve\": " + (certificate->key_curve.empty() ? "null" : json_string(certificate->key_curve)) +
           ", \"signature_algorithm\": " + json_string(certificate->signature) +
           ", \"not_after\": " + json_string(certificate->not_after) + "}";
}

std::string handshake_object(const Handshake& handshake) {
    if (!handshake.connected()) return "{\"connects\": false, \"error\": " + json_string(handshake.reason) + "}";
    return "{\"connects\": true, \"version\": " + json_string(version_name(*handshake.version)) +
           ", \"cipher\": " + json_string(handshake.cipher) + "}";
}

std::string justified(std::string value_json, const std::string& why) {
    return "{\"value\": " + value_json + ", \"why\": " + json_string(why) + "}";
}

// The rule as data (each setting's value as the TOML file takes it, and why it is there),
// and as the TOML text to paste: {"name", "host", "min_protocol", ..., "toml"}.
std::string rule_object(const SuggestedRule& rule) {
    std::string text = "{\"name\": " + json_string(rule.name);
    if (rule.host)
        text += ", \"host\": " + justified("[" + json_string(rule.host->value) + "]", rule.host->why);
    else
        text += ", \"host\": null, \"no_host_why\": " + json_string(rule.no_host_why);
    text += ", \"min_protocol\": " + justified(json_string(version_name(rule.min_protocol.value)), rule.min_protocol.why);
    if (rule.ciphers) text += ", \"ciphers\": " + justified(json_string(rule.ciphers->value), rule.ciphers->why);
    if (rule.ciphersuites) text += ", \"ciphersuites\": " + justified(json_string(rule.ciphersuites->value), rule.ciphersuites->why);
    if (rule.security_level)
        text += ", \"security_level\": " + justified(std::to_string(rule.security_level->value), rule.security_level->why);
    if (rule.option) text += ", \"options\": " + justified("[" + json_string(rule.option->value) + "]", rule.option->why);
    return text + ", \"toml\": " + json_string(rule_toml(rule)) + "}";
}

}  // namespace

void print_json(const Report& report, std::FILE* out) {
    const Findings& findings = report.findings;
    std::vector<std::pair<std::string, std::string>> members{
        {"host", json_string(report.host)},
        {"port", std::to_string(report.port)},
        {"sni", report.sni.empty() ? "null" : json_string(report.sni)},
        {"address", json_string(report.address)},
        {"protocols", per_version([&](Version v) { return json_bool(findings.at(v).accepted()); })},
        {"ciphers", per_version([&](Version v) { return cipher_list(findings.at(v).ciphers); })},
        {"server_order", per_version([&](Version v) { return json_bool(findings.at(v).server_order); })},
        {"groups", group_list(findings.groups)},
        {"groups_tested_at", json_string(version_name(*findings.highest()))},
        {"preferred_group", findings.preferred_group.empty() ? "null" : json_string(findings.preferred_group)},
        {"certificate", certificate_object(findings.certificate())},
        // A TLSv1.3-only server cannot fail a client over RFC 5746: true, as for a supporting one.
        {"secure_renegotiation", json_bool(findings.secure_renegotiation().value_or(true))},
        {"default_client", handshake_object(findings.default_client)},
        {"suggested_rule", rule_object(report.rule)},
        {"rule_check", handshake_object(report.rule.check)},
        {"handshakes", std::to_string(report.handshakes)},
        {"elapsed_ms", std::to_string(report.elapsed_ms)},
    };
    std::fputs("{\n", out);
    for (std::size_t i = 0; i < members.size(); ++i)
        std::fprintf(out, "  %s: %s%s\n", json_string(members[i].first).c_str(), members[i].second.c_str(),
                     i + 1 < members.size() ? "," : "");
    std::fputs("}\n", out);
}

}  // namespace tlso::probe
