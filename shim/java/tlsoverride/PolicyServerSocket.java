// An SSLServerSocket that keeps the policy and hands out PolicySockets (server role).
package tlsoverride;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

final class PolicyServerSocket extends SSLServerSocket {
    private final SSLServerSocket s;
    private final Policy policy;

    PolicyServerSocket(SSLServerSocket delegate, Policy policy) throws IOException {
        this.s = delegate;
        this.policy = policy;
        Apply.toServerSocket(delegate, policy);
    }

    @Override public Socket accept() throws IOException {
        Socket accepted = s.accept();
        return accepted instanceof SSLSocket ? new PolicySocket((SSLSocket) accepted, policy) : accepted;
    }

    @Override public void setEnabledProtocols(String[] p) { s.setEnabledProtocols(Apply.protocols(policy, p, s.getSupportedProtocols())); }
    @Override public void setEnabledCipherSuites(String[] c) { s.setEnabledCipherSuites(Apply.suites(policy, c, s.getSupportedCipherSuites())); }
    @Override public void setSSLParameters(SSLParameters p) { s.setSSLParameters(Apply.parameters(policy, p, s.getSupportedProtocols(), s.getSupportedCipherSuites())); }

    @Override public String[] getEnabledCipherSuites() { return s.getEnabledCipherSuites(); }
    @Override public String[] getSupportedCipherSuites() { return s.getSupportedCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return s.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return s.getEnabledProtocols(); }
    @Override public void setNeedClientAuth(boolean n) { s.setNeedClientAuth(n); }
    @Override public boolean getNeedClientAuth() { return s.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean w) { s.setWantClientAuth(w); }
    @Override public boolean getWantClientAuth() { return s.getWantClientAuth(); }
    @Override public void setUseClientMode(boolean m) { s.setUseClientMode(m); }
    @Override public boolean getUseClientMode() { return s.getUseClientMode(); }
    @Override public void setEnableSessionCreation(boolean f) { s.setEnableSessionCreation(f); }
    @Override public boolean getEnableSessionCreation() { return s.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return s.getSSLParameters(); }

    @Override public void bind(SocketAddress a) throws IOException { s.bind(a); }
    @Override public void bind(SocketAddress a, int backlog) throws IOException { s.bind(a, backlog); }
    @Override public InetAddress getInetAddress() { return s.getInetAddress(); }
    @Override public int getLocalPort() { return s.getLocalPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }
    @Override public void close() throws IOException { s.close(); }
    @Override public ServerSocketChannel getChannel() { return s.getChannel(); }
    @Override public boolean isBound() { return s.isBound(); }
    @Override public boolean isClosed() { return s.isClosed(); }
    @Override public void setSoTimeout(int t) throws SocketException { s.setSoTimeout(t); }
    @Override public int getSoTimeout() throws IOException { return s.getSoTimeout(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return s.getReuseAddress(); }
    @Override public String toString() { return s.toString(); }
    @Override public void setReceiveBufferSize(int n) throws SocketException { s.setReceiveBufferSize(n); }
    @Override public int getReceiveBufferSize() throws SocketException { return s.getReceiveBufferSize(); }
    @Override public void setPerformancePreferences(int c, int l, int b) { s.setPerformancePreferences(c, l, b); }
    @Override public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException { s.setOption(name, value); return this; }
    @Override public <T> T getOption(SocketOption<T> name) throws IOException { return s.getOption(name); }
    @Override public Set<SocketOption<?>> supportedOptions() { return s.supportedOptions(); }
}
