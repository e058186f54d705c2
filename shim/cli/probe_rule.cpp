// The suggested [[rule]]. See probe_rule.hpp.
#include "probe_rule.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace tlso::probe {

namespace {

std::string joined(const std::vector<Cipher>& ciphers) {
    std::string text;
    for (const Cipher& cipher : ciphers) text += (text.empty() ? "" : ":") + cipher.name;
    return text;
}

// The lowest version the server accepts, but never below TLSv1.2 when it accepts
// TLSv1.2 or later: this floor is what lifts a client pinned to an older version.
Justified<Version> choose_min_protocol(const Findings& findings) {
    Version lowest = *findings.lowest();
    if (*findings.highest() < Version::TLSv1_2)
        return {lowest, "the server's lowest version; it accepts nothing from TLSv1.2 up"};
    Version floor = findings.at(Version::TLSv1_2).accepted() ? Version::TLSv1_2 : Version::TLSv1_3;
    if (lowest < Version::TLSv1_2)
        return {floor, "the server's lowest version from TLSv1.2 up; lifts clients pinned to older ones"};
    return {floor, "the server's lowest version; lifts clients pinned to older ones"};
}

std::optional<Justified<std::string>> choose_option(const Findings& findings) {
    if (*findings.highest() == Version::TLSv1_3 || findings.secure_renegotiation().value_or(true)) return std::nullopt;
    return Justified<std::string>{"UnsafeLegacyServerConnect",
                                  "no secure renegotiation (RFC 5746): OpenSSL 3 fails with "
                                  "\"unsafe legacy renegotiation disabled\""};
}

// A host rule matches the server name the client sends (core/rules.cpp's rule_matches
// on SSL_get_servername()), and a client that connects to an address sends none
// (RFC 6066 allows no address literal there; curl, python and OpenSSL's s_client send
// nothing), so a host key naming the address would never match. Without a name the
// rule can only be narrowed by program, which the probe cannot know.
void choose_host(SuggestedRule& rule, const RuleTarget& target) {
    if (!target.sni.empty()) {
        rule.host = Justified<std::string>{target.sni, "the server name (SNI) clients send to this server"};
        return;
    }
    rule.no_host_why = "clients that connect to " + target.host +
                       " by address send no server name (SNI), the only thing a host key matches; "
                       "so this rule applies to every connection of every program, as [policy] would; "
                       "add program = [\"NAME\"] to keep it to the program that connects there, "
                       "or probe with --sni NAME if its clients send a name";
}

// A client made the way the library makes one: OpenSSL 3's defaults, then the rule's
// values through SSL_CONF_cmd(), the parser the configuration file's values meet.
Context client_with(const SuggestedRule& rule) {
    Context context(SSL_CTX_new(TLS_client_method()));
    SSL_CONF_CTX* conf = SSL_CONF_CTX_new();
    if (!context || !conf) {
        SSL_CONF_CTX_free(conf);
        return nullptr;
    }
    SSL_CONF_CTX_set_flags(conf, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT);
    SSL_CONF_CTX_set_ssl_ctx(conf, context.get());
    bool accepted = SSL_CONF_cmd(conf, "MinProtocol", std::string(version_name(rule.min_protocol.value)).c_str()) > 0;
    if (rule.ciphers) accepted = accepted && SSL_CONF_cmd(conf, "CipherString", rule.ciphers->value.c_str()) > 0;
    if (rule.ciphersuites) accepted = accepted && SSL_CONF_cmd(conf, "Ciphersuites", rule.ciphersuites->value.c_str()) > 0;
    if (rule.option) accepted = accepted && SSL_CONF_cmd(conf, "Options", rule.option->value.c_str()) > 0;
    accepted = accepted && SSL_CONF_CTX_finish(conf);
    SSL_CONF_CTX_free(conf);
    if (rule.security_level) SSL_CTX_set_security_level(context.get(), rule.security_level->value);
    return accepted ? std::move(context) : nullptr;
}

Handshake try_rule(const SuggestedRule& rule, Server& server) {
    Context client = client_with(rule);
    if (client) return server.handshake(client.get(), Offer{});
    Handshake refused;
    refused.failure = Failure::Rejected;
    const char* reason = ERR_reason_error_string(ERR_peek_error());
    refused.reason = std::string("OpenSSL rejects the rule: ") + (reason ? reason : "unknown reason");
    return refused;
}

// The level a client gets when nobody sets one: OpenSSL 3's is 1, Debian builds it with 2.
int default_security_level() {
    Context context(SSL_CTX_new(TLS_client_method()));
    return context ? SSL_CTX_get_security_level(context.get()) : 1;
}

// "level 2 (OpenSSL 3's default)", "levels 2 (OpenSSL 3's default) and 1", ...
std::string failing_levels(int lowest, int default_level) {
    std::string text = (lowest < default_level ? "levels " : "level ") + std::to_string(default_level) + " (OpenSSL 3's default)";
    if (lowest == default_level) return text;
    return text + (lowest + 1 == default_level ? " and " : " down to ") + std::to_string(lowest);
}

// The default security level refuses TLSv1, TLSv1.1, SHA-1 signatures and small keys.
// The highest level below it that connects is the one suggested: level 1 still
// refuses the weakest of them, so it is tried before 0.
void lower_security_level(SuggestedRule& rule, Server& server) {
    const std::string refusal = rule.check.reason;
    const int default_level = default_security_level();
    for (int level = default_level - 1; level >= 0; --level) {
        SuggestedRule candidate = rule;
        std::string why = "the handshake fails at " + failing_levels(level + 1, default_level) + ": " + refusal;
        candidate.security_level = Justified<int>{level, why};
        candidate.check = try_rule(candidate, server);
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
        if (static_cast<unsigned char>(c) < 0x20) continue;  // names and cipher lists have none
        quoted += c;
    }
    return quoted + "\"";
}

}  // namespace

std::optional<Justified<std::string>> ciphers_beyond_defaults(const Findings& findings, Version version) {
    const std::vector<Cipher>& accepted = findings.at(version).ciphers;
    if (accepted.empty()) return std::nullopt;
    const std::vector<std::string> offered = default_offer(version);
    bool meets = std::any_of(accepted.begin(), accepted.end(), [&](const Cipher& cipher) {
        return std::find(offered.begin(), offered.end(), cipher.name) != offered.end();
    });
    if (meets) return std::nullopt;
    const std::string list = joined(accepted);
    const std::string kind = version == Version::TLSv1_3 ? "ciphersuites" : "ciphers";
    return Justified<std::string>{list, "the server accepts only " + list + " at " + std::string(version_name(version)) +
                                            ", and a client on OpenSSL's default " + kind + " offers none of them"};
}

SuggestedRule suggest_rule(const Findings& findings, Server& server, const RuleTarget& target) {
    SuggestedRule rule;
    rule.name = "probe of " + (target.sni.empty() || target.sni == target.host ? target.endpoint
                                                                              : target.sni + " at " + target.endpoint);
    choose_host(rule, target);
    rule.min_protocol = choose_min_protocol(findings);
    // A client negotiates the server's highest version, so only that version's list matters.
    Version highest = *findings.highest();
    if (highest == Version::TLSv1_3)
        rule.ciphersuites = ciphers_beyond_defaults(findings, highest);
    else
        rule.ciphers = ciphers_beyond_defaults(findings, highest);
    rule.option = choose_option(findings);
    rule.check = try_rule(rule, server);
    if (rule.check.failure == Failure::Rejected) lower_security_level(rule, server);
    return rule;
}

std::string rule_toml(const SuggestedRule& rule) {
    std::vector<std::pair<std::string, std::string>> lines;
    if (rule.host) lines.push_back({"host = [" + toml_string(rule.host->value) + "]", rule.host->why});
    lines.push_back({"min_protocol = " + toml_string(version_name(rule.min_protocol.value)), rule.min_protocol.why});
    if (rule.ciphers) lines.push_back({"ciphers = " + toml_string(rule.ciphers->value), rule.ciphers->why});
    if (rule.ciphersuites)
        lines.push_back({"ciphersuites = " + toml_string(rule.ciphersuites->value), rule.ciphersuites->why});
    if (rule.security_level)
        lines.push_back({"security_level = " + std::to_string(rule.security_level->value), rule.security_level->why});
    if (rule.option) lines.push_back({"options = [" + toml_string(rule.option->value) + "]", rule.option->why});

    // Comments line up, except after a setting too long for it (a long cipher list).
    constexpr std::size_t widest_aligned = 40;
    std::size_t width = 0;
    for (const auto& line : lines)
        if (line.first.size() <= widest_aligned) width = std::max(width, line.first.size());
    std::string text = "[[rule]]\nname = " + toml_string(rule.name) + "\n";
    if (!rule.host) {
        // One comment line per clause ("; "), so that the reason reads without scrolling.
        std::string why = rule.no_host_why;
        for (std::size_t at; (at = why.find("; ")) != std::string::npos;) why.replace(at, 2, ";\n#   ");
        text += "# no host key: " + why + "\n";
    }
    for (const auto& [setting, why] : lines)
        text += setting + std::string(std::max(width, setting.size()) - setting.size() + 2, ' ') + "# why: " + why + "\n";
    return text;
}

}  // namespace tlso::probe
