// Table tests of the Java provider's pure decisions (shim/java/tlsoverride/Policy.java,
// Installer.disabledAlgorithms): the same rules as the library's core/policy, one "ok -" or
// "not ok -" line per row, read by tests/run like any e2e story.
//   java -cp BUILD/java:BUILD/tests/policy tlsoverride.PolicyTable
package tlsoverride;

import java.util.Arrays;

public final class PolicyTable {
    static final String[] SUPPORTED = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3", "SSLv2Hello"};
    static int failed;

    static void row(String what, Object got, Object expected) {
        String g = got instanceof String[] ? Arrays.toString((String[]) got) : String.valueOf(got);
        String e = expected instanceof String[] ? Arrays.toString((String[]) expected) : String.valueOf(expected);
        if (g.equals(e)) System.out.println("ok - java policy: " + what);
        else { System.out.println("not ok - java policy: " + what + "\n#   expected: " + e + "\n#   got:      " + g); failed++; }
    }

    static String[] a(String... s) { return s; }

    static String[] protocols(String policy, String... requested) {
        return Policy.parse(policy).protocols(requested, SUPPORTED);
    }

    public static void main(String[] args) {
        row("min TLSv1.2 lifts a program's TLSv1", protocols("min=TLSv1.2", "TLSv1"), a("TLSv1.3", "TLSv1.2"));
        row("min TLSv1.2 keeps a program's choice to switch TLSv1.3 off", protocols("min=TLSv1.2", "TLSv1.2"), a("TLSv1.2"));
        row("min TLSv1.2 drops the program's versions below it", protocols("min=TLSv1.2", "TLSv1", "TLSv1.2"), a("TLSv1.2"));
        row("max TLSv1.2 against a program minimum above it: the policy's range",
            protocols("max=TLSv1.2", "TLSv1.3"), a("TLSv1.2", "TLSv1.1", "TLSv1"));
        row("min and max: the policy owns both ends", protocols("min=TLSv1.2&max=TLSv1.2", "TLSv1.3"), a("TLSv1.2"));
        row("no bound: the program's protocols stand", protocols("mode=enforce", "TLSv1"), a("TLSv1"));
        row("SSLv2Hello and SSLv3 are never in a range", protocols("max=TLSv1", "SSLv3", "SSLv2Hello"), a("TLSv1"));

        Policy suites = Policy.parse("ciphers12=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_NOT_A_SUITE");
        row("ciphers replace the TLS 1.2 part, keep the program's TLS 1.3 part, and only supported names",
            suites.suites(a("TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"),
                          a("TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")),
            a("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        row("TLS_EMPTY_RENEGOTIATION_INFO_SCSV is not a TLS 1.3 suite", Policy.isTls13Suite("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"), false);

        row("host glob *.TEST matches modern.test (case-insensitive)", Policy.glob("*.TEST", "modern.test"), true);
        row("host glob [bc]? classes", Policy.glob("a[bc]d", "abd"), true);
        row("host glob ? is one character", Policy.glob("x?", "x"), false);
        row("host glob dots are literal", Policy.glob("a.b", "axb"), false);

        Policy rules = Policy.parse("min=TLSv1.2&rules=2&r1.rule=servers&r1.role=server&r1.min=TLSv1.3"
                                    + "&r2.rule=old&r2.hosts=*.legacy.test&r2.min=TLSv1");
        row("a client connection to a legacy host gets its rule", rules.forConnection("billing.legacy.test", false).rule, "old");
        row("a server gets the role rule", rules.forConnection("", true).rule, "servers");
        row("a client without a matching name keeps the process's policy", rules.forConnection("modern.test", false).rule, "");

        String jdk = "SSLv3, TLSv1, TLSv1.1, RC4, DH keySize < 1024";
        row("default mode, min TLSv1: TLSv1 and TLSv1.1 re-enabled",
            Installer.disabledAlgorithms(jdk, Policy.parse("min=TLSv1")), "SSLv3, RC4, DH keySize < 1024");
        row("enforce, min TLSv1.2: the JDK's list stands (it already refuses below)",
            Installer.disabledAlgorithms(jdk, Policy.parse("mode=enforce&min=TLSv1.2")), jdk);
        row("enforce, TLSv1.2 only: TLSv1.3 is disabled too",
            Installer.disabledAlgorithms("SSLv3", Policy.parse("mode=enforce&min=TLSv1.2&max=TLSv1.2")),
            "SSLv3, TLSv1, TLSv1.1, TLSv1.3");
        row("default mode, max only: nothing re-enabled", Installer.disabledAlgorithms(jdk, Policy.parse("max=TLSv1.2")), jdk);
        System.exit(failed == 0 ? 0 : 1);
    }
}
