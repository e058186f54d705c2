// What Agent.premain runs on Java 11 and later: `tlsoverride run` puts
// -javaagent:tlsoverride-jsse.jar into JAVA_TOOL_OPTIONS and the resolved policy into
// TLSOVERRIDE_RUNTIME_POLICY. premain runs before the program's main, hence before JSSE
// reads its security properties:
//  - jdk.tls.disabledAlgorithms is edited here, the java.security override generated in
//    the JVM rather than written to a file (nothing to clean up, nothing for systemd's
//    PrivateTmp to hide): versions the policy allows are re-enabled, and in enforce mode
//    versions outside its range are added, a floor even for other JSSE providers;
//  - the provider is inserted first.
// A failure here never stops the program: it is logged, and the JVM runs without the policy.
package tlsoverride;

import java.security.Security;
import java.util.ArrayList;
import java.util.List;

public final class Installer {
    private Installer() {}

    public static synchronized void install() {
        String text = System.getenv(Policy.VARIABLE);
        if (Security.getProvider(PolicyProvider.NAME) != null) return;
        if (text == null || text.isEmpty()) {
            // JAVA_TOOL_OPTIONS copied without its companion variable: say so, once.
            System.err.println("tlsoverride[" + ProcessHandle.current().pid() + "]: warning: " + Policy.VARIABLE +
                               " is not set, so the JSSE provider has no policy to apply (tlsoverride run --print-env "
                               + "prints both variables)");
            return;
        }
        Policy policy = Policy.parse(text);
        try {
            String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
            String edited = disabledAlgorithms(disabled == null ? "" : disabled, policy);
            if (!edited.equals(disabled)) {
                Security.setProperty("jdk.tls.disabledAlgorithms", edited);
                policy.log.write(Log.DEBUG, "jdk.tls.disabledAlgorithms=" + edited);
            }
            // The JSSE provider underneath is looked up at the first TLS use, not here:
            // listing the providers loads every one of them, hundreds of milliseconds of
            // start-up for a JVM that may never use TLS.
            Security.insertProviderAt(new PolicyProvider(policy), 1);
            policy.log.write(Log.INFO, "JSSE provider installed: mode " + (policy.enforce ? "enforce" : "default") +
                                       (policy.namesBound() ? ", protocols " + policy.range() : ""));
        } catch (RuntimeException | LinkageError e) {
            policy.log.write(Log.WARN, "the JSSE provider could not be installed (" + e + "); Java runs without the policy");
        }
    }

    // The JDK's list, without the versions the policy allows (its range, when it names a
    // minimum), and in enforce mode with the versions outside its range.
    static String disabledAlgorithms(String current, Policy policy) {
        List<String> out = new ArrayList<>();
        for (String entry : current.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) continue;
            int v = Policy.VERSIONS.indexOf(e);
            if (v >= 0 && policy.min >= 0 && v >= policy.min && v <= policy.highest()) continue;
            out.add(e);
        }
        if (policy.enforce && policy.namesBound())
            for (int v = 0; v < Policy.VERSIONS.size(); v++)
                if ((v < policy.lowest() || v > policy.highest()) && !out.contains(Policy.VERSIONS.get(v)))
                    out.add(Policy.VERSIONS.get(v));
        return String.join(", ", out);
    }
}
