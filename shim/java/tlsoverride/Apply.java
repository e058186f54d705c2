// The one place that changes JSSE objects: at creation the policy replaces the defaults
// (both modes, like the library at SSL_CTX_new); afterwards, a program's choice is merged
// with the policy in enforce mode and stands in default mode.
package tlsoverride;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

final class Apply {
    private Apply() {}

    // PROTOCOLS, SUITES: get/set of the object's enabled lists. When the policy replaces the
    // protocols, the suites become the JDK's defaults for the whole range (Policy.defaultSuites).
    static void atCreation(Policy p, Supplier<String[]> protocols, Consumer<String[]> setProtocols,
                           String[] supportedProtocols, Supplier<String[]> suites, Consumer<String[]> setSuites,
                           String[] supportedSuites) {
        if (p.namesBound()) {
            String[] before = protocols.get(), after = p.protocols(before, supportedProtocols);
            if (!Arrays.equals(before, after)) {
                setProtocols.accept(after);
                String[] defaults = p.defaultSuites();
                if (defaults != null) setSuites.accept(defaults);
            }
        }
        if (p.namesSuites()) setSuites.accept(p.suites(suites.get(), supportedSuites));
    }

    static void toSocket(SSLSocket s, Policy p) {
        atCreation(p, s::getEnabledProtocols, s::setEnabledProtocols, s.getSupportedProtocols(),
                   s::getEnabledCipherSuites, s::setEnabledCipherSuites, s.getSupportedCipherSuites());
    }

    static void toEngine(SSLEngine e, Policy p) {
        atCreation(p, e::getEnabledProtocols, e::setEnabledProtocols, e.getSupportedProtocols(),
                   e::getEnabledCipherSuites, e::setEnabledCipherSuites, e.getSupportedCipherSuites());
    }

    static void toServerSocket(SSLServerSocket s, Policy p) {
        atCreation(p, s::getEnabledProtocols, s::setEnabledProtocols, s.getSupportedProtocols(),
                   s::getEnabledCipherSuites, s::setEnabledCipherSuites, s.getSupportedCipherSuites());
    }

    static void toParameters(SSLParameters params, Policy p, String[] supportedProtocols, String[] supportedSuites) {
        if (p.namesBound() && params.getProtocols() != null)
            params.setProtocols(p.protocols(params.getProtocols(), supportedProtocols));
        if (p.namesSuites() && params.getCipherSuites() != null)
            params.setCipherSuites(p.suites(params.getCipherSuites(), supportedSuites));
    }

    // A program's later setEnabledProtocols: what it becomes.
    static String[] protocols(Policy p, String[] requested, String[] supported) {
        if (!p.enforce || !p.namesBound() || requested == null) return requested;
        return kept(p, "protocols", requested, p.protocols(requested, supported));
    }

    static String[] suites(Policy p, String[] requested, String[] supported) {
        if (!p.enforce || !p.namesSuites() || requested == null) return requested;
        return kept(p, "cipher suites", requested, p.suites(requested, supported));
    }

    static SSLParameters parameters(Policy p, SSLParameters params, String[] supportedProtocols, String[] supportedSuites) {
        if (params == null || !p.enforce) return params;
        if (p.namesBound() && params.getProtocols() != null)
            params.setProtocols(protocols(p, params.getProtocols(), supportedProtocols));
        if (p.namesSuites() && params.getCipherSuites() != null)
            params.setCipherSuites(suites(p, params.getCipherSuites(), supportedSuites));
        return params;
    }

    private static String[] kept(Policy p, String what, String[] requested, String[] result) {
        if (!Arrays.equals(requested, result) && p.log.enabled(Log.DEBUG))
            p.log.write(Log.DEBUG, "enforce: kept the policy's " + what + " " + String.join(",", result) +
                                   " (program asked " + String.join(",", requested) + ")");
        return result;
    }
}
