# The TOML configuration (issue 3): the seed through a file, per-host and
# per-program rules, check, explain, and a broken file failing closed.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
PYCLIENT=$(dirname "$0")/../clients/tlsclient.py
CONFIG_DIR=$(cd "$(dirname "$0")/../../config" && pwd)

start_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || exit 1
MODERN=$PORT
start_server -tls1 -cipher 'DEFAULT:@SECLEVEL=0' || exit 1
LEGACY=$PORT
start_server -no_tls1_3 -cipher 'DEFAULT:@SECLEVEL=0' || exit 1
WIDE=$PORT   # TLSv1 to TLSv1.2
start_server -tls1 -cipher 'AES128-SHA:@SECLEVEL=0' || exit 1
RSAKX=$PORT  # TLSv1 with plain RSA key exchange: a pinned TLSv1 client reaches it at the default level

cat > "$T/seed.toml" <<'TOML'
[policy]
min_protocol = "TLSv1.2"
TOML
out=$(TLSOVERRIDE_CONFIG=$T/seed.toml preload $OLDCLIENT --method tls1 $MODERN 2>&1)
assert_contains "seed: the pinned TLSv1 client reaches the TLSv1.2 server through a TOML file" "$out" "connected TLSv1.2"

cat > "$T/legacy.toml" <<'TOML'
mode = "enforce"
[policy]
min_protocol = "TLSv1.2"
[[rule]]
name = "legacy test hosts"
host = ["*.legacy.test"]
min_protocol = "TLSv1"
security_level = 0
TOML
export TLSOVERRIDE_CONFIG=$T/legacy.toml
out=$(preload $OLDCLIENT --sni billing.legacy.test $LEGACY 2>&1)
assert_contains "host rule: the C client reaches the TLSv1-only server as billing.legacy.test" "$out" "connected TLSv1 "
out=$(preload $OLDCLIENT --method tls1 --sni BILLING.Legacy.TEST $LEGACY 2>&1)
assert_contains "host rule: matching is case-insensitive, pinned client too" "$out" "connected TLSv1 "
out=$(preload $PY $PYCLIENT --sni billing.legacy.test $LEGACY 2>&1)
assert_contains "host rule: python3 reaches it as billing.legacy.test" "$out" "connected TLSv1 "
out=$(preload $OLDCLIENT --sni other.test $LEGACY 2>&1)
assert_contains "host rule: any other name is refused (the TLSv1.2 floor holds)" "$out" "handshake failed"
out=$(preload $PY $PYCLIENT --sni other.test $LEGACY 2>&1)
assert_contains "host rule: python3 with another name is refused" "$out" "handshake failed"
out=$(preload $OLDCLIENT $LEGACY 2>&1)
assert_contains "host rule: no server name, no legacy rule" "$out" "handshake failed"
out=$(preload $OLDCLIENT --sni billing.legacy.test $WIDE 2>&1)
assert_contains "host rule: the legacy name still negotiates TLSv1.2 with a server that has it" "$out" "connected TLSv1.2"
out=$(TLSOVERRIDE_LOG=info preload $OLDCLIENT --sni billing.legacy.test $LEGACY 2>&1)
assert_contains "host rule: the info line names the connection's rule" "$out" \
    'client connection to billing.legacy.test: protocols TLSv1-TLSv1.3, security level 0, from rule "legacy test hosts"'
unset TLSOVERRIDE_CONFIG

# Only a host rule names a bound: a pinned client is upgraded for that host only.
cat > "$T/hostonly.toml" <<'TOML'
[[rule]]
host = ["modern.test"]
min_protocol = "TLSv1.2"
TOML
out=$(TLSOVERRIDE_CONFIG=$T/hostonly.toml preload $OLDCLIENT --method tls1 --sni modern.test $MODERN 2>&1)
assert_contains "a host rule upgrades a pinned TLSv1 client (no [policy] bound)" "$out" "connected TLSv1.2"
out=$(TLSOVERRIDE_CONFIG=$T/hostonly.toml preload $OLDCLIENT --method tls1 --sni other.test $RSAKX 2>&1)
assert_contains "... and another host still gets exactly what the program pinned" "$out" "connected TLSv1 "
out=$(TLSOVERRIDE_CONFIG=$T/hostonly.toml preload $OLDCLIENT --method tls1 --sni other.test $MODERN 2>&1)
assert_contains "... which a TLSv1.2 server still refuses" "$out" "handshake failed"

# Per-program rule: one binary, not a copy of it under another name.
cp "$OLDCLIENT" "$T/billing-sync"; cp "$OLDCLIENT" "$T/other-client"
cat > "$T/program.toml" <<'TOML'
[[rule]]
program = ["billing-*"]
min_protocol = "TLSv1.2"
TOML
out=$(TLSOVERRIDE_CONFIG=$T/program.toml preload "$T/billing-sync" --method tls1 $MODERN 2>&1)
assert_contains "program rule: billing-sync is upgraded" "$out" "connected TLSv1.2"
out=$(TLSOVERRIDE_CONFIG=$T/program.toml preload "$T/other-client" --method tls1 $MODERN 2>&1)
assert_contains "program rule: the same binary as other-client is not" "$out" "handshake failed"
ln -s "$T/billing-sync" "$T/alias"
out=$(TLSOVERRIDE_CONFIG=$T/program.toml preload "$T/alias" --method tls1 $MODERN 2>&1)
assert_contains "program rule: started under another name, the executable's file name still matches" "$out" "connected TLSv1.2"

# check
for f in "$CONFIG_DIR"/*.toml; do
    out=$($TLSO check "$f" 2>&1); status=$?
    assert_eq "check passes the shipped $(basename "$f")" "$status" "0"
done
printf '[policy]\nmin_protocol = "TLSv1.2"\nmin_protcol = "TLSv1"\nsecurity_level = "high"\n\n[[rule]]\nmax_protocol = "TLSv9"\n' > "$T/bad.toml"
out=$($TLSO check "$T/bad.toml" 2>&1); status=$?
assert_eq "check exits 1 on a bad file" "$status" "1"
assert_contains "check: unknown key, located, with the nearest valid key" "$out" \
    "tlsoverride: $T/bad.toml:3:1: unknown key 'min_protcol' in [policy] (did you mean 'min_protocol'?)"
assert_contains "check: a wrong type, located" "$out" "$T/bad.toml:4:18: security_level must be an integer from 0 to 5, not a string"
assert_contains "check: an unknown protocol, located" "$out" "$T/bad.toml:7:16: max_protocol: unknown protocol version 'TLSv9'"
printf '[policy]\nciphers = "NO-SUCH-CIPHER"\ngroups = "X25519:P-999"\n' > "$T/openssl.toml"
out=$($TLSO check "$T/openssl.toml" 2>&1)
assert_contains "check: a cipher list OpenSSL rejects, located" "$out" "$T/openssl.toml:2:11: ciphers 'NO-SUCH-CIPHER' rejected by OpenSSL"
assert_contains "check: a group list OpenSSL rejects, located" "$out" "$T/openssl.toml:3:10: groups 'X25519:P-999' rejected by OpenSSL"
printf '[policy]\nmin_protocol = "TLSv1.3"\nmax_protocol = "TLSv1.2"\n' > "$T/range.toml"
out=$($TLSO check "$T/range.toml" 2>&1)
assert_contains "check: min_protocol above max_protocol" "$out" "$T/range.toml:2:16: min_protocol TLSv1.3"
printf '[rule]\nname = "x"\n' > "$T/table.toml"
out=$($TLSO check "$T/table.toml" 2>&1)
assert_contains "check: [rule] instead of [[rule]]" "$out" "rule must be written [[rule]]"
out=$($TLSO check "$T/missing.toml" 2>&1); status=$?
assert_contains "check: a missing file is named" "$out" "$T/missing.toml: cannot read the configuration: No such file or directory"
assert_eq "check: a missing file exits 1" "$status" "1"
out=$($TLSO check "$T" 2>&1)
assert_contains "check: a directory is named as one" "$out" "is a directory"
out=$($TLSO check "$CONFIG_DIR/one-legacy-host.toml" 2>&1)
assert_contains "check prints the effective policy" "$out" 'rule 1 "legacy billing"'

# explain
out=$(TLSOVERRIDE_CIPHERS=ECDHE+AESGCM $TLSO explain --config "$T/legacy.toml" --host billing.legacy.test --role client 2>&1)
assert_contains "explain names the matching rule" "$out" 'matching rule: 1 "legacy test hosts"'
assert_contains "explain says a value comes from the rule" "$out" 'from rule "legacy test hosts"'
assert_contains "explain says a value comes from the environment" "$out" "from environment TLSOVERRIDE_CIPHERS"
assert_contains "explain says what is left to the program" "$out" "left to the program"
out=$($TLSO explain --config "$T/legacy.toml" --host www.example.test 2>&1)
assert_contains "explain: another host falls back to [policy]" "$out" 'from [policy]'

# A broken file: the preloaded program fails closed with the located message.
printf '[policy]\nmin_protocol = "TLSv1.2\n' > "$T/broken.toml"
out=$(TLSOVERRIDE_CONFIG=$T/broken.toml preload $OLDCLIENT $MODERN 2>&1)
assert_contains "a broken file fails the program's context creation" "$out" "context creation failed"
assert_contains "the log line is located" "$out" "error: $T/broken.toml:2:"
out=$(TLSOVERRIDE_CONFIG=$T/missing.toml preload $OLDCLIENT $MODERN 2>&1)
assert_contains "TLSOVERRIDE_CONFIG must exist when set" "$out" "$T/missing.toml: cannot read the configuration"
printf 'on_error = "ignore"\n[policy]\nmin_protocol = "TLSv1.2"\nciphers = "NO-SUCH"\n' > "$T/ignored.toml"
out=$(TLSOVERRIDE_CONFIG=$T/ignored.toml preload $OLDCLIENT $MODERN 2>&1)
assert_contains "on_error = \"ignore\" in the file: the program runs unmodified" "$out" "connected TLSv1.2"
assert_contains "on_error = \"ignore\": the located error is still logged" "$out" "$T/ignored.toml:4:11: ciphers 'NO-SUCH' rejected"

# conf.d: one file per application, read after config.toml in lexical order.
mkdir -p "$T/etc/conf.d"
printf 'mode = "enforce"\n[policy]\nmin_protocol = "TLSv1.2"\n' > "$T/etc/config.toml"
printf '[[rule]]\nname = "legacy billing"\nhost = ["*.legacy.test"]\nmin_protocol = "TLSv1"\nsecurity_level = 0\n' > "$T/etc/conf.d/20-billing.toml"
printf '[[rule]]\nname = "shadowed"\nhost = ["billing.legacy.test"]\nmin_protocol = "TLSv1.3"\n' > "$T/etc/conf.d/30-later.toml"
out=$(TLSOVERRIDE_CONFIG=$T/etc/config.toml preload $OLDCLIENT --sni billing.legacy.test $LEGACY 2>&1)
assert_contains "conf.d: a rule dropped into conf.d/ lets the client reach the TLSv1 server" "$out" "connected TLSv1 "
out=$(TLSOVERRIDE_CONFIG=$T/etc/config.toml preload $OLDCLIENT --method tls1 $MODERN 2>&1)
assert_contains "conf.d: config.toml's [policy] still lifts the pinned client elsewhere" "$out" "connected TLSv1.2"
out=$(TLSOVERRIDE_CONFIG=$T/etc preload $OLDCLIENT --sni billing.legacy.test $LEGACY 2>&1)
assert_contains "TLSOVERRIDE_CONFIG naming the directory reads config.toml and conf.d/" "$out" "connected TLSv1 "
out=$($TLSO check "$T/etc/config.toml" 2>&1)
assert_contains "check lists every file it read" "$out" "read: $T/etc/conf.d/20-billing.toml"
assert_contains "check: the rules of conf.d follow in file order" "$out" "rule 2 \"shadowed\" ($T/etc/conf.d/30-later.toml:1:1)"
assert_contains "check names the file each value came from" "$out" "# rule \"legacy billing\", $T/etc/conf.d/20-billing.toml:4:16"
out=$($TLSO explain --config "$T/etc" --host billing.legacy.test 2>&1)
assert_contains "explain: the first matching rule, from its conf.d file" "$out" "matching rule: 1 \"legacy billing\" ($T/etc/conf.d/20-billing.toml:1:1)"
assert_contains "explain: [policy]'s value names config.toml" "$($TLSO explain --config "$T/etc" --host other.test 2>&1)" \
    "from [policy] ($T/etc/config.toml:3:16)"
printf '[policy]\nmin_protocol = "TLSv1"\n' > "$T/etc/conf.d/40-again.toml"
out=$($TLSO check "$T/etc/config.toml" 2>&1); status=$?
assert_eq "a [policy] key set in two files: check exits 1" "$status" 1
assert_contains "the error is located in the second file and names the first" "$out" \
    "$T/etc/conf.d/40-again.toml:2:16: min_protocol is set twice in [policy]: here and at $T/etc/config.toml:3:16"
out=$(TLSOVERRIDE_CONFIG=$T/etc preload $OLDCLIENT $MODERN 2>&1)
assert_contains "the program fails closed on the duplicated key" "$out" "context creation failed"
rm "$T/etc/conf.d/40-again.toml"

# check lints: valid files that are probably not what was meant, or not safe where they live.
mkdir -p "$T/lint" && chmod 755 "$T/lint"
printf '[policy]\nmin_protocol = "TLSv1.2"\n[[rule]]\nname = "everything"\nrole = "client"\n[[rule]]\nname = "billing"\nhost = "billing.legacy.test"\nrole = "client"\nmin_protocol = "TLSv1"\n' > "$T/lint/config.toml"
chmod 664 "$T/lint/config.toml"
out=$($TLSO check "$T/lint/config.toml" 2>&1); status=$?
assert_eq "lints are warnings: check still exits 0" "$status" 0
assert_contains "lint: a group-writable file" "$out" "warning: $T/lint/config.toml: the file is group-writable (mode 0664)"
assert_contains "lint: a rule that can never match, with the rule that beats it" "$out" \
    "warning: $T/lint/config.toml:6:1: rule 2 \"billing\" can never match: rule 1 \"everything\" ($T/lint/config.toml:3:1) comes first"
assert_contains "lint: a rule that weakens below TLSv1.2, located at the value" "$out" \
    "warning: $T/lint/config.toml:10:16: rule \"billing\" min_protocol = \"TLSv1\" allows a protocol below TLSv1.2 for host billing.legacy.test, role client"
chmod 644 "$T/lint/config.toml"; chmod 777 "$T/lint"
out=$($TLSO check "$T/lint/config.toml" 2>&1)
assert_contains "lint: a world-writable directory holding the file" "$out" \
    "warning: $T/lint: the directory is group- and world-writable (mode 0777): others can replace the configuration or add conf.d/ files"
out=$($TLSO check --json "$T/lint/config.toml" 2>/dev/null)
assert_eq "check --json lists the lints under warnings" \
    "$(printf '%s' "$out" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], len(d["warnings"]), d["warnings"][0]["where"] == sys.argv[1])' "$T/lint")" "True 3 True"
chmod 755 "$T/lint"
printf '[policy]\nmin_protocol = TLSv1.2\n' > "$T/lint/bare.toml"
out=$($TLSO check "$T/lint/bare.toml" 2>&1); status=$?
assert_eq "an unquoted value is an error (exit 1)" "$status" 1
assert_contains "the error says to quote the value" "$out" \
    "$T/lint/bare.toml:2:16: the value TLSv1.2 must be quoted: write min_protocol = \"TLSv1.2\""
