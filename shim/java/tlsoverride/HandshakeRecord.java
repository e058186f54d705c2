// One handshake, worded like the library's records (shim/core/record.cpp: format_text,
// format_json, hint_for), so one jq query reads the records of every stack. The cipher is
// JSSE's name for it (IANA); the group is not reported by JSSE.
package tlsoverride;

final class HandshakeRecord {
    String time = Log.now(), program = "", sni = "", peer = "", rule = "";
    long pid;
    boolean server, ok;
    String version = "", cipher = "", group = "";
    boolean resumed;
    String alert = "", reason = "", offeredVersions = "";
    boolean alertSent;
    int offeredLow = -1, offeredHigh = -1, offeredCiphers;

    private boolean mentions(String text) { return reason.contains(text) || alert.contains(text); }

    private String offered() { return offeredVersions.isEmpty() ? "?" : offeredVersions; }

    String hint() {
        if (mentions("certificate verify failed") || mentions("unknown ca") || mentions("bad certificate") ||
            mentions("PKIX path") || mentions("certificate_unknown") || mentions("No subject alternative"))
            return "certificate verification failed; tlsoverride does not and will not change verification: "
                   + "fix the trust store (CA file) or the peer's certificate";
        if (mentions("protocol version") || mentions("protocol_version") ||
            mentions("unsupported protocol")) {
            String h = "no protocol version in common; this side offered " + offered() + ": set ";
            if (offeredHigh >= 0 && offeredHigh < 2)
                return h + "min_protocol = \"TLSv1.2\" (the peer most likely wants TLSv1.2 or later)";
            if (offeredLow >= 2)
                return h + "min_protocol = \"TLSv1\" and security_level = 0 for this host (the peer most likely "
                       + "speaks only an older version)";
            return h + "min_protocol/max_protocol to a range the peer speaks (tlsoverride probe HOST shows it)";
        }
        if (mentions("no shared cipher") || mentions("no cipher") || mentions("handshake failure") ||
            mentions("handshake_failure"))
            return "no cipher in common (this side offered " + offeredCiphers + " ciphers); set ciphers (TLS 1.2 and "
                   + "below) or ciphersuites (TLS 1.3) to include one the peer accepts (tlsoverride probe HOST lists them)";
        return "";
    }

    String text() {
        StringBuilder l = new StringBuilder("tlsoverride[" + pid + "]: handshake " + (ok ? "ok" : "FAILED") + ": " +
                                            (server ? "server" : "client") + " " + program + " peer=" +
                                            (peer.isEmpty() ? "?" : peer) + " sni=" + (sni.isEmpty() ? "-" : sni));
        if (ok) {
            l.append(" version=").append(version).append(" cipher=").append(cipher);
            if (!group.isEmpty()) l.append(" group=").append(group);
            l.append(resumed ? " resumed=yes" : " resumed=no");
        } else {
            if (!alert.isEmpty()) l.append(" alert=\"").append(alert).append(alertSent ? "\" (sent)" : "\" (received)");
            if (!reason.isEmpty()) l.append(" reason=\"").append(reason).append("\"");
            l.append(" offered=").append(offered()).append(" ciphers=").append(offeredCiphers);
            String h = hint();
            if (!h.isEmpty()) l.append(" hint: ").append(h);
        }
        if (!rule.isEmpty()) l.append(" rule=\"").append(rule).append("\"");
        return l.toString();
    }

    private static String field(String name, String value) {
        return ",\"" + name + "\":\"" + Log.jsonEscape(value) + "\"";
    }

    String json() {
        StringBuilder l = new StringBuilder("{\"time\":\"" + time + "\",\"type\":\"handshake\"" + field("program", program) +
                                            ",\"pid\":" + pid + field("role", server ? "server" : "client") +
                                            field("sni", sni) + field("peer", peer) + ",\"ok\":" + ok);
        if (ok)
            l.append(field("version", version)).append(field("cipher", cipher)).append(field("group", group))
             .append(",\"resumed\":").append(resumed);
        else
            l.append(field("alert", alert)).append(",\"alert_sent\":").append(alertSent).append(field("reason", reason))
             .append(field("offered_versions", offered())).append(",\"offered_ciphers\":").append(offeredCiphers)
             .append(field("hint", hint()));
        if (!rule.isEmpty()) l.append(field("rule", rule));
        return l.append("}").toString();
    }
}
