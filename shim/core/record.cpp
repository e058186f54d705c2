#include "core/record.hpp"

#include "core/log.hpp"

namespace tlso {
namespace {

bool mentions(const HandshakeRecord& r, std::string_view text) {
    return r.reason.find(text) != std::string::npos || r.alert.find(text) != std::string::npos;
}

std::string offered(const HandshakeRecord& r) {
    return r.offered_versions.empty() ? std::string("?") : r.offered_versions;
}

}  // namespace

std::string hint_for(const HandshakeRecord& r) {
    if (!r.verify_error.empty() || mentions(r, "certificate verify failed") || mentions(r, "unknown ca") ||
        mentions(r, "bad certificate") ||
        mentions(r, "error in the certificate"))  // GnuTLS: "error in the certificate (verification)."
        return "certificate verification failed; tlsoverride does not and will not change verification: "
               "fix the trust store (CA file) or the peer's certificate";
    if (mentions(r, "unsafe legacy renegotiation") || mentions(r, "safe renegotiation failed") /* GnuTLS */)
        return "the peer does not support secure renegotiation (RFC 5746), which OpenSSL 3 requires; "
               "set options = [\"UnsafeLegacyServerConnect\"] for this host";
    if (mentions(r, "legacy sigalg") || mentions(r, "dh key too small") || mentions(r, "ee key too small") ||
        mentions(r, "ca md too weak") || mentions(r, "insufficient security") || mentions(r, "key too small"))
        return "the peer's keys or signatures are below this side's security level; set security_level = 0 "
               "for this host (OpenSSL 3 needs level 0 for TLSv1 and TLSv1.1 with ECDHE/DHE)";
    if (mentions(r, "unsupported protocol") || mentions(r, "protocol version") || mentions(r, "wrong version number") ||
        mentions(r, "unsupported version") /* GnuTLS */ ||
        mentions(r, "no protocols available") || mentions(r, "version too low")) {
        std::string h = "no protocol version in common; this side offered " + offered(r) + ": set ";
        if (r.offered_high && *r.offered_high < Protocol::TLSv1_2)
            return h + "min_protocol = \"TLSv1.2\" (the peer most likely wants TLSv1.2 or later)";
        if (r.offered_low && *r.offered_low >= Protocol::TLSv1_2)
            return h + "min_protocol = \"TLSv1\" and security_level = 0 for this host (the peer most likely "
                       "speaks only an older version)";
        return h + "min_protocol/max_protocol to a range the peer speaks (tlsoverride probe HOST shows it)";
    }
    if (mentions(r, "no shared cipher") || mentions(r, "no cipher") || mentions(r, "handshake failure") ||
        mentions(r, "no supported cipher suites") /* GnuTLS */)
        return "no cipher in common (this side offered " + std::to_string(r.offered_ciphers) +
               " ciphers); set ciphers (TLS 1.2 and below) or ciphersuites (TLS 1.3) to include one the peer "
               "accepts (tlsoverride probe HOST lists them)";
    return "";
}

std::string format_text(const HandshakeRecord& r) {
    std::string line = "tlsoverride[" + std::to_string(r.pid) + "]: handshake " + (r.ok ? "ok" : "FAILED") + ": " +
                       std::string(role_name(r.role)) + " " + r.program + " peer=" + (r.peer.empty() ? "?" : r.peer) +
                       " sni=" + (r.sni.empty() ? "-" : r.sni);
    if (r.ok) {
        line += " version=" + r.version + " cipher=" + r.cipher;
        if (!r.group.empty()) line += " group=" + r.group;
        line += r.resumed ? " resumed=yes" : " resumed=no";
    } else {
        if (!r.alert.empty()) line += std::string(" alert=\"") + r.alert + (r.alert_sent ? "\" (sent)" : "\" (received)");
        if (!r.reason.empty()) line += " reason=\"" + r.reason + "\"";
        line += " offered=" + offered(r) + " ciphers=" + std::to_string(r.offered_ciphers);
        std::string hint = hint_for(r);
        if (!hint.empty()) line += " hint: " + hint;
    }
    if (!r.rule.empty()) line += " rule=\"" + r.rule + "\"";
    return one_line(line);
}

std::string format_json(const HandshakeRecord& r) {
    // Every string goes through json_escape, whatever its source (argv[0] and a peer's
    // SNI are anyone's bytes): the line stays valid JSON and valid UTF-8.
    auto field = [](std::string_view name, const std::string& value) {
        return ",\"" + std::string(name) + "\":\"" + json_escape(value) + "\"";
    };
    std::string line = "{\"time\":\"" + json_escape(r.time) + "\",\"type\":\"handshake\"" + field("program", r.program) +
                       ",\"pid\":" + std::to_string(r.pid) + field("role", std::string(role_name(r.role))) +
                       field("sni", r.sni) + field("peer", r.peer) + ",\"ok\":" + (r.ok ? "true" : "false");
    if (r.ok) {
        line += field("version", r.version) + field("cipher", r.cipher) + field("group", r.group) +
                ",\"resumed\":" + (r.resumed ? "true" : "false");
    } else {
        line += field("alert", r.alert) + ",\"alert_sent\":" + (r.alert_sent ? "true" : "false") +
                field("reason", r.reason) + field("offered_versions", offered(r)) +
                ",\"offered_ciphers\":" + std::to_string(r.offered_ciphers) + field("hint", hint_for(r));
        if (!r.verify_error.empty()) line += field("verify_error", r.verify_error);
    }
    if (!r.rule.empty()) line += field("rule", r.rule);
    return line + "}";
}

}  // namespace tlso
