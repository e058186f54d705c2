// The SSLContext implementation the provider registers for every TLS protocol name: JSSE's
// own context underneath, every socket, server socket and engine it makes wrapped. A
// version-pinned name (SSLContext.getInstance("TLSv1")) gets the flexible "TLS" context
// when the policy names a bound, the overrideDefaultTLS case (design: Pinned methods).
package tlsoverride;

import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

final class PolicyContext extends SSLContextSpi {
    private final SSLContext c;
    private final Policy policy;

    PolicyContext(String protocol, Policy policy) throws NoSuchAlgorithmException {
        this.policy = policy;
        boolean pinned = !protocol.equals("Default") && !protocol.equals("TLS");
        String underneath = pinned && policy.namesBound() ? "TLS" : protocol;
        this.c = SSLContext.getInstance(underneath, policy.base());
        if (pinned && policy.namesBound() && policy.log.enabled(Log.INFO))
            policy.log.write(Log.INFO, "SSLContext " + protocol + ": made as TLS with protocols " + policy.range() +
                                       " (program asked " + protocol + " only)");
    }

    @Override protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException { c.init(km, tm, sr); }
    @Override protected SSLSocketFactory engineGetSocketFactory() { return new PolicySocketFactories.Client(c.getSocketFactory(), policy); }
    @Override protected SSLServerSocketFactory engineGetServerSocketFactory() { return new PolicySocketFactories.Server(c.getServerSocketFactory(), policy); }
    @Override protected SSLEngine engineCreateSSLEngine() { return new PolicyEngine(c.createSSLEngine(), policy); }
    @Override protected SSLEngine engineCreateSSLEngine(String host, int port) { return new PolicyEngine(c.createSSLEngine(host, port), policy); }
    @Override protected SSLSessionContext engineGetServerSessionContext() { return c.getServerSessionContext(); }
    @Override protected SSLSessionContext engineGetClientSessionContext() { return c.getClientSessionContext(); }

    // What frameworks read as "the defaults" (netty's "Default protocols (JDK)").
    @Override protected SSLParameters engineGetDefaultSSLParameters() {
        SSLParameters p = c.getDefaultSSLParameters();
        SSLParameters supported = c.getSupportedSSLParameters();
        Apply.toParameters(p, policy, supported.getProtocols(), supported.getCipherSuites());
        return p;
    }
    @Override protected SSLParameters engineGetSupportedSSLParameters() { return c.getSupportedSSLParameters(); }
}
