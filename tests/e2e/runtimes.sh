# Java and node carry their own TLS (issue 14): tlsoverride run recognises them and
# translates the same policy (a JSSE provider in JAVA_TOOL_OPTIONS, a --require module in
# NODE_OPTIONS). JVMs start slowly: one client program runs every case in one start.
. "$(dirname "$0")/lib.sh"
NODECLIENT=$(cd "$(dirname "$0")/../clients" && pwd)/nodeclient.js
# What the seed's old JDK offered by default, on a modern JDK: only TLSv1 (re-enabled).
printf 'jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL\n' >"$T/old-jdk.security"
OLD_JDK="-Djdk.tls.client.protocols=TLSv1 -Djava.security.properties=$T/old-jdk.security"
javaclient() { java $OLD_JDK -cp "$B/tests" JavaClient --ca "$CERTS/ca.pem" "$@" 2>&1; }
nodeclient() { node "$NODECLIENT" "$CERTS/ca.pem" "$@" 2>&1; }

# The seed's server: TLSv1.2 only, one cipher.
start_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || exit 1
MODERN=$PORT

# ---- the translation, without starting a runtime ----
out=$($TLSO run --print-env --mode enforce --min-protocol TLSv1.2 --ciphers 'ECDHE+AESGCM' --groups X25519:P-256 -- java -version 2>&1)
assert_contains "--print-env: the JSSE provider goes into JAVA_TOOL_OPTIONS" "$out" "JAVA_TOOL_OPTIONS=-javaagent:$B/tlsoverride-jsse.jar "
assert_contains "--print-env: min_protocol becomes jdk.tls.client.protocols" "$out" "-Djdk.tls.client.protocols=TLSv1.2,TLSv1.3 "
assert_contains "--print-env: and IBM's overrideDefaultTLS switch" "$out" "-Dcom.ibm.jsse2.overrideDefaultTLS=true"
assert_contains "--print-env: OpenSSL cipher names become IANA names (SSL_CIPHER_standard_name)" "$out" \
    "-Djdk.tls.client.cipherSuites=TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
assert_contains "--print-env: groups become jdk.tls.namedGroups" "$out" "-Djdk.tls.namedGroups=x25519,secp256r1"
assert_contains "--print-env: the resolved policy for the provider" "$out" "TLSOVERRIDE_RUNTIME_POLICY=v=1&mode=enforce&program=java&log=warn&min=TLSv1.2"
assert_contains "--print-env: the preload still comes first for OpenSSL children" "$out" "LD_PRELOAD=$LIB"
assert_contains "--print-env: the flags as variables" "$out" "TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2"

out=$($TLSO run --print-env -- java -version 2>&1)
assert_not_contains "no policy and no records: the JVM gets nothing (and pays nothing)" "$out" "JAVA_TOOL_OPTIONS"
out=$(JAVA_TOOL_OPTIONS='-Xmx64m -Djdk.tls.client.protocols=TLSv1' $TLSO run --print-env --min-protocol TLSv1.2 -- java -version 2>&1)
assert_contains "an existing JAVA_TOOL_OPTIONS is kept" "$out" "-Dcom.ibm.jsse2.overrideDefaultTLS=true -Xmx64m"
assert_not_contains "... but a property the policy sets is the policy's" "$out" "protocols=TLSv1 "
nested=$(env $($TLSO run --print-env --min-protocol TLSv1.2 -- java -version | grep -v '^TLSOVERRIDE_RUNTIME') \
    $TLSO run --print-env --min-protocol TLSv1.3 -- java -version)
assert_eq "a nested run loads the provider once" "$(printf '%s\n' "$nested" | grep -o 'javaagent' | wc -l)" "1"

cat >"$T/policy.toml" <<'EOF'
[policy]
min_protocol = "TLSv1.2"
security_level = 1

[[rule]]
name = "legacy host"
host = ["billing.legacy.test"]
min_protocol = "TLSv1"

[[rule]]
name = "billing"
program = ["billing-sync"]
min_protocol = "TLSv1.3"
EOF
printf '#!/usr/bin/env node\nrequire(process.argv[2]);\n' >"$T/billing-sync"
chmod +x "$T/billing-sync"
out=$($TLSO run --print-env --config "$T/policy.toml" -- "$T/billing-sync" 2>&1)
node_path=$(command -v node || true)
if [ -n "$node_path" ] && ! nm -D --defined-only "$(readlink -f "$node_path")" 2>/dev/null | grep -q ' SSL_CTX_new$'; then
    # Debian's nodejs links libssl: the preload governs it, and run adds no module.
    assert_not_contains "a #!/usr/bin/env node script on a node that links libssl gets no module" "$out" "NODE_OPTIONS="
    assert_contains "... only the preload, which governs it" "$out" "LD_PRELOAD=$LIB"
else
    assert_contains "a #!/usr/bin/env node script is recognised" "$out" "NODE_OPTIONS=--require=$B/tlsoverride.js"
    assert_contains "the rule for the script's name applies" "$out" "&program=billing-sync&rule=billing&"
    assert_contains "... with its values" "$out" "&min=TLSv1.3"
    assert_contains "node takes security_level as @SECLEVEL" "$out" "&seclevel=1"
fi
out=$($TLSO run --print-env --config "$T/policy.toml" -- java -version 2>&1)
assert_contains "what Java cannot take is reported, located like check" "$out" \
    "tlsoverride run: $T/policy.toml:3:18: security_level 1: JSSE has no security levels"
assert_contains "a per-host rule goes along, for the provider to choose per connection" "$out" \
    "&rules=1&r1.rule=legacy%20host&r1.hosts=billing.legacy.test&"
assert_contains "... with its values" "$out" "&r1.min=TLSv1"
out=$($TLSO run --min-protocol TLSv9 -- java -version 2>&1); status=$?
assert_contains "a bad flag value names the flag (run checks its settings before it starts java)" "$out" "--min-protocol: unknown protocol version 'TLSv9'"
assert_eq "... exit 2" "$status" "2"
printf '[policy]\nmin_protocol = "TLSv9"\n' > "$T/bad.toml"
out=$(TLSOVERRIDE_CONFIG=$T/bad.toml $TLSO run -- java -version 2>&1); status=$?
assert_contains "a bad configuration file is named, located" "$out" "$T/bad.toml:2:16"
assert_contains "... and java is not started without its policy" "$out" "not starting java"

printf '#!/bin/sh\nexec java "$@"\n' >"$T/java-wrapper"
chmod +x "$T/java-wrapper"
out=$($TLSO run --print-env --min-protocol TLSv1.2 -- "$T/java-wrapper" 2>&1)
assert_contains "a shell script's Java programs get the provider" "$out" "JAVA_TOOL_OPTIONS=-javaagent:$B/tlsoverride-jsse.jar"
assert_contains "... and its node programs the module" "$out" "NODE_OPTIONS=--require=$B/tlsoverride.js"
out=$(TLSOVERRIDE_CONFIG=$T/bad.toml TLSOVERRIDE_ON_ERROR=ignore $TLSO run --print-env -- "$T/java-wrapper" 2>&1); status=$?
assert_eq "with on_error = \"ignore\" a bad configuration does not stop a shell script" "$status" "0"

out=$($TLSO doctor java 2>&1)
assert_contains "doctor says what governs java" "$out" "yes: java carries its own TLS (JSSE"

# A rule for some hosts: the runtime chooses it per connection, by the server name (SNI).
cat >"$T/hosts.toml" <<'EOF'
mode = "enforce"
[log]
handshakes = true
[policy]
min_protocol = "TLSv1.2"
[[rule]]
name = "modern hosts"
host = ["*.TEST"]
min_protocol = "TLSv1.3"
EOF

# ---- Java: one JVM start per environment ----
if [ -n "${SANITIZED:-}" ]; then
    # No OpenSSL call of the library runs in a JVM, and a JVM's own SIGSEGV use fights ASan's.
    echo "# skip - Java runs: the JVM under a sanitized preload (make test runs them)"
elif ! command -v java >/dev/null || [ ! -f "$B/tests/JavaClient.class" ]; then
    echo "# skip - no JDK (scripts/install-deps java installs openjdk-17-jdk-headless)"
else
    java -cp "$B/java:$B/tests/policy" tlsoverride.PolicyTable 2>&1

    out=$(javaclient $MODERN default pinned https server)
    assert_contains "Java on its (old) defaults fails against a TLSv1.2-only server" "$out" "default: handshake failed: Received fatal alert: protocol_version"
    assert_contains "Java pinned to SSLContext TLSv1 + setEnabledProtocols(TLSv1) fails" "$out" "pinned: handshake failed"
    assert_contains "HttpsURLConnection fails too" "$out" "https: handshake failed"
    assert_contains "a Java server pinned to TLSv1 refuses a TLSv1.2 client" "$out" "server: handshake failed"

    out=$($TLSO run --mode enforce --min-protocol TLSv1.2 --log-handshakes --log-format json --log-file "$T/java.json" \
        -- java $OLD_JDK -cp "$B/tests" JavaClient --ca "$CERTS/ca.pem" $MODERN default pinned https engine server 2>&1)
    assert_contains "under enforce TLSv1.2, Java on its defaults connects (raw socket)" "$out" "default: connected TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    assert_contains "the pinned Java client connects with TLSv1.2" "$out" "pinned: connected TLSv1.2"
    assert_contains "HttpsURLConnection gets its page" "$out" "https: connected TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 http 200"
    assert_eq "... and sends no address as a server name, as JSSE itself does not" "$(grep -c "\"sni\":\"127.0.0.1\"" "$T/java.json")" "0"
    assert_contains "an SSLEngine client connects" "$out" "engine: connected TLSv1.2"
    assert_contains "the pinned Java server accepts TLSv1.2" "$out" "server: connected TLSv1.2"
    records=$(cat "$T/java.json" 2>/dev/null)
    assert_eq "one JSON record per Java handshake" "$(printf '%s\n' "$records" | grep -c '"type":"handshake","program":"java"')" "5"
    assert_contains "the server side writes its record, with the client's SNI" "$records" '"role":"server","sni":"billing.legacy.test"'
    assert_contains "the record has the library's fields" "$records" \
        "\"role\":\"client\",\"sni\":\"\",\"peer\":\"127.0.0.1:$MODERN\",\"ok\":true,\"version\":\"TLSv1.2\",\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\""

    out=$($TLSO run --min-protocol TLSv1.2 -- java $OLD_JDK -cp "$B/tests" JavaClient --ca "$CERTS/ca.pem" $MODERN default pinned 2>&1)
    assert_contains "the seed's fix: default mode, Java on its defaults connects" "$out" "default: connected TLSv1.2"
    assert_contains "default mode: the pinned client's own setEnabledProtocols stands" "$out" "pinned: handshake failed"

    out=$($TLSO run --config "$T/hosts.toml" -- java $OLD_JDK -cp "$B/tests" JavaClient --ca "$CERTS/ca.pem" $MODERN default sni 2>&1)
    assert_contains "a host rule leaves other connections alone" "$out" "default: connected TLSv1.2"
    assert_contains "the host rule (min TLSv1.3) applies to the connection that sends its name" "$out" "sni: handshake failed: Received fatal alert: protocol_version"
    assert_contains "... and the record names the host and the rule" "$out" "sni=modern.test alert=\"protocol version\" (received)"
    assert_contains "... the rule" "$out" "rule=\"modern hosts\""

    out=$($TLSO run --min-protocol TLSv1.3 --log-handshakes -- "$T/java-wrapper" $OLD_JDK -cp "$B/tests" JavaClient --ca "$CERTS/ca.pem" $MODERN default 2>&1)
    assert_contains "under min TLSv1.3, Java on its defaults, started by a shell script, is refused" "$out" "default: handshake failed: Received fatal alert: protocol_version"
    assert_contains "the failure record says what was offered" "$out" \
        "handshake FAILED: client java peer=127.0.0.1:$MODERN sni=- alert=\"protocol version\" (received) reason=\"Received fatal alert: protocol_version\" offered=TLSv1.3-TLSv1.3"
fi

# ---- node with its own OpenSSL (nodesource and nodejs.org builds; Debian's links libssl) ----
if [ -n "${SANITIZED:-}" ]; then
    echo "# skip - node runs: node under a sanitized preload (make test runs them)"
elif ! command -v node >/dev/null; then
    echo "# skip - no node with its own OpenSSL here (nodesource or nodejs.org builds; Debian's nodejs links libssl and the library governs it)"
elif ! nm -D --defined-only "$(readlink -f "$(command -v node)")" 2>/dev/null | grep -q ' SSL_CTX_new$'; then
    echo "# skip - this node links libssl (Debian's nodejs): the preload governs it; the module is for a node with its own OpenSSL"
else
    node "$(dirname "$NODECLIENT")/policy-table.js" "$B/tlsoverride.js" 2>&1
    out=$($TLSO doctor node 2>&1)
    assert_contains "doctor says what governs a node with its own OpenSSL" "$out" "yes: node carries its own OpenSSL"
    out=$(nodeclient $MODERN default min13)
    assert_contains "node on its defaults connects" "$out" "default: connected TLSv1.2"
    assert_contains "node with minVersion TLSv1.3 fails against a TLSv1.2 server" "$out" "min13: handshake failed: tlsv1 alert protocol version"
    out=$($TLSO run --mode enforce --min-protocol TLSv1.2 --log-handshakes --log debug -- node "$NODECLIENT" "$CERTS/ca.pem" $MODERN min13 pinned https 2>&1)
    assert_contains "under enforce TLSv1.2, node's minVersion TLSv1.3 gives way" "$out" "min13: connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
    assert_contains "a secureProtocol TLSv1_method client connects with TLSv1.2" "$out" "pinned: connected TLSv1.2"
    assert_contains "https.get connects" "$out" "https: connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 http 200"
    assert_contains "the enforced change is logged at debug" "$out" "enforce: kept the policy's minVersion TLSv1.2 (program asked TLSv1.3)"
    assert_contains "node writes the library's record" "$out" \
        "handshake ok: client node peer=127.0.0.1:$MODERN sni=- version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 group=x25519 resumed=no"
    out=$($TLSO run --config "$T/hosts.toml" -- node "$NODECLIENT" "$CERTS/ca.pem" $MODERN default sni 2>&1)
    assert_contains "node: a host rule leaves other connections alone" "$out" "default: connected TLSv1.2"
    assert_contains "node: the host rule applies to the connection that sends its name" "$out" "sni: handshake failed: tlsv1 alert protocol version"
    assert_contains "node: the record names the host and the rule" "$out" "sni=modern.test alert=\"protocol version\" (received)"
    assert_contains "node: ... the rule" "$out" "rule=\"modern hosts\""
    out=$($TLSO run --min-protocol TLSv1.2 -- node "$NODECLIENT" "$CERTS/ca.pem" $MODERN min13 2>&1)
    assert_contains "default mode: node's explicit minVersion stands" "$out" "min13: handshake failed"
    out=$($TLSO run --min-protocol TLSv1.3 --log-handshakes -- node "$NODECLIENT" "$CERTS/ca.pem" $MODERN default 2>&1)
    assert_contains "under min TLSv1.3, node on its defaults is refused" "$out" "default: handshake failed: tlsv1 alert protocol version"
    assert_contains "with the library's hint" "$out" "offered=TLSv1.3-TLSv1.3 ciphers=0 hint: no protocol version in common"
fi
