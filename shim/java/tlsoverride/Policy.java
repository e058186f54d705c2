// The policy `tlsoverride run` resolved for this JVM (TLSOVERRIDE_RUNTIME_POLICY), and the
// decisions on it: which protocols and cipher suites a socket or engine ends up with.
// The same rules as the library's core/policy: the policy owns what it names; in enforce
// mode a bound it does not name stays the program's unless it would leave no version in
// the policy's range.
package tlsoverride;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class Policy {
    static final String VARIABLE = "TLSOVERRIDE_RUNTIME_POLICY";
    static final List<String> VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    final boolean enforce;
    final int min, max;                  // index into VERSIONS; -1: not named
    final List<String> suites12, suites13;  // IANA names; null: not named
    final String program, rule;
    final Log log;
    // Rules that decide single connections (a host, a role), in file order; each is the
    // whole merged layer for that rule (environment over rule over [policy]).
    final List<Policy> rules = new ArrayList<>();
    final List<String> hosts;  // shell globs, case-insensitive; empty: any host
    final String role;         // "client", "server" or null
    private final Policy root;  // the process's policy; this for itself

    private Policy(Map<String, String> v, String prefix, Policy root) {
        this.root = root == null ? this : root;
        enforce = "enforce".equals(v.get("mode"));
        min = VERSIONS.indexOf(v.getOrDefault(prefix + "min", ""));
        max = VERSIONS.indexOf(v.getOrDefault(prefix + "max", ""));
        suites12 = list(v.get(prefix + "ciphers12"));
        suites13 = list(v.get(prefix + "ciphers13"));
        program = v.getOrDefault("program", "java");
        rule = v.getOrDefault(prefix + "rule", "");
        List<String> h = list(v.get(prefix + "hosts"));
        hosts = h == null ? List.of() : h;
        role = v.get(prefix + "role");
        log = root == null ? new Log(v.getOrDefault("log", "warn"), "json".equals(v.get("log_format")), v.get("log_file"),
                                     "1".equals(v.get("handshakes")), program)
                           : root.log;
        if (root == null) {
            int n = Integer.parseInt(v.getOrDefault("rules", "0"));
            for (int i = 1; i <= n; i++) rules.add(new Policy(v, "r" + i + ".", this));
        }
    }

    // The policy for one connection: the first rule whose host and role match, else this
    // (the library's first_matching_rule; the program already matched in tlsoverride run).
    Policy forConnection(String sni, boolean server) {
        for (Policy r : rules) {
            if (r.role != null && !r.role.equals(server ? "server" : "client")) continue;
            if (!r.hosts.isEmpty() && (sni == null || sni.isEmpty() || r.hosts.stream().noneMatch(g -> glob(g, sni))))
                continue;
            return r;
        }
        return this;
    }

    // Shell-style: * ? [...]; case-insensitive, like host globs in the library.
    static boolean glob(String pattern, String text) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') re.append(".*");
            else if (c == '?') re.append('.');
            else if (c == '[') {
                int end = pattern.indexOf(']', i + 2);
                if (end < 0) { re.append("\\["); continue; }
                String set = pattern.substring(i + 1, end);
                if (set.startsWith("!")) set = "^" + set.substring(1);
                re.append('[').append(set.replace("\\", "\\\\")).append(']');
                i = end;
            } else re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.CASE_INSENSITIVE).matcher(text).matches();
    }

    // "key=value&key=value", values percent-encoded ('+' is encoded, never a space).
    static Policy parse(String text) {
        Map<String, String> values = new HashMap<>();
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            values.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return new Policy(values, "", null);
    }

    private static List<String> list(String text) {
        if (text == null) return null;
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    private java.security.Provider base;
    private String[] defaultSuites;

    // The JSSE provider underneath: the first after ours that offers SSLContext TLS
    // (SunJSSE, IBMJSSE2), found at the first TLS use.
    java.security.Provider base() throws java.security.NoSuchAlgorithmException { return root.findBase(); }

    private synchronized java.security.Provider findBase() throws java.security.NoSuchAlgorithmException {
        if (base == null) {
            for (java.security.Provider p : java.security.Security.getProviders())
                if (!(p instanceof PolicyProvider) && p.getService("SSLContext", "TLS") != null) {
                    base = p;
                    log.write(Log.DEBUG, "JSSE provider underneath: " + p.getName());
                    break;
                }
            if (base == null) throw new java.security.NoSuchAlgorithmException("tlsoverride: no JSSE provider offers SSLContext TLS");
        }
        return base;
    }

    // The JDK's default cipher suites for the whole version range. A context's defaults are
    // computed for its default protocols: a context that offered only TLSv1 (the
    // jdk.tls.client.protocols of the seed's old JDK) has none left once TLSv1 is disabled,
    // so a socket whose protocols the policy replaces gets these. A TLSv1.3 context's
    // defaults are not narrowed by jdk.tls.client.protocols.
    String[] defaultSuites() { return root.findDefaultSuites(); }

    private synchronized String[] findDefaultSuites() {
        if (defaultSuites == null) {
            try {
                javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLSv1.3", base());
                c.init(null, null, null);
                defaultSuites = c.getDefaultSSLParameters().getCipherSuites();
            } catch (java.security.GeneralSecurityException | RuntimeException e) {
                log.write(Log.WARN, "cannot read the JDK's default cipher suites (" + e + ")");
                defaultSuites = new String[0];
            }
        }
        return defaultSuites.length == 0 ? null : defaultSuites;
    }

    boolean namesBound() { return min >= 0 || max >= 0; }
    boolean namesSuites() { return suites12 != null || suites13 != null; }
    int lowest() { return min >= 0 ? min : 0; }
    int highest() { return max >= 0 ? max : VERSIONS.size() - 1; }

    String range() { return VERSIONS.get(lowest()) + "-" + VERSIONS.get(highest()); }

    // The protocols a socket gets when it has (or the program asks for) REQUESTED.
    String[] protocols(String[] requested, String[] supported) {
        if (!namesBound() || requested == null) return requested;
        int low = -1, high = -1;
        for (String p : requested) {
            int i = VERSIONS.indexOf(p);
            if (i < 0) continue;
            if (low < 0 || i < low) low = i;
            if (i > high) high = i;
        }
        int lo = min >= 0 ? min : (low < 0 || low > highest() ? 0 : low);
        int hi = max >= 0 ? max : (high < 0 || high < lowest() ? VERSIONS.size() - 1 : high);
        List<String> out = new ArrayList<>();
        for (String p : supported) {
            int i = VERSIONS.indexOf(p);
            if (i >= lo && i <= hi) out.add(p);
        }
        return out.toArray(new String[0]);
    }

    static boolean isTls13Suite(String s) {
        return s.startsWith("TLS_") && !s.contains("_WITH_") && !s.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    }

    // The cipher suites: the policy's list for each class it names (TLS 1.3 suites, the
    // rest), the requested ones for a class it does not; only names this JDK supports.
    String[] suites(String[] requested, String[] supported) {
        if (!namesSuites() || requested == null) return requested;
        Set<String> known = new HashSet<>(Arrays.asList(supported));
        List<String> out = new ArrayList<>();
        for (String s : suites13 != null ? suites13 : Arrays.asList(requested))
            if (isTls13Suite(s) && (suites13 == null || known.contains(s))) out.add(s);
        for (String s : suites12 != null ? suites12 : Arrays.asList(requested))
            if (!isTls13Suite(s) && (suites12 == null || known.contains(s))) out.add(s);
        return out.toArray(new String[0]);
    }
}
