# One rule decides a connection (issue 11), the same one `explain` names; in default mode
# the program's own later choices stand, also when a host rule decides a connection later
# (issue 13).
. "$(dirname "$0")/lib.sh"

# The seed's server: TLSv1.2 only, one cipher (not AES256-SHA).
start_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || exit 1
MODERN=$PORT
json_field() { python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline()).get(sys.argv[2], ''))" "$1" "$2"; }

# A host rule first, then a rule for the program: at creation the host is unknown and the
# program rule would match; the connection to billing.test is the host rule's alone.
cat > "$T/rules.toml" <<'TOML'
[[rule]]
name = "billing host"
host = ["billing.test"]
min_protocol = "TLSv1.2"

[[rule]]
name = "old client"
program = ["oldclient*"]
ciphers = "AES256-SHA"
TOML
records() { TLSOVERRIDE_CONFIG=$T/rules.toml TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FORMAT=json \
    TLSOVERRIDE_LOG_FILE=$T/records.json preload "$@"; }
rm -f "$T/records.json"
out=$(records "$OLDCLIENT" --method tls1 --sni billing.test "$MODERN" 2>&1)
assert_contains "the connection to the host gets the host rule: the pinned client connects" "$out" \
    "connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
assert_eq "... and its record names the host rule" "$(json_field "$T/records.json" rule)" "billing host"
explained=$(TLSOVERRIDE_CONFIG=$T/rules.toml "$TLSO" explain --program "$(basename "$OLDCLIENT")" --host billing.test --role client 2>&1)
assert_contains "explain names the same rule for that case" "$explained" "matching rule: 1 \"$(json_field "$T/records.json" rule)\""
assert_contains "... and leaves the ciphers to the program, as the connection had them" "$explained" \
    "$(printf '  %-22s %-40s %s' ciphers - 'left to the program')"
assert_contains "... and the host rule's min_protocol" "$explained" "min_protocol           \"TLSv1.2\""

rm -f "$T/records.json"
out=$(records "$OLDCLIENT" --sni www.test "$MODERN" 2>&1)
assert_contains "another host gets the program rule (its cipher list, which this server does not share)" "$out" "handshake failed"
assert_eq "... and its record names the program rule" "$(json_field "$T/records.json" rule)" "old client"
explained=$(TLSOVERRIDE_CONFIG=$T/rules.toml "$TLSO" explain --program "$(basename "$OLDCLIENT")" --host www.test --role client 2>&1)
assert_contains "... which explain names too" "$explained" "matching rule: 2 \"old client\""

# Default mode: a host rule chosen at SNI never undoes the program's own later choices.
cat > "$T/weak-host.toml" <<'TOML'
[[rule]]
name = "legacy billing"
host = ["billing.test"]
min_protocol = "TLSv1"
security_level = 0
TOML
out=$(TLSOVERRIDE_CONFIG=$T/weak-host.toml TLSOVERRIDE_LOG=error preload "$OLDCLIENT" --min tls1_3 --sni billing.test "$MODERN" 2>&1)
assert_contains "default mode: the program's own TLSv1.3 minimum stands against a host rule's TLSv1" "$out" "handshake failed"
out2=$(TLSOVERRIDE_CONFIG=$T/weak-host.toml TLSOVERRIDE_LOG=info preload "$OLDCLIENT" --seclevel 3 --sni billing.test "$MODERN" 2>&1)
assert_contains "default mode: the host rule still applies what the program did not set (its range)" "$out2" \
    "client connection to billing.test: protocols TLSv1"
printf 'mode = "enforce"\n' | cat - "$T/weak-host.toml" > "$T/weak-host-enforce.toml"
out=$(TLSOVERRIDE_CONFIG=$T/weak-host-enforce.toml TLSOVERRIDE_LOG=error preload "$OLDCLIENT" --min tls1_3 --sni billing.test "$MODERN" 2>&1)
assert_contains "enforce mode: the host rule owns what it names (its minimum replaces the program's TLSv1.3)" "$out" \
    "connected TLSv1.2"
