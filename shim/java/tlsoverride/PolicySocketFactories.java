// The socket factories a PolicyContext hands out: JSSE's own, with every socket wrapped.
package tlsoverride;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

final class PolicySocketFactories {
    private PolicySocketFactories() {}

    static final class Client extends SSLSocketFactory {
        private final SSLSocketFactory f;
        private final Policy policy;

        Client(SSLSocketFactory delegate, Policy policy) { this.f = delegate; this.policy = policy; }

        private Socket wrap(Socket s) { return s instanceof SSLSocket ? new PolicySocket((SSLSocket) s, policy) : s; }

        @Override public String[] getDefaultCipherSuites() { return policy.suites(f.getDefaultCipherSuites(), f.getSupportedCipherSuites()); }
        @Override public String[] getSupportedCipherSuites() { return f.getSupportedCipherSuites(); }
        @Override public Socket createSocket() throws IOException { return wrap(f.createSocket()); }
        @Override public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException { return wrap(f.createSocket(s, host, port, autoClose)); }
        @Override public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException { return wrap(f.createSocket(s, consumed, autoClose)); }
        @Override public Socket createSocket(String host, int port) throws IOException { return wrap(f.createSocket(host, port)); }
        @Override public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException { return wrap(f.createSocket(host, port, local, localPort)); }
        @Override public Socket createSocket(InetAddress host, int port) throws IOException { return wrap(f.createSocket(host, port)); }
        @Override public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException { return wrap(f.createSocket(host, port, local, localPort)); }
    }

    static final class Server extends SSLServerSocketFactory {
        private final SSLServerSocketFactory f;
        private final Policy policy;

        Server(SSLServerSocketFactory delegate, Policy policy) { this.f = delegate; this.policy = policy; }

        private ServerSocket wrap(ServerSocket s) throws IOException {
            return s instanceof SSLServerSocket ? new PolicyServerSocket((SSLServerSocket) s, policy) : s;
        }

        @Override public String[] getDefaultCipherSuites() { return policy.suites(f.getDefaultCipherSuites(), f.getSupportedCipherSuites()); }
        @Override public String[] getSupportedCipherSuites() { return f.getSupportedCipherSuites(); }
        @Override public ServerSocket createServerSocket() throws IOException { return wrap(f.createServerSocket()); }
        @Override public ServerSocket createServerSocket(int port) throws IOException { return wrap(f.createServerSocket(port)); }
        @Override public ServerSocket createServerSocket(int port, int backlog) throws IOException { return wrap(f.createServerSocket(port, backlog)); }
        @Override public ServerSocket createServerSocket(int port, int backlog, InetAddress a) throws IOException { return wrap(f.createServerSocket(port, backlog, a)); }
    }
}
