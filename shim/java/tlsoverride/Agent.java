// The -javaagent entry point, compiled for Java 8 (class version 52) while the provider needs
// Java 11: a JVM refuses a premain class it cannot load and then stops, so on an older JVM
// (the seed's JDK 8) this class only says so and the program runs with the JDK properties
// `tlsoverride run` set (jdk.tls.client.protocols, com.ibm.jsse2.overrideDefaultTLS).
// Nothing may escape premain: java.lang.instrument aborts the JVM on an exception.
package tlsoverride;

import java.io.File;
import java.lang.instrument.Instrumentation;

public final class Agent {
    private Agent() {}

    public static void premain(String args, Instrumentation instrumentation) { start(); }

    public static void agentmain(String args, Instrumentation instrumentation) { start(); }

    private static void start() {
        try {
            String version = System.getProperty("java.specification.version", "");
            if (version.startsWith("1.") || version.equals("9") || version.equals("10")) {
                warn("the JSSE provider needs Java 11 or later and this is Java " + version +
                     "; only the JDK properties apply (defaults; on IBM Java, overrideDefaultTLS)");
                return;
            }
            Class.forName("tlsoverride.Installer").getMethod("install").invoke(null);
        } catch (Throwable t) {
            Throwable cause = t.getCause() != null ? t.getCause() : t;
            warn("the JSSE provider could not be installed (" + cause + "); Java runs without the policy");
        }
    }

    private static void warn(String message) {
        String pid = "?";
        try { pid = new File("/proc/self").getCanonicalFile().getName(); } catch (Exception e) { /* keep ? */ }
        System.err.println("tlsoverride[" + pid + "]: warning: " + message);
    }
}
