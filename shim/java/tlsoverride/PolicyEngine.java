// An SSLEngine that keeps the policy, like PolicySocket: java.net.http, netty and servlet
// containers make their TLS connections through engines. The record is written when wrap or
// unwrap reports the handshake FINISHED, or throws during it.
package tlsoverride;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

final class PolicyEngine extends SSLEngine {
    private final SSLEngine e;
    private volatile Policy policy;  // the process's, until a rule for this connection is chosen
    private boolean recorded;
    private boolean programChose;  // the program set protocols or suites itself
    private long started;

    PolicyEngine(SSLEngine delegate, Policy policy) {
        super(delegate.getPeerHost(), delegate.getPeerPort());
        this.e = delegate;
        this.policy = policy;
        Apply.toEngine(delegate, policy);
    }

    private String peer() { return e.getPeerHost() == null ? "" : e.getPeerHost() + ":" + e.getPeerPort(); }

    private SSLEngineResult observe(SSLEngineResult r) {
        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
            synchronized (this) {
                if (!recorded) {
                    recorded = true;
                    Handshakes.ok(policy, !e.getUseClientMode(), peer(), Handshakes.sni(e.getSSLParameters()),
                                  e.getSession(), started);
                }
            }
        }
        return r;
    }

    private synchronized void failed(SSLException x) {
        if (recorded) return;
        recorded = true;
        Handshakes.failed(policy, !e.getUseClientMode(), peer(), Handshakes.sni(e.getSSLParameters()), x,
                          e.getEnabledProtocols(), e.getEnabledCipherSuites().length);
    }

    // The connection's rule, chosen when the handshake starts (see PolicySocket).
    private synchronized void begin() {
        if (started != 0) return;
        started = System.currentTimeMillis();
        Policy chosen = policy.forConnection(Handshakes.sni(e.getSSLParameters()), !e.getUseClientMode());
        // Default mode: what the program set stands, also when a rule is chosen later.
        if (chosen != policy && (policy.enforce || !programChose)) {
            policy = chosen;
            Apply.toEngine(e, chosen);
        }
    }

    @Override public SSLEngineResult wrap(ByteBuffer[] src, int off, int len, ByteBuffer dst) throws SSLException {
        begin();
        try { return observe(e.wrap(src, off, len, dst)); }
        catch (SSLException x) { failed(x); throw x; }
    }

    @Override public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dst, int off, int len) throws SSLException {
        begin();
        try { return observe(e.unwrap(src, dst, off, len)); }
        catch (SSLException x) { failed(x); throw x; }
    }

    @Override public void setEnabledProtocols(String[] p) { programChose = true; e.setEnabledProtocols(Apply.protocols(policy, p, e.getSupportedProtocols())); }
    @Override public void setEnabledCipherSuites(String[] c) { programChose = true; e.setEnabledCipherSuites(Apply.suites(policy, c, e.getSupportedCipherSuites())); }
    // Setting parameters read back with only the server name changed (HttpsURLConnection) is no choice.
    @Override public void setSSLParameters(SSLParameters p) {
        if (p != null && (changes(p.getProtocols(), e.getEnabledProtocols()) || changes(p.getCipherSuites(), e.getEnabledCipherSuites())))
            programChose = true;
        e.setSSLParameters(Apply.parameters(policy, p, e.getSupportedProtocols(), e.getSupportedCipherSuites()));
    }

    private static boolean changes(String[] asked, String[] now) { return asked != null && !java.util.Arrays.equals(asked, now); }

    @Override public Runnable getDelegatedTask() { return e.getDelegatedTask(); }
    @Override public void closeInbound() throws SSLException { e.closeInbound(); }
    @Override public boolean isInboundDone() { return e.isInboundDone(); }
    @Override public void closeOutbound() { e.closeOutbound(); }
    @Override public boolean isOutboundDone() { return e.isOutboundDone(); }
    @Override public String[] getSupportedCipherSuites() { return e.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return e.getEnabledCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return e.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return e.getEnabledProtocols(); }
    @Override public SSLSession getSession() { return e.getSession(); }
    @Override public SSLSession getHandshakeSession() { return e.getHandshakeSession(); }
    @Override public void beginHandshake() throws SSLException { begin(); e.beginHandshake(); }
    @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() { return e.getHandshakeStatus(); }
    // JSSE resets an engine's protocols and suites that are still its defaults to those of the
    // new mode (TransportContext.setUseClientMode): the policy's defaults go back on.
    @Override public void setUseClientMode(boolean m) { e.setUseClientMode(m); Apply.toEngine(e, policy); }
    @Override public boolean getUseClientMode() { return e.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean n) { e.setNeedClientAuth(n); }
    @Override public boolean getNeedClientAuth() { return e.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean w) { e.setWantClientAuth(w); }
    @Override public boolean getWantClientAuth() { return e.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean f) { e.setEnableSessionCreation(f); }
    @Override public boolean getEnableSessionCreation() { return e.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return e.getSSLParameters(); }
    @Override public String getApplicationProtocol() { return e.getApplicationProtocol(); }
    @Override public String getHandshakeApplicationProtocol() { return e.getHandshakeApplicationProtocol(); }
    @Override public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> f) { e.setHandshakeApplicationProtocolSelector(f); }
    @Override public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() { return e.getHandshakeApplicationProtocolSelector(); }
    @Override public String toString() { return e.toString(); }
}
