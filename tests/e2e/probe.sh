# tlsoverride probe (issue 8): what a server accepts, the rule that lets a client in,
# and one clear line with its own exit status for each kind of bad server.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

# json EXPR: reads the probe's JSON on stdin and prints the Python expression EXPR over
# it (the object is d); lists are printed joined with ':'.
json() {
    $PY -c "import json, sys; d = json.load(sys.stdin); v = $1; print(':'.join(v) if isinstance(v, list) else v)"
}

# A plain TCP server on 127.0.0.1 that misbehaves in one way, for the bad-server cases:
#   silent  accepts and never says anything
#   junk    answers with an SSH banner instead of TLS
#   close   reads the ClientHello and closes
#   half    reads the ClientHello, sends the start of a ServerHello record and closes
FAKE_SERVER='
import signal, socket, sys, threading
mode = sys.argv[1]
signal.alarm(120)  # outlives no test run, even if the cleanup misses it
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(listener.getsockname()[1], flush=True)
held = []
def serve(conn):
    if mode == "junk":
        conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    if mode in ("close", "half"):
        conn.recv(4096)
        if mode == "half":
            conn.sendall(bytes([0x16, 3, 3, 0, 0x5a, 2, 0, 0, 0x56, 3, 3]))
        conn.close()
        return
    held.append(conn)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
'

# fake_server MODE: starts one of the servers above and sets PORT.
fake_server() {
    local log i
    log=$(mktemp "$T/fake.XXXXXX")
    $PY -c "$FAKE_SERVER" "$1" >"$log" 2>&1 </dev/null &
    SERVER_PIDS="$SERVER_PIDS $!"
    for i in $(seq 1 100); do
        PORT=$(head -1 "$log")
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    not_ok "fake $1 server did not start: $(cat "$log")"
    return 1
}

# probe_fails NAME STATUS NEEDLE ARGS...: the probe ends within 20 s with STATUS and
# exactly one line on standard error containing NEEDLE, and prints nothing else.
probe_fails() {
    local name=$1 want=$2 needle=$3 status
    shift 3
    timeout 20 "$TLSO" probe "$@" >"$T/out" 2>"$T/err"
    status=$?
    assert_eq "$name: exit status $want" "$status" "$want"
    assert_contains "$name: the error line says why" "$(cat "$T/err")" "$needle"
    assert_eq "$name: one line on standard error, nothing on standard output" \
        "$(wc -l <"$T/err") $(wc -c <"$T/out")" "1 0"
}

out=$("$TLSO" probe --help); status=$?
assert_eq "--help exits 0" "$status" 0
assert_contains "--help starts with the usage line" "$out" "usage: tlsoverride probe HOST[:PORT] [--sni NAME] [--json] [--timeout SECONDS] [--jobs N]"
for flag in --sni --json --timeout --jobs; do assert_contains "--help explains $flag" "$out" "  $flag "; done
assert_contains "--help documents the exit statuses" "$out" "6  the server does not speak TLS"
assert_contains "--help gives an example" "$out" "example: tlsoverride probe"

# A TLSv1.2-only server with three ciphers, in an order OpenSSL's client would not pick.
THREE=AES128-SHA:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384
start_server -tls1_2 -cipher "$THREE" -serverpref || exit 1
TLS12=$PORT
json_out=$("$TLSO" probe 127.0.0.1:$TLS12 --sni billing.legacy.test --json)
assert_eq "TLSv1.2-only: exit status 0" "$?" 0
if printf '%s' "$json_out" | $PY -m json.tool >/dev/null; then ok "TLSv1.2-only: --json parses"; else not_ok "TLSv1.2-only: --json parses"; fi
assert_eq "TLSv1.2-only: only TLSv1.2 is accepted" \
    "$(printf '%s' "$json_out" | json '[k for k, v in d["protocols"].items() if v]')" "TLSv1.2"
assert_eq "TLSv1.2-only: exactly the three ciphers, in the server's order (-serverpref)" \
    "$(printf '%s' "$json_out" | json 'd["ciphers"]["TLSv1.2"]')" "$THREE"
assert_eq "TLSv1.2-only: the server's own order is detected" \
    "$(printf '%s' "$json_out" | json 'd["server_order"]["TLSv1.2"]')" "True"
assert_eq "TLSv1.2-only: the JSON has every key of the contract" \
    "$(printf '%s' "$json_out" | json 'all(k in d for k in ("host", "port", "sni", "protocols", "ciphers", "server_order", "groups", "groups_tested_at", "certificate", "secure_renegotiation", "suggested_rule", "handshakes", "elapsed_ms"))')" "True"
assert_eq "TLSv1.2-only: N ciphers cost N + 1 handshakes, plus the order check, groups and rule check" \
    "$(printf '%s' "$json_out" | json 'd["handshakes"] >= 4 + 4')" "True"
assert_eq "TLSv1.2-only: the JSON says the groups were tested at TLSv1.2" \
    "$(printf '%s' "$json_out" | json 'd["groups_tested_at"]')" "TLSv1.2"
assert_eq "TLSv1.2-only: X25519 is among the groups" \
    "$(printf '%s' "$json_out" | json '"X25519" in d["groups"]')" "True"
assert_eq "TLSv1.2-only: the certificate is the test server's" \
    "$(printf '%s' "$json_out" | json 'd["certificate"]["subject"] + " " + d["certificate"]["key_type"] + " " + str(d["certificate"]["key_bits"])')" \
    "CN=localhost RSA 2048"
assert_eq "TLSv1.2-only: secure renegotiation is reported" \
    "$(printf '%s' "$json_out" | json 'd["secure_renegotiation"]')" "True"
RULE=$(printf '%s' "$json_out" | json 'd["suggested_rule"]["toml"]')
assert_eq "TLSv1.2-only: the JSON rule is structured: host and min_protocol as values with their reasons" \
    "$(printf '%s' "$json_out" | json 'd["suggested_rule"]["host"]["value"] == ["billing.legacy.test"] and d["suggested_rule"]["min_protocol"]["value"] == "TLSv1.2" and bool(d["suggested_rule"]["min_protocol"]["why"])')" "True"
assert_contains "TLSv1.2-only: the rule matches the server name" "$RULE" 'host = ["billing.legacy.test"]'
assert_contains "TLSv1.2-only: the rule sets the TLSv1.2 floor, with its reason" \
    "$(printf '%s\n' "$RULE" | grep '^min_protocol = ')" 'min_protocol = "TLSv1.2"'
assert_eq "TLSv1.2-only: every setting says why it is there" \
    "$(printf '%s\n' "$RULE" | sed -n '/^\(name\|\[\[rule\]\]\)/!{/# why: /!p}' | wc -l)" "0"
assert_not_contains "TLSv1.2-only: no security level when none is needed" "$RULE" "security_level"

text=$("$TLSO" probe 127.0.0.1:$TLS12)
assert_contains "text: protocols in aligned columns" "$text" "TLSv1.2   yes       yes"
assert_contains "text: the server's first choice is marked preferred" "$text" "TLSv1.2   preferred   128  AES128-SHA"
assert_contains "text: the groups say at which version they were tested" "$text" "Groups (tested at TLSv1.2)"
assert_contains "text: the rule is ready to paste" "$text" "[[rule]]"
assert_contains "text: whether OpenSSL 3's defaults connect without a rule" "$text" "OpenSSL 3 defaults, no rule      connects with TLSv1.2"
assert_contains "text: the handshake count and the time" "$text" " handshakes in "
assert_eq "--jobs 1 finds the same ciphers" \
    "$("$TLSO" probe 127.0.0.1:$TLS12 --json --jobs 1 | json 'd["ciphers"]["TLSv1.2"]')" "$THREE"

start_server -tls1_2 -cipher "$THREE" || exit 1
out=$("$TLSO" probe 127.0.0.1:$PORT --json)
assert_eq "client order: the same three ciphers" \
    "$(printf '%s' "$out" | json '":".join(sorted(d["ciphers"]["TLSv1.2"]))')" \
    "$(echo "$THREE" | tr : '\n' | sort | paste -sd:)"
assert_eq "client order: a server following the client is not reported as ordering" \
    "$(printf '%s' "$out" | json 'd["server_order"]["TLSv1.2"]')" "False"

# The seed: the probe's rule, pasted into a file, lets the pinned TLSv1 client in.
if [ -e "$LIB" ]; then
    printf '%s\n' "$RULE" >"$T/probed.toml"
    out=$("$TLSO" check "$T/probed.toml" 2>&1); status=$?
    assert_eq "seed: the suggested rule passes tlsoverride check" "$status" 0
    out=$(preload $OLDCLIENT --method tls1 --sni billing.legacy.test $TLS12 2>&1)
    assert_contains "seed: without the rule the pinned TLSv1 client fails" "$out" "handshake failed"
    out=$(TLSOVERRIDE_CONFIG=$T/probed.toml preload $OLDCLIENT --method tls1 --sni billing.legacy.test $TLS12 2>&1)
    assert_contains "seed: with the rule the pinned TLSv1 client connects with TLSv1.2" "$out" "connected TLSv1.2"
else
    not_ok "seed: $LIB is missing"
fi

# An address target (issue 15): clients that connect by address send no server name
# (SNI), and host rules match only that name, so the rule has no host key and says why;
# pasted into a file, it lets the pinned TLSv1 client in, which connects by address.
out=$("$TLSO" probe 127.0.0.1:$TLS12 --json)
ADDR_RULE=$(printf '%s' "$out" | json 'd["suggested_rule"]["toml"]')
assert_not_contains "address: no host key, which could never match" "$ADDR_RULE" 'host = '
assert_contains "address: the rule says why it has no host key" "$ADDR_RULE" \
    "# no host key: clients that connect to 127.0.0.1 by address send no server name (SNI)"
assert_contains "address: the rule says how to narrow it to a program" "$ADDR_RULE" 'add program = ["NAME"]'
assert_eq "address: the JSON host is null, with the reason beside it" \
    "$(printf '%s' "$out" | json 'd["suggested_rule"]["host"] is None and "SNI" in d["suggested_rule"]["no_host_why"]')" "True"
if [ -e "$LIB" ]; then
    printf '%s\n' "$ADDR_RULE" >"$T/address.toml"
    "$TLSO" check "$T/address.toml" >/dev/null 2>&1
    assert_eq "address: the suggested rule passes tlsoverride check" "$?" 0
    out=$(TLSOVERRIDE_CONFIG=$T/address.toml preload $OLDCLIENT --method tls1 $TLS12 2>&1)
    assert_contains "address: with the rule the pinned TLSv1 client, sending no SNI, connects with TLSv1.2" \
        "$out" "connected TLSv1.2"
fi
# The same for an IPv6 literal; with --sni, a host rule for that name is right.
log6=$(mktemp "$T/server6.XXXXXX")
openssl s_server -6 -accept '[::1]:0' -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www -tls1_2 \
    >"$log6" 2>&1 </dev/null &
SERVER_PIDS="$SERVER_PIDS $!"
PORT6=
for i in $(seq 1 100); do
    PORT6=$(sed -n 's/^ACCEPT \[::1\]:\([0-9]*\)$/\1/p' "$log6")
    [ -n "$PORT6" ] && break
    sleep 0.05
done
if [ -n "$PORT6" ]; then
    rule6=$("$TLSO" probe "[::1]:$PORT6" --json | json 'd["suggested_rule"]["toml"]')
    assert_not_contains "IPv6 address: no host key" "$rule6" 'host = '
    assert_contains "IPv6 address: the rule says why" "$rule6" "# no host key: clients that connect to ::1 by address"
    rule6=$("$TLSO" probe "[::1]:$PORT6" --sni v6.legacy.test --json | json 'd["suggested_rule"]["toml"]')
    assert_contains "IPv6 address with --sni: the rule matches that name" "$rule6" 'host = ["v6.legacy.test"]'
    assert_not_contains "IPv6 address with --sni: no note about a missing host key" "$rule6" "# no host key"
else
    ok "IPv6 address: skipped, no IPv6 loopback here ($(head -1 "$log6"))"
fi

# A server whose only cipher is not in OpenSSL's default list (CAMELLIA, RSA key
# exchange, CBC): a client on the defaults fails with no shared cipher, so the rule
# names the server's cipher, and with the rule applied an unmodified client connects.
start_server -cipher CAMELLIA128-SHA256 -no_tls1_3 || exit 1
out=$("$TLSO" probe 127.0.0.1:$PORT --sni camellia.legacy.test --json)
assert_eq "outside the defaults: OpenSSL 3's defaults do not connect" \
    "$(printf '%s' "$out" | json 'd["default_client"]["connects"]')" "False"
assert_eq "outside the defaults: the JSON rule names the server's cipher" \
    "$(printf '%s' "$out" | json 'd["suggested_rule"]["ciphers"]["value"]')" "CAMELLIA128-SHA256"
rule=$(printf '%s' "$out" | json 'd["suggested_rule"]["toml"]')
assert_contains "outside the defaults: the ciphers line says why" "$(printf '%s\n' "$rule" | grep '^ciphers = ')" \
    '# why: the server accepts only CAMELLIA128-SHA256 at TLSv1.2, and a client on OpenSSL'"'"'s default ciphers offers none of them'
if [ -e "$LIB" ]; then
    printf '%s\n' "$rule" >"$T/camellia.toml"
    out=$(preload $OLDCLIENT --sni camellia.legacy.test $PORT 2>&1)
    assert_contains "outside the defaults: without the rule a client on OpenSSL's defaults fails" "$out" "handshake failed"
    out=$(TLSOVERRIDE_CONFIG=$T/camellia.toml preload $OLDCLIENT --sni camellia.legacy.test $PORT 2>&1)
    assert_contains "outside the defaults: with the rule it connects with the server's cipher" \
        "$out" "connected TLSv1.2 CAMELLIA128-SHA256"
fi

# A legacy server: TLSv1 to TLSv1.2 at security level 0, signing with SHA-1 only,
# which OpenSSL 3 refuses even at TLSv1.2 above level 0.
start_server -min_protocol TLSv1 -max_protocol TLSv1.2 -sigalgs RSA+SHA1 \
    -cipher 'ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0' || exit 1
out=$("$TLSO" probe 127.0.0.1:$PORT --json)
assert_eq "legacy: TLSv1, TLSv1.1 and TLSv1.2 are found" \
    "$(printf '%s' "$out" | json '[k for k, v in d["protocols"].items() if v]')" "TLSv1:TLSv1.1:TLSv1.2"
assert_eq "legacy: TLSv1 ciphers are listed" \
    "$(printf '%s' "$out" | json '":".join(sorted(d["ciphers"]["TLSv1"]))')" "AES128-SHA:ECDHE-RSA-AES128-SHA"
assert_eq "legacy: OpenSSL 3's defaults do not connect" \
    "$(printf '%s' "$out" | json 'd["default_client"]["connects"]')" "False"
rule=$(printf '%s' "$out" | json 'd["suggested_rule"]["toml"]')
assert_eq "legacy: the JSON rule has security_level 0 as a number" \
    "$(printf '%s' "$out" | json 'd["suggested_rule"]["security_level"]["value"]')" "0"
assert_contains "legacy: the rule keeps the TLSv1.2 floor" "$rule" 'min_protocol = "TLSv1.2"'
assert_contains "legacy: the rule sets security level 0, with its reason" \
    "$(printf '%s\n' "$rule" | grep '^security_level = ')" "# why: the handshake fails at levels "
assert_eq "legacy: OpenSSL 3's defaults with the rule connect" \
    "$(printf '%s' "$out" | json 'd["rule_check"]["connects"]')" "True"

start_server -tls1_3 || exit 1
out=$("$TLSO" probe 127.0.0.1:$PORT --json)
assert_eq "TLSv1.3-only: only TLSv1.3 is accepted" \
    "$(printf '%s' "$out" | json '[k for k, v in d["protocols"].items() if v]')" "TLSv1.3"
assert_eq "TLSv1.3-only: the three default ciphersuites" \
    "$(printf '%s' "$out" | json '":".join(sorted(d["ciphers"]["TLSv1.3"]))')" \
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
assert_eq "TLSv1.3-only: groups include X25519 and ffdhe2048, X25519 preferred" \
    "$(printf '%s' "$out" | json '"X25519" in d["groups"] and "ffdhe2048" in d["groups"] and d["preferred_group"]')" "X25519"
assert_eq "TLSv1.3-only: the JSON says the groups were tested at TLSv1.3" \
    "$(printf '%s' "$out" | json 'd["groups_tested_at"]')" "TLSv1.3"
assert_contains "TLSv1.3-only: the text says the groups were tested at TLSv1.3" \
    "$("$TLSO" probe 127.0.0.1:$PORT)" "Groups (tested at TLSv1.3)"
assert_contains "TLSv1.3-only: the rule's floor is TLSv1.3" "$(printf '%s' "$out" | json 'd["suggested_rule"]["toml"]')" 'min_protocol = "TLSv1.3"'
assert_eq "TLSv1.3-only: OpenSSL 3's defaults connect without a rule" \
    "$(printf '%s' "$out" | json 'd["default_client"]["connects"]')" "True"

# Bad input and bad servers: one line each, their own status, no hang.
probe_fails "unresolvable host" 3 "cannot resolve 'no-such-host.invalid'" no-such-host.invalid:443 --timeout 2
CLOSED=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
probe_fails "refused connection" 4 "cannot connect to 127.0.0.1:$CLOSED: Connection refused" 127.0.0.1:$CLOSED
fake_server silent || exit 1
started=$(date +%s)
probe_fails "silent server" 5 "did not complete a TLS handshake within 1 s" 127.0.0.1:$PORT --timeout 1
assert_eq "silent server: gives up after about the timeout" "$(( $(date +%s) - started <= 5 ))" 1
# On a terminal (script(1) gives the probe a pty) a slow server gets one progress line
# on standard error, rewritten with \r and erased before the error line; the same run
# without a terminal prints exactly what it did before, and --json never shows it.
# --jobs 1 makes the order of the tasks, and so the line, the same on every run.
PTY_OK='import re, sys; print(bool(re.search(sys.argv[1], sys.stdin.read())))'
pty=$(script -qec "$TLSO probe 127.0.0.1:$PORT --timeout 0.5 --jobs 1" /dev/null)
assert_contains "terminal: the line says what is being tested and how far the step is" "$pty" "testing TLSv1.1 ... 1/5"
assert_contains "terminal: the line reaches the last task of the step" "$pty" "testing OpenSSL 3's defaults ... 4/5"
assert_eq "terminal: the line is erased before the error line" \
    "$(printf '%s' "$pty" | $PY -c "$PTY_OK" '\r +\rtlsoverride probe: 127\.0\.0\.1:[0-9]+ accepted the connection but did not')" "True"
"$TLSO" probe 127.0.0.1:$PORT --timeout 0.5 --jobs 1 >"$T/out" 2>"$T/err"
assert_eq "not a terminal: no progress and no \\r on standard error" \
    "$(grep -c "$(printf '\r')\|testing" "$T/err")" "0"
pty=$(script -qec "$TLSO probe 127.0.0.1:$TLS12" /dev/null)
assert_contains "terminal, fast server: the report is all there" "$pty" "Checked: a client with OpenSSL 3's defaults and this rule connects"
assert_eq "terminal, fast server: the line is erased before the report starts" \
    "$(printf '%s' "$pty" | $PY -c "$PTY_OK" '\r +\rProbe of 127\.0\.0\.1:')" "True"
pty=$(script -qec "$TLSO probe 127.0.0.1:$TLS12 --json" /dev/null)
assert_not_contains "terminal, --json: no progress line" "$pty" "testing "
"$TLSO" probe 127.0.0.1:$TLS12 >"$T/out" 2>"$T/err"
assert_eq "not a terminal, fast server: nothing on standard error" "$(wc -c <"$T/err")" "0"
fake_server junk || exit 1
probe_fails "non-TLS server" 6 "does not speak TLS: it answered \"SSH-2.0-OpenSSH_9.2p1 Debian-2\"" 127.0.0.1:$PORT --timeout 5
fake_server close || exit 1
probe_fails "server closing after the ClientHello" 7 "closed the connection during the TLS handshake" 127.0.0.1:$PORT --timeout 5
fake_server half || exit 1
probe_fails "server closing mid-ServerHello" 7 "closed the connection during the TLS handshake" 127.0.0.1:$PORT --timeout 5
start_server -nocert -psk 0123456789abcdef -cipher PSK-AES128-CBC-SHA -no_tls1_3 || exit 1
probe_fails "TLS server accepting nothing the probe offers" 1 "speaks TLS but accepted no version" 127.0.0.1:$PORT
probe_fails "no host" 2 "no HOST given"
probe_fails "bad port" 2 "the port must be a number from 1 to 65535" 127.0.0.1:99999
probe_fails "bad timeout" 2 "--timeout takes seconds" 127.0.0.1:443 --timeout soon
