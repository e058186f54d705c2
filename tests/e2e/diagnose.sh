# tlsoverride diagnose (issue 16): from a failing program to the rule that fixes it, in
# one command, against real servers on 127.0.0.1 and the old pinned client.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

# json EXPR: the Python expression EXPR over the JSON object on stdin (d).
json() {
    $PY -c "import json, sys; d = json.load(sys.stdin); v = $1; print(':'.join(v) if isinstance(v, list) else v)"
}

# diagnose ARGS...: runs tlsoverride diagnose, sets OUT (stdout), ERR and STATUS.
diagnose() {
    timeout 60 "$TLSO" diagnose "$@" >"$T/out" 2>"$T/err"
    STATUS=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
}

# The rule's lines from the report: from [[rule]] up to the first blank line.
rule_of() { printf '%s\n' "$1" | sed -n '/^\[\[rule\]\]/,/^$/p'; }

out=$("$TLSO" diagnose --help); status=$?
assert_eq "--help exits 0" "$status" 0
assert_contains "--help starts with the usage line" "$out" "usage: tlsoverride diagnose [--write FILE] [--verify] [--json]"
for flag in --write --verify --json --config --timeout; do assert_contains "--help explains $flag" "$out" "  $flag "; done
assert_contains "--help documents the exit statuses" "$out" "6  --verify: a server still fails"
diagnose
assert_eq "no COMMAND: usage error, exit 2" "$STATUS" 2
assert_contains "no COMMAND: says so" "$ERR" "no COMMAND given"
diagnose --frobnicate -- true
assert_eq "an unknown flag: exit 2" "$STATUS" 2
diagnose -- no-such-program-anywhere
assert_eq "COMMAND not found: exit 127" "$STATUS" 127
assert_contains "COMMAND not found: says so" "$ERR" "no-such-program-anywhere: command not found in PATH"
TMPDIR=$T/no-such-dir diagnose -- /bin/true
assert_eq "no private directory: exit 127" "$STATUS" 127
assert_contains "no private directory: says what to do" "$ERR" "set TMPDIR to a writable directory"

# (1) The seed: the pinned TLSv1 client against a TLSv1.2-only server.
start_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || exit 1
MODERN=$PORT
diagnose --write "$T/billing.toml" --verify -- "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
assert_eq "TLSv1.2 server: exit 0 (a rule, written and verified)" "$STATUS" 0
assert_contains "TLSv1.2 server: the program's own output passes through" "$OUT" "handshake failed: "
assert_contains "TLSv1.2 server: says what the program offered" "$OUT" "it offered:         TLSv1"
assert_contains "TLSv1.2 server: names the server's requirements" "$OUT" "the server accepts: TLSv1.2 (ECDHE-RSA-AES128-GCM-SHA256)"
RULE=$(rule_of "$OUT")
assert_contains "TLSv1.2 server: the rule matches the program" "$RULE" 'program = ["oldclient"]'
assert_contains "TLSv1.2 server: the rule matches the server name the program sent" "$RULE" 'host = ["billing.legacy.test"]'
assert_contains "TLSv1.2 server: the rule lifts the floor to TLSv1.2" "$RULE" 'min_protocol = "TLSv1.2"'
assert_not_contains "TLSv1.2 server: no security level where none is needed" "$RULE" "security_level"
assert_not_contains "TLSv1.2 server: no cipher list where none is needed" "$RULE" "ciphers"
assert_not_contains "TLSv1.2 server: no ceiling for a pinned method (the library replaces it)" "$RULE" "max_protocol"
assert_eq "TLSv1.2 server: every setting says why it is there" \
    "$(printf '%s\n' "$RULE" | sed -n '/^\(name\|\[\[rule\]\]\|#\)/!{/^$/!{/# why: /!p}}' | wc -l)" "0"
out=$("$TLSO" check "$T/billing.toml" 2>&1); status=$?
assert_eq "TLSv1.2 server: tlsoverride check accepts the written file" "$status" 0
assert_contains "TLSv1.2 server: the file holds the rule" "$(cat "$T/billing.toml")" 'min_protocol = "TLSv1.2"'
assert_contains "TLSv1.2 server: --verify's re-run connects (the program's own line)" "$OUT" "connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
assert_contains "TLSv1.2 server: --verify says the server now connects" "$OUT" \
    "verify: billing.legacy.test at 127.0.0.1:$MODERN now connects with TLSv1.2"
out=$(TLSOVERRIDE_CONFIG=$T/billing.toml preload "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN 2>&1)
assert_contains "TLSv1.2 server: the unmodified client connects under the written file" "$out" "connected TLSv1.2"
out=$(TLSOVERRIDE_CONFIG=$T/billing.toml preload "$OLDCLIENT" --method tls1 --sni other.test $MODERN 2>&1)
assert_contains "TLSv1.2 server: the rule is for that host only" "$out" "handshake failed"
before=$(cat "$T/billing.toml")
diagnose --write "$T/billing.toml" -- "$OLDCLIENT" --method tls1 --sni other.legacy.test $MODERN
assert_eq "a second --write appends and keeps what was there" "$(head -c ${#before} "$T/billing.toml")" "$before"
assert_eq "a second --write: two rules now" "$(grep -c '^\[\[rule\]\]' "$T/billing.toml")" 2
out=$("$TLSO" check "$T/billing.toml" 2>&1); status=$?
assert_eq "the appended file still passes check" "$status" 0
cp "$T/billing.toml" "$T/billing.before"
diagnose --write "$T/billing.toml" -- "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
assert_eq "the same rule again, behind its namesake: exit 5" "$STATUS" 5
assert_contains "the same rule again: says the earlier one decides" "$OUT" "an earlier rule of the same name ($T/billing.toml:3:1)"
assert_eq "the same rule again: the file is as it was" "$(cmp -s "$T/billing.toml" "$T/billing.before" && echo same)" "same"

# --write never leaves a file that check refuses, and says when an earlier rule wins.
printf '[policy]\nmin_protocol = "TLSv9"\n' >"$T/broken.toml"
cp "$T/broken.toml" "$T/broken.before"
diagnose --write "$T/broken.toml" --verify -- "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
assert_eq "--write to a file check refuses: exit 5" "$STATUS" 5
assert_contains "--write to a file check refuses: check's located error" "$OUT" "broken.toml:2:16"
assert_contains "--write to a file check refuses: says nothing was written" "$OUT" "nothing written to $T/broken.toml"
assert_eq "--write to a file check refuses: the file is unchanged" "$(cmp -s "$T/broken.toml" "$T/broken.before" && echo same)" "same"
assert_not_contains "--write to a file check refuses: no re-run" "$OUT" "verify: running"
printf '[[rule]]\nname = "every oldclient"\nprogram = ["old*"]\nciphers = "HIGH"\n' >"$T/shadow.toml"
diagnose --write "$T/shadow.toml" -- "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
assert_contains "--write after a rule that matches first: a warning naming it" "$OUT" \
    "warning: rule \"every oldclient\" ($T/shadow.toml:1:1) comes first"

# The same without --write: the rule is printed, nothing else happens.
diagnose -- "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
assert_eq "without --write: exit 0" "$STATUS" 0
assert_contains "without --write: says how to use the rule" "$OUT" "run again with --write FILE --verify"

# curl does its own socket I/O (a BIO of its own): its record's address is the socket the
# library finds for it (README, "What each handshake did"). Its own --tls-max stays below the floor unless the
# rule also names a ceiling, which it does for a capped range (TLSv1 to TLSv1.1).
if [ -z "${SANITIZED:-}" ]; then  # curl deadlocks in setlocale under a preloaded ASan runtime (docs/hardening.md)
    # curl sets its own maximum (--tls-max): only mode = "enforce" lets a rule override it.
    TLSOVERRIDE_MODE=enforce diagnose --verify -- curl -sk --tls-max 1.1 -o /dev/null -w '%{http_code}\n' https://localhost:$MODERN/
    assert_eq "curl: exit 0" "$STATUS" 0
    assert_contains "curl: the record has the server's address, though curl has its own BIO" "$OUT" \
        "1. curl -> localhost at 127.0.0.1:$MODERN: handshake failed"
    assert_not_contains "... so nothing is taken from the command line" "$OUT" "is taken from the command line"

    RULE=$(rule_of "$OUT")
    assert_contains "curl: the rule's floor" "$RULE" 'min_protocol = "TLSv1.2"'
    assert_contains "curl: the rule's ceiling lifts curl's own --tls-max, with its reason" "$RULE" \
        'max_protocol = "TLSv1.3"  # why: curl offers nothing above TLSv1.1'
    assert_contains "curl: the re-run gets its page" "$OUT" "200"
    assert_contains "curl: the re-run connects" "$OUT" "now connects with TLSv1.2"
    # One version alone reads as a pinned method, which the library replaces: no ceiling.
    # curl capping itself at exactly TLSv1.0.
    TLSOVERRIDE_MODE=enforce diagnose --verify -- curl -sk --tlsv1.0 --tls-max 1.0 -o /dev/null -w '%{http_code}\n' https://localhost:$MODERN/
    # Under enforce a program's maximum below the rule's floor would empty the range: the
    # policy's range wins for that bound too, so the floor alone lets curl in.
    assert_eq "curl pinned to TLSv1.0 by its own flags: exit 0 under enforce" "$STATUS" 0
    assert_contains "curl pinned to TLSv1.0 by its own flags: the re-run connects" "$OUT" "now connects with TLSv1.2"
fi
# A program whose record can carry no address (GnuTLS over its own functions, two sockets
# open: tests/clients/gnutls_ownptr.c) and says NAME:PORT on its command line.
if [ -x "$B/tests/gnutls_ownptr" ] && [ "$(getconf LONG_BIT)" = 64 ]; then
    start_server || exit 1  # the decoy the client holds a connection to
    diagnose -- "$B/tests/gnutls_ownptr" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.1" --ca "$CERTS/ca.pem" \
        $PORT localhost:$MODERN
    assert_contains "no address in the record: taken from the command line, and said so" "$OUT" \
        "localhost:$MODERN is taken from the command line"
    assert_contains "... and that server is probed" "$OUT" "the server accepts: TLSv1.2"
    assert_contains "... and the rule is for that server" "$(rule_of "$OUT")" 'min_protocol = "TLSv1.2"'
fi

# --json: one object on standard output; the program's output goes to standard error.
diagnose --json --verify -- "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
if printf '%s' "$OUT" | $PY -m json.tool >/dev/null; then ok "--json: standard output is one JSON object"; else not_ok "--json: standard output is one JSON object"; printf '# %s\n' "$OUT" | head -5; fi
assert_contains "--json: the program's output went to standard error" "$ERR" "handshake failed"
assert_eq "--json: the peer, its server name and the outcome" \
    "$(printf '%s' "$OUT" | json 'd["peers"][0]["peer"] + " " + d["peers"][0]["sni"] + " " + d["peers"][0]["outcome"]')" \
    "127.0.0.1:$MODERN billing.legacy.test rule"
assert_eq "--json: what the server accepts" "$(printf '%s' "$OUT" | json 'd["peers"][0]["accepts"]["TLSv1.2"]')" \
    "ECDHE-RSA-AES128-GCM-SHA256"
assert_eq "--json: the verify result" "$(printf '%s' "$OUT" | json 'd["peers"][0]["verify"]["connects"] and d["verified"]')" "True"
assert_eq "--json: every key of tlsoverride(1)" \
    "$(printf '%s' "$OUT" | json 'all(k in d for k in ("command", "exit_status", "handshakes", "failed", "peers", "written", "configuration", "write_errors", "warnings", "verified", "regressions", "hint", "status", "message")) and all(k in d["peers"][0] for k in ("program", "peer", "sni", "offered_versions", "offered_ciphers", "reason", "alert", "verify_error", "outcome", "message", "accepts", "rule", "rule_check", "covered_by", "verify"))')" "True"
assert_eq "--json: COMMAND's exit status and ours" "$(printf '%s' "$OUT" | json '(d["exit_status"], d["status"])')" "(1, 0)"

# (2) A legacy server that speaks only TLSv1 with ECDHE and SHA-1: OpenSSL 3 needs
# security level 0 for it, and the pinned client's version already matches.
start_server -tls1 -sigalgs RSA+SHA1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' || exit 1
LEGACY=$PORT
diagnose --write "$T/legacy.toml" --verify -- "$OLDCLIENT" --method tls1 --sni old.legacy.test $LEGACY
assert_eq "TLSv1 server: exit 0" "$STATUS" 0
assert_contains "TLSv1 server: names what the server accepts" "$OUT" "the server accepts: TLSv1 (ECDHE-RSA-AES128-SHA)"
RULE=$(rule_of "$OUT")
assert_contains "TLSv1 server: the rule sets security level 0, with its reason" \
    "$(printf '%s\n' "$RULE" | grep '^security_level = ')" "# why: the handshake fails at level"
assert_not_contains "TLSv1 server: no floor: the program's TLSv1 already meets the server's" "$RULE" "min_protocol"
out=$("$TLSO" check "$T/legacy.toml" 2>&1); status=$?
assert_eq "TLSv1 server: tlsoverride check accepts the written file" "$status" 0
assert_contains "TLSv1 server: --verify's re-run connects" "$OUT" "verify: old.legacy.test at 127.0.0.1:$LEGACY now connects with TLSv1 "

# The same server, reached by a modern client that sets its own TLSv1.2 floor: in default
# mode its choice stands, and diagnose says that only enforce mode keeps the rule's values.
diagnose --verify -- "$OLDCLIENT" --min tls1_2 --sni old.legacy.test $LEGACY
assert_contains "a client's own floor in default mode: diagnose names mode = \"enforce\" as the fix" "$OUT" \
    'under mode = "default" its choice stands; mode = "enforce"'
# Under enforce: the floor comes down, and level 0 with it.
TLSOVERRIDE_MODE=enforce diagnose --verify -- "$OLDCLIENT" --min tls1_2 --sni old.legacy.test $LEGACY
RULE=$(rule_of "$OUT")
assert_contains "modern client, TLSv1 server: the rule lowers the floor to TLSv1" "$RULE" 'min_protocol = "TLSv1"'
assert_contains "modern client, TLSv1 server: and sets security level 0" "$RULE" "security_level = 0"
assert_contains "modern client, TLSv1 server: the host rule, applied to the connection, lets it in" \
    "$OUT" "verify: old.legacy.test at 127.0.0.1:$LEGACY now connects with TLSv1 "
assert_eq "modern client, TLSv1 server: exit 0" "$STATUS" 0

# Debian's python3 (libssl through an RTLD_LOCAL dlopen) against the TLSv1 server: its
# versions and ciphers already meet the server's, and only security level 0 is missing.
# (An upstream python sets its own list without any SHA-1 suite and a TLSv1.2 floor;
# then the rule also gets the floor and the server's cipher, the list being its own.)
diagnose --verify -- $PY "$(dirname "$0")/../clients/tlsclient.py" $LEGACY --sni old.legacy.test
assert_eq "python3, TLSv1 server: exit 0" "$STATUS" 0
RULE=$(rule_of "$OUT")
assert_contains "python3, TLSv1 server: security level 0" "$RULE" "security_level = 0"
assert_not_contains "python3, TLSv1 server: nothing else" "$RULE" "min_protocol"
assert_contains "python3, TLSv1 server: the re-run connects" "$OUT" "connected TLSv1 ECDHE-RSA-AES128-SHA"

# A pinned client with a narrow list of its own: once the versions meet, its list would
# still miss the server's cipher, so the rule names the server's.
TLSOVERRIDE_MODE=enforce diagnose --verify -- "$OLDCLIENT" --method tls1 --ciphers AES256-SHA --sni narrow.legacy.test $MODERN
assert_eq "pinned and narrow: exit 0" "$STATUS" 0
RULE=$(rule_of "$OUT")
assert_contains "pinned and narrow: the floor" "$RULE" 'min_protocol = "TLSv1.2"'
assert_contains "pinned and narrow: the server's cipher, the program's list being its own" "$RULE" \
    'ciphers = "ECDHE-RSA-AES128-GCM-SHA256"  # why: oldclient offers a list of its own (4 ciphers; OpenSSL'"'"'s defaults are'
assert_contains "pinned and narrow: the re-run connects" "$OUT" "now connects with TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"

# (3) A server that accepts one cipher, which OpenSSL's defaults do not offer.
start_server -tls1_2 -cipher CAMELLIA128-SHA256 || exit 1
ONE=$PORT
diagnose --write "$T/cipher.toml" --verify -- "$OLDCLIENT" --sni one.cipher.test $ONE
assert_eq "one-cipher server: exit 0" "$STATUS" 0
assert_contains "one-cipher server: names the cipher" "$OUT" "the server accepts: TLSv1.2 (CAMELLIA128-SHA256)"
RULE=$(rule_of "$OUT")
assert_contains "one-cipher server: the rule's cipher list is the server's, with its reason" \
    "$RULE" 'ciphers = "CAMELLIA128-SHA256"  # why: the server accepts only CAMELLIA128-SHA256 at TLSv1.2'
assert_not_contains "one-cipher server: no floor: the versions already meet" "$RULE" "min_protocol"
out=$("$TLSO" check "$T/cipher.toml" 2>&1); status=$?
assert_eq "one-cipher server: tlsoverride check accepts the written file" "$status" 0
assert_contains "one-cipher server: --verify's re-run connects" "$OUT" "now connects with TLSv1.2 CAMELLIA128-SHA256"

# (4) A program that talks to two servers; only one fails.
cat >"$T/two-servers" <<EOF
#!/bin/sh
"$OLDCLIENT" --method tls1 --sni fine.legacy.test $LEGACY --seclevel 0
"$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
EOF
chmod +x "$T/two-servers"
diagnose --write "$T/two.toml" --verify -- "$T/two-servers"
assert_eq "two servers: exit 0" "$STATUS" 0
assert_contains "two servers: counts both handshakes, one failed" "$OUT" "2 handshakes, 1 failed, with 1 server"
assert_contains "two servers: the failing one is diagnosed" "$OUT" "1. oldclient -> billing.legacy.test at 127.0.0.1:$MODERN"
assert_not_contains "two servers: the working one is left alone" "$OUT" "2. oldclient"
assert_eq "two servers: one rule written" "$(grep -c '^\[\[rule\]\]' "$T/two.toml")" 1
assert_contains "two servers: verify: the failing one now connects" "$OUT" "verify: billing.legacy.test at 127.0.0.1:$MODERN now connects"
assert_not_contains "two servers: verify: the working one still works" "$OUT" "succeeded before and now fails"

# One server name on two ports: one rule covers both (a host rule cannot tell ports apart).
start_server -tls1_2 || exit 1
SECOND=$PORT
cat >"$T/two-ports" <<EOF
#!/bin/sh
"$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
"$OLDCLIENT" --method tls1 --sni billing.legacy.test $SECOND
EOF
chmod +x "$T/two-ports"
diagnose --write "$T/ports.toml" --verify -- "$T/two-ports"
assert_eq "two ports: exit 0" "$STATUS" 0
assert_contains "two ports: the second is covered by the first's rule" "$OUT" \
    'the rule for server 1 ("diagnose: oldclient to billing.legacy.test") matches these connections too'
assert_eq "two ports: one rule written" "$(grep -c '^\[\[rule\]\]' "$T/ports.toml")" 1
assert_contains "two ports: the re-run connects to the second too" "$OUT" "verify: billing.legacy.test at 127.0.0.1:$SECOND now connects"
assert_not_contains "two ports: no warning about a rule coming first" "$OUT" "comes first"

# A program that sends no server name: an address cannot be matched by host.
diagnose -- "$OLDCLIENT" --method tls1 $MODERN
RULE=$(rule_of "$OUT")
assert_not_contains "no server name: no host key" "$RULE" "host = "
assert_contains "no server name: says why the rule is for the program only" "$RULE" \
    "# no host key: oldclient connected to 127.0.0.1:$MODERN by address and sent no server name"

# A program that sets its own cipher list and sends no server name: the program-only
# rule applies at context creation, and in default mode the program's later choice
# stands. --verify says so, and names mode = "enforce"; with it the re-run connects.
diagnose --verify -- "$OLDCLIENT" --ciphers AES256-SHA $MODERN
assert_contains "own cipher list: the rule names the server's cipher, with its reason" "$(rule_of "$OUT")" \
    "ciphers = \"ECDHE-RSA-AES128-GCM-SHA256\"  # why: oldclient's own 4 ciphers met none of the server's TLSv1.2 ciphers"
assert_eq "own cipher list, default mode: exit 6 (the re-run still fails)" "$STATUS" 6
assert_contains "own cipher list, default mode: the hint names enforce" "$OUT" 'mode = "enforce" at the top of'
printf 'mode = "enforce"\n' >"$T/enforce.toml"
diagnose --config "$T/enforce.toml" --verify -- "$OLDCLIENT" --ciphers AES256-SHA $MODERN
assert_eq "own cipher list, enforce: exit 0" "$STATUS" 0
assert_contains "own cipher list, enforce: the re-run connects" "$OUT" "now connects with TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"

# (5) A certificate failure: no rule, and why.
diagnose --write "$T/cert.toml" -- "$OLDCLIENT" --verify "$CERTS/other-ca.pem" --sni localhost $MODERN
assert_eq "certificate failure: exit 1" "$STATUS" 1
assert_contains "certificate failure: the program's own error passes through" "$OUT" "verify result: unable to get local issuer certificate"
assert_contains "certificate failure: says verification is not tlsoverride's to change" "$OUT" \
    "no rule: certificate verification failed (unable to get local issuer certificate): tlsoverride changes which versions and algorithms may be negotiated, never verification"
assert_not_contains "certificate failure: no rule" "$OUT" "[[rule]]"
if [ -e "$T/cert.toml" ]; then not_ok "certificate failure: nothing written"; else ok "certificate failure: nothing written"; fi

# A server that demands a client certificate: no rule, and the likely reason.
start_server -tls1_2 -Verify 1 -CAfile "$CERTS/ca.pem" || exit 1
diagnose -- "$OLDCLIENT" --sni mtls.test $PORT
assert_eq "client certificate demanded: exit 1 (no rule)" "$STATUS" 1
assert_contains "client certificate demanded: names the likely reason" "$OUT" "a server that demands a client certificate"
assert_not_contains "client certificate demanded: no rule" "$OUT" "[[rule]]"

# Both at once: one server gets a rule, the other a certificate failure; the rule is
# written, the exit status is the certificate's.
cat >"$T/mixed" <<EOF
#!/bin/sh
"$OLDCLIENT" --verify "$CERTS/other-ca.pem" --sni localhost $MODERN
"$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
EOF
chmod +x "$T/mixed"
diagnose --write "$T/mixed.toml" --verify -- "$T/mixed"
assert_eq "mixed: exit 1 (a server gets no rule)" "$STATUS" 1
assert_contains "mixed: the closing line tells both" "$OUT" \
    "1 failed server has a rule, written to $T/mixed.toml; the re-run connects; 1 failed server gets no rule (see above)"
assert_eq "mixed: one rule written" "$(grep -c '^\[\[rule\]\]' "$T/mixed.toml")" 1

# (6) Nothing failed.
diagnose -- "$OLDCLIENT" --sni billing.legacy.test $MODERN
assert_eq "nothing failed: exit 0" "$STATUS" 0
assert_contains "nothing failed: says so" "$OUT" "every handshake succeeded (1): nothing to change"

# A server whose clients fail: diagnose writes rules for client connections only.
FREE=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
( timeout 30 "$TLSO" diagnose -- openssl s_server -accept 127.0.0.1:$FREE -naccept 1 -tls1_2 \
    -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www >"$T/server-side.out" 2>&1 </dev/null
  echo "status $?" >>"$T/server-side.out" ) &
for _ in $(seq 100); do grep -q '^ACCEPT' "$T/server-side.out" 2>/dev/null && break; sleep 0.05; done
"$OLDCLIENT" --method tls1 $FREE >/dev/null 2>&1
wait $!
out=$(cat "$T/server-side.out")
assert_contains "server-side failures: says rules are for client connections, with the hint" "$out" \
    "failed on the server side (clients connecting to openssl); diagnose writes rules for client connections only"
assert_contains "server-side failures: exit 1" "$out" "status 1"

# COMMAND gets the signal dispositions diagnose was started with, not the probe's.
direct=$(/bin/sh -c 'grep "^SigIgn" /proc/self/status')
out=$("$TLSO" diagnose -- /bin/sh -c 'grep "^SigIgn" /proc/self/status' 2>&1)
assert_contains "COMMAND does not inherit the probe's ignored SIGPIPE" "$out" "$direct"

# A program that makes no handshake at all: doctor's verdict, exit 4.
diagnose -- /bin/true
assert_eq "no handshake: exit 4" "$STATUS" 4
assert_contains "no handshake: says so, with doctor's verdict" "$OUT" "no handshake observed"
assert_contains "no handshake: doctor's reason" "$OUT" "links no TLS library"

# wget uses GnuTLS. Without a GnuTLS backend the library sees nothing, and doctor says
# why (exit 4); with one, its failed handshake is diagnosed like any other.
# (--secure-protocol=TLSv1 means "TLSv1 or later" in wget: TLSv1 only is a priority string.)
diagnose -- wget -q -O /dev/null --no-check-certificate --ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.0 https://localhost:$MODERN/
if [ "$STATUS" = 4 ]; then
    assert_contains "wget (GnuTLS), not governed: doctor's verdict names GnuTLS" "$OUT" "wget uses GnuTLS"
else
    assert_contains "wget (GnuTLS), governed: the server is probed" "$OUT" "the server accepts: TLSv1.2"
    # What it offered comes from its own priority string, asked of GnuTLS: with it, the rule.
    assert_contains "wget (GnuTLS): the record tells what its priorities offered" "$OUT" "it offered:         TLSv1,"
    assert_contains "wget (GnuTLS): ... so it gets a rule" "$(rule_of "$OUT")" 'min_protocol = "TLSv1.2"'
    TLSOVERRIDE_MODE=enforce diagnose --verify -- wget -q -O /dev/null --no-check-certificate \
        --ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.0 https://localhost:$MODERN/
    assert_contains "wget (GnuTLS), under enforce: the re-run connects" "$OUT" "now connects with TLSv1.2"
fi

# A server that answers the program's one handshake with a fatal alert and then goes
# away: the probe cannot reach it, exit 3.
$PY -c '
import signal, socket
signal.alarm(60)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); s.close()  # nothing listens from now on
c.recv(4096)
c.sendall(bytes([0x15, 3, 1, 0, 2, 2, 40]))  # alert: fatal, handshake_failure
while c.recv(4096): pass
' >"$T/gone.port" 2>&1 </dev/null &
SERVER_PIDS="$SERVER_PIDS $!"
for _ in $(seq 50); do GONE=$(head -1 "$T/gone.port"); [ -n "$GONE" ] && break; sleep 0.1; done
diagnose --timeout 2 -- "$OLDCLIENT" --sni gone.test $GONE
assert_eq "a server gone after the run: exit 3" "$STATUS" 3
assert_contains "a server gone after the run: cannot be probed, and why" "$OUT" \
    "cannot probe: cannot connect to 127.0.0.1:$GONE: Connection refused"

# --write into a conf.d/ directory: what reads it is the directory holding conf.d/.
# Either that configuration reads the new file (and the re-run connects), or nothing
# is left behind.
mkdir -p "$T/etc"
printf '[log]\nlevel = "warn"\n' >"$T/etc/config.toml"
diagnose --config "$T/etc/config.toml" --write "$T/etc/conf.d/billing.toml" --verify -- \
    "$OLDCLIENT" --method tls1 --sni billing.legacy.test $MODERN
if [ "$STATUS" = 0 ]; then
    assert_contains "conf.d: the re-run under config.toml connects" "$OUT" "now connects with TLSv1.2"
else
    assert_eq "conf.d: a configuration that does not read conf.d/: exit 5" "$STATUS" 5
    assert_contains "conf.d: says nothing was written" "$OUT" "nothing written to $T/etc/conf.d/billing.toml"
    if [ -e "$T/etc/conf.d/billing.toml" ]; then not_ok "conf.d: the file is removed again"; else ok "conf.d: the file is removed again"; fi
    if [ -e "$T/etc/conf.d" ]; then not_ok "conf.d: the directory it made is removed again"; else ok "conf.d: the directory it made is removed again"; fi
fi

# A bad current configuration is named before anything runs.
printf '[policy]\nmin_protcol = "TLSv1.2"\n' >"$T/bad.toml"
diagnose --config "$T/bad.toml" -- "$OLDCLIENT" --method tls1 $MODERN
assert_eq "bad current configuration: exit 5" "$STATUS" 5
assert_contains "bad current configuration: the located error" "$ERR" "bad.toml:2:1: unknown key 'min_protcol'"
assert_eq "bad current configuration: COMMAND is not run" "$OUT" ""
