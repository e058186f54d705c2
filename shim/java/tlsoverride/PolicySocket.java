// An SSLSocket that keeps the policy: every call goes to JSSE's own socket, except that the
// policy is applied when it is made and, in enforce mode, a program's later protocol and
// cipher choices are merged with it (Policy.protocols/suites). It also writes the handshake
// record: on startHandshake, or on the first read or write, which start it implicitly.
package tlsoverride;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

final class PolicySocket extends SSLSocket {
    private final SSLSocket s;
    private volatile Policy policy;  // the process's, until a rule for this connection is chosen
    // volatile: every read and write looks at them, and after the handshake takes no lock.
    private volatile boolean recorded;
    private boolean programChose;  // the program set protocols or suites itself
    private volatile long started;

    PolicySocket(SSLSocket delegate, Policy policy) {
        this.s = delegate;
        this.policy = policy;
        Apply.toSocket(delegate, policy);
    }

    // ---- the handshake record ----

    private String peer() { return Handshakes.peer(s.getInetAddress(), s.getPort()); }

    // At the latest when the handshake starts, the connection's rule is chosen (the
    // library's per-connection rules): by the server name the client set, and the role.
    private void beforeHandshake() {
        if (started == 0) chooseRule();
    }

    private synchronized void chooseRule() {
        if (started != 0) return;
        started = System.currentTimeMillis();
        Policy chosen = policy.forConnection(Handshakes.sni(s.getSSLParameters()), !s.getUseClientMode());
        // Default mode: what the program set stands, also when a rule is chosen later.
        if (chosen != policy && (policy.enforce || !programChose)) {
            policy = chosen;
            Apply.toSocket(s, chosen);
            policy.log.write(Log.INFO, "connection to " + Handshakes.sni(s.getSSLParameters()) + ": protocols " +
                                       chosen.range() + ", from rule \"" + chosen.rule + "\"");
        }
    }

    private void afterHandshake() {
        if (!recorded) record();
    }

    private synchronized void record() {
        if (recorded) return;
        recorded = true;
        SSLSession session = s.getSession();  // the handshake is over: this does not start one
        Handshakes.ok(policy, !s.getUseClientMode(), peer(), Handshakes.sni(s.getSSLParameters()), session, started);
    }

    private synchronized void handshakeFailed(IOException e) {
        if (recorded || !(e instanceof SSLException)) return;
        recorded = true;
        Handshakes.failed(policy, !s.getUseClientMode(), peer(), Handshakes.sni(s.getSSLParameters()), e,
                          s.getEnabledProtocols(), s.getEnabledCipherSuites().length);
    }

    @Override public void startHandshake() throws IOException {
        beforeHandshake();
        try {
            s.startHandshake();
        } catch (IOException e) {
            handshakeFailed(e);
            throw e;
        }
        afterHandshake();
    }

    @Override public InputStream getInputStream() throws IOException {
        return new FilterInputStream(s.getInputStream()) {
            @Override public int read() throws IOException {
                beforeHandshake();
                try { int n = super.read(); afterHandshake(); return n; }
                catch (IOException e) { handshakeFailed(e); throw e; }
            }
            @Override public int read(byte[] b, int off, int len) throws IOException {
                beforeHandshake();
                try { int n = in.read(b, off, len); afterHandshake(); return n; }
                catch (IOException e) { handshakeFailed(e); throw e; }
            }
        };
    }

    @Override public OutputStream getOutputStream() throws IOException {
        return new FilterOutputStream(s.getOutputStream()) {
            @Override public void write(int b) throws IOException {
                beforeHandshake();
                try { out.write(b); afterHandshake(); }
                catch (IOException e) { handshakeFailed(e); throw e; }
            }
            @Override public void write(byte[] b, int off, int len) throws IOException {
                beforeHandshake();
                try { out.write(b, off, len); afterHandshake(); }
                catch (IOException e) { handshakeFailed(e); throw e; }
            }
        };
    }

    // ---- what enforce keeps ----

    @Override public void setEnabledProtocols(String[] p) { programChose = true; s.setEnabledProtocols(Apply.protocols(policy, p, s.getSupportedProtocols())); }
    @Override public void setEnabledCipherSuites(String[] c) { programChose = true; s.setEnabledCipherSuites(Apply.suites(policy, c, s.getSupportedCipherSuites())); }
    // Setting parameters read back with only the server name changed (HttpsURLConnection) is no choice.
    @Override public void setSSLParameters(SSLParameters p) {
        dropAddressNames(p);
        if (p != null && (changes(p.getProtocols(), s.getEnabledProtocols()) || changes(p.getCipherSuites(), s.getEnabledCipherSuites())))
            programChose = true;
        s.setSSLParameters(Apply.parameters(policy, p, s.getSupportedProtocols(), s.getSupportedCipherSuites()));
    }

    // HttpsURLConnection gives a socket that is not JSSE's own the host as a server name
    // even when it is an address (HttpsClient.afterConnect), which JSSE's socket never
    // sends (RFC 6066 allows no literal address in SNI): keep it that way.
    private static void dropAddressNames(SSLParameters p) {
        if (p == null || p.getServerNames() == null) return;
        List<javax.net.ssl.SNIServerName> names = new java.util.ArrayList<>();
        for (javax.net.ssl.SNIServerName n : p.getServerNames()) {
            String host = n instanceof javax.net.ssl.SNIHostName ? ((javax.net.ssl.SNIHostName) n).getAsciiName() : "";
            if (!host.matches("[0-9.]+") && !host.contains(":")) names.add(n);
        }
        if (names.size() != p.getServerNames().size()) p.setServerNames(names);
    }

    private static boolean changes(String[] asked, String[] now) { return asked != null && !java.util.Arrays.equals(asked, now); }

    // ---- everything else is JSSE's socket ----

    @Override public String[] getSupportedCipherSuites() { return s.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return s.getEnabledCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return s.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return s.getEnabledProtocols(); }
    @Override public SSLSession getSession() { return s.getSession(); }
    @Override public SSLSession getHandshakeSession() { return s.getHandshakeSession(); }
    @Override public void addHandshakeCompletedListener(HandshakeCompletedListener l) { s.addHandshakeCompletedListener(l); }
    @Override public void removeHandshakeCompletedListener(HandshakeCompletedListener l) { s.removeHandshakeCompletedListener(l); }
    // As for engines: a mode change resets lists that are still the defaults.
    @Override public void setUseClientMode(boolean m) { s.setUseClientMode(m); Apply.toSocket(s, policy); }
    @Override public boolean getUseClientMode() { return s.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean n) { s.setNeedClientAuth(n); }
    @Override public boolean getNeedClientAuth() { return s.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean w) { s.setWantClientAuth(w); }
    @Override public boolean getWantClientAuth() { return s.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean f) { s.setEnableSessionCreation(f); }
    @Override public boolean getEnableSessionCreation() { return s.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return s.getSSLParameters(); }
    @Override public String getApplicationProtocol() { return s.getApplicationProtocol(); }
    @Override public String getHandshakeApplicationProtocol() { return s.getHandshakeApplicationProtocol(); }
    @Override public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> f) { s.setHandshakeApplicationProtocolSelector(f); }
    @Override public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() { return s.getHandshakeApplicationProtocolSelector(); }

    @Override public void connect(SocketAddress a) throws IOException { s.connect(a); }
    @Override public void connect(SocketAddress a, int timeout) throws IOException { s.connect(a, timeout); }
    @Override public void bind(SocketAddress a) throws IOException { s.bind(a); }
    @Override public InetAddress getInetAddress() { return s.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return s.getLocalAddress(); }
    @Override public int getPort() { return s.getPort(); }
    @Override public int getLocalPort() { return s.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return s.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }
    @Override public SocketChannel getChannel() { return s.getChannel(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { s.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return s.getTcpNoDelay(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { s.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return s.getSoLinger(); }
    @Override public void sendUrgentData(int data) throws IOException { s.sendUrgentData(data); }
    @Override public void setOOBInline(boolean on) throws SocketException { s.setOOBInline(on); }
    @Override public boolean getOOBInline() throws SocketException { return s.getOOBInline(); }
    @Override public void setSoTimeout(int t) throws SocketException { s.setSoTimeout(t); }
    @Override public int getSoTimeout() throws SocketException { return s.getSoTimeout(); }
    @Override public void setSendBufferSize(int n) throws SocketException { s.setSendBufferSize(n); }
    @Override public int getSendBufferSize() throws SocketException { return s.getSendBufferSize(); }
    @Override public void setReceiveBufferSize(int n) throws SocketException { s.setReceiveBufferSize(n); }
    @Override public int getReceiveBufferSize() throws SocketException { return s.getReceiveBufferSize(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { s.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return s.getKeepAlive(); }
    @Override public void setTrafficClass(int tc) throws SocketException { s.setTrafficClass(tc); }
    @Override public int getTrafficClass() throws SocketException { return s.getTrafficClass(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return s.getReuseAddress(); }
    @Override public void close() throws IOException { s.close(); }
    @Override public void shutdownInput() throws IOException { s.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { s.shutdownOutput(); }
    @Override public String toString() { return s.toString(); }
    @Override public boolean isConnected() { return s.isConnected(); }
    @Override public boolean isBound() { return s.isBound(); }
    @Override public boolean isClosed() { return s.isClosed(); }
    @Override public boolean isInputShutdown() { return s.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return s.isOutputShutdown(); }
    @Override public void setPerformancePreferences(int c, int l, int b) { s.setPerformancePreferences(c, l, b); }
    @Override public <T> java.net.Socket setOption(SocketOption<T> name, T value) throws IOException { s.setOption(name, value); return this; }
    @Override public <T> T getOption(SocketOption<T> name) throws IOException { return s.getOption(name); }
    @Override public Set<SocketOption<?>> supportedOptions() { return s.supportedOptions(); }
}
