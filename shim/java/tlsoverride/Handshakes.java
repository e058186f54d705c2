// Turns what JSSE tells about a finished or failed handshake into a record.
package tlsoverride;

import java.net.InetAddress;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

final class Handshakes {
    private Handshakes() {}

    static String peer(InetAddress address, int port) {
        return address == null ? "" : address.getHostAddress() + ":" + port;
    }

    static String sni(SSLParameters p) {
        List<SNIServerName> names = p == null ? null : p.getServerNames();
        if (names != null)
            for (SNIServerName n : names)
                if (n instanceof SNIHostName) return ((SNIHostName) n).getAsciiName();
        return "";
    }

    private static HandshakeRecord start(Policy policy, boolean server, String peer, String sni) {
        HandshakeRecord r = new HandshakeRecord();
        r.program = policy.program;
        r.pid = policy.log.pid;
        r.rule = policy.rule;
        r.server = server;
        r.peer = peer;
        r.sni = sni;
        return r;
    }

    static void ok(Policy policy, boolean server, String peer, String sni, SSLSession session, long startedMillis) {
        if (!policy.log.handshakes || session == null || "NONE".equals(session.getProtocol())) return;
        // A server's SNI is the one the client asked for, in the session.
        if (server && session instanceof ExtendedSSLSession)
            for (SNIServerName n : ((ExtendedSSLSession) session).getRequestedServerNames())
                if (n instanceof SNIHostName) sni = ((SNIHostName) n).getAsciiName();
        HandshakeRecord r = start(policy, server, peer, sni);
        r.ok = true;
        r.version = session.getProtocol();
        r.cipher = session.getCipherSuite();
        // A session created before this handshake began was resumed.
        r.resumed = session.getCreationTime() < startedMillis;
        policy.log.record(r);
    }

    // An exception's message without the "(protocol_version) " that OpenJDK 17.0.19 puts
    // before "Received fatal alert: protocol_version" (17.0.15 does not): records read the
    // same on every JDK.
    static String alertMessage(Throwable error) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        if (message.startsWith("(")) {
            int end = message.indexOf(") ");
            if (end > 0 && message.substring(end + 2).startsWith("Received fatal alert: ")) return message.substring(end + 2);
        }
        return message;
    }

    static void failed(Policy policy, boolean server, String peer, String sni, Throwable error, String[] protocols,
                       int ciphers) {
        if (!policy.log.handshakes) return;
        HandshakeRecord r = start(policy, server, peer, sni);
        String message = alertMessage(error);
        String received = "Received fatal alert: ";
        if (message.startsWith(received)) r.alert = message.substring(received.length()).replace('_', ' ');
        r.reason = message;
        for (String p : protocols == null ? new String[0] : protocols) {
            int i = Policy.VERSIONS.indexOf(p);
            if (i < 0) continue;
            if (r.offeredLow < 0 || i < r.offeredLow) r.offeredLow = i;
            if (i > r.offeredHigh) r.offeredHigh = i;
        }
        if (r.offeredLow >= 0)
            r.offeredVersions = Policy.VERSIONS.get(r.offeredLow) + "-" + Policy.VERSIONS.get(r.offeredHigh);
        r.offeredCiphers = ciphers;
        policy.log.record(r);
    }
}
