// The JCA provider, inserted first: every SSLContext.getInstance(TLS name) and
// SSLContext.getDefault() (hence SSLSocketFactory.getDefault() and HttpsURLConnection's
// default) comes here, and is served by the JSSE provider that was first before.
package tlsoverride;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;

final class PolicyProvider extends Provider {
    static final String NAME = "TlsOverride";
    private static final List<String> PROTOCOLS =
        List.of("Default", "TLS", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "SSL", "SSLv3");

    PolicyProvider(Policy policy) {
        super(NAME, "1.0", "tlsoverride: applies the tlsoverride policy to JSSE");
        for (String protocol : PROTOCOLS) {
            putService(new Service(this, "SSLContext", protocol, PolicyContext.class.getName(), null, null) {
                @Override public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
                    return new PolicyContext(protocol, policy);
                }
            });
        }
    }
}
