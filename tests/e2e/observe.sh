# Observability (issue 5): one record per handshake, what it negotiated or why it
# failed and which setting would fix it, without changing the program's outcome.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

start_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || exit 1
MODERN=$PORT
start_server -tls1 -cipher 'DEFAULT:@SECLEVEL=0' || exit 1
LEGACY=$PORT

# json_field FILE FIELD: FIELD of the last JSON line in FILE.
json_field() { $PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])' "$1" "$2"; }
records() { TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FORMAT=json TLSOVERRIDE_LOG_FILE=$T/records.json preload "$@"; }

out=$(records $OLDCLIENT --sni modern.test $MODERN 2>&1)
assert_contains "observer only: the program connects as it would" "$out" "connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
assert_eq "observer only: the record says it succeeded" "$(json_field "$T/records.json" ok)" "True"
assert_eq "observer only: the record has the version" "$(json_field "$T/records.json" version)" "TLSv1.2"
assert_eq "observer only: the record has the cipher" "$(json_field "$T/records.json" cipher)" "ECDHE-RSA-AES128-GCM-SHA256"
assert_eq "observer only: the record has the SNI" "$(json_field "$T/records.json" sni)" "modern.test"
assert_eq "observer only: the record has the peer" "$(json_field "$T/records.json" peer)" "127.0.0.1:$MODERN"
# OpenSSL 1.1.1 has no SSL_group_to_name: its group comes from the peer's key, in 3.x's names.
assert_eq "observer only: the record has the group" "$(json_field "$T/records.json" group)" "x25519"
out=$(records $OLDCLIENT --groups P-384 $MODERN 2>&1)
assert_eq "... another group, in OpenSSL 3's name for it" "$(json_field "$T/records.json" group)" "secp384r1"
assert_eq "observer only: the record has the program" "$(json_field "$T/records.json" program)" "$(basename "$OLDCLIENT")"

plain=$($OLDCLIENT --method tls1 $MODERN 2>&1)
out=$(records $OLDCLIENT --method tls1 $MODERN 2>&1)
assert_eq "observer only: a failing program fails the same way" "$out" "$plain"
assert_eq "a failure record for the pinned TLSv1 client" "$(json_field "$T/records.json" ok)" "False"
assert_eq "it says what this side offered" "$(json_field "$T/records.json" offered_versions)" "TLSv1-TLSv1"
assert_eq "it has the alert" "$(json_field "$T/records.json" alert)" "protocol version"
assert_contains "its hint names min_protocol" "$(json_field "$T/records.json" hint)" 'min_protocol = "TLSv1.2"'

out=$(records $OLDCLIENT --ciphers AES256-SHA --no-tls1_3 $MODERN 2>&1)
assert_contains "a cipher mismatch yields the ciphers hint" "$(json_field "$T/records.json" hint)" "set ciphers"

out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1 records $OLDCLIENT $LEGACY 2>&1)
case "$ABI" in  # OpenSSL 1.1.1 signs TLSv1 with SHA-1 at level 1; 3.x needs level 0
    1.1*) assert_contains "OpenSSL 1.1.1: TLSv1 with ECDHE works at the default level" "$out" "connected TLSv1" ;;
    *) assert_contains "TLSv1 with ECDHE at the default level fails" "$out" "handshake failed"
       assert_contains "... and the hint names security_level" "$(json_field "$T/records.json" hint)" "security_level = 0" ;;
esac


out=$(records $OLDCLIENT --verify "$CERTS/other-ca.pem" --sni localhost $MODERN 2>&1)
assert_contains "a wrong CA fails verification" "$out" "handshake failed"
assert_contains "... and the hint says tlsoverride does not change verification" "$(json_field "$T/records.json" hint)" \
    "tlsoverride does not and will not change verification"

out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 preload $OLDCLIENT --info-callback $MODERN 2>&1)
assert_contains "the program's info callback getter returns the program's callback" "$out" "getter returns ours: yes"
calls=$(printf '%s\n' "$out" | sed -n 's/^info callback calls: //p')
[ "${calls:-0}" -gt 3 ]; assert_eq "the program's info callback is still called ($calls calls)" "$?" "0"
assert_contains "the text record is one readable line" "$out" "handshake ok: client $(basename "$OLDCLIENT") peer=127.0.0.1:$MODERN sni=- version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256"

# Two processes appending to one file: only whole lines.
rm -f "$T/records.json"
records $OLDCLIENT --count 150 $MODERN >/dev/null 2>&1 &
first=$!
records $OLDCLIENT --count 150 --method tls1 $MODERN >/dev/null 2>&1 &
wait $first $!
lines=$(wc -l < "$T/records.json")
assert_eq "two processes: one record per handshake" "$lines" "300"
bad=$($PY -c '
import json, sys
bad = 0
for line in open(sys.argv[1]):
    try: json.loads(line)
    except ValueError: bad += 1
print(bad)' "$T/records.json")
assert_eq "every JSON line parses" "$bad" "0"

out=$(TLSOVERRIDE_LOG_FILE=$T/records.json preload $OLDCLIENT $MODERN 2>&1)
assert_eq "no records unless asked" "$(wc -l < "$T/records.json")" "300"
ln -s "$T/records.json" "$T/planted.log"
out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FILE=$T/planted.log preload $OLDCLIENT $MODERN 2>&1)
assert_contains "a log file path that is a symlink is not followed" "$out" "it is a symbolic link, which tlsoverride does not follow"
assert_eq "... and nothing was written through it" "$(wc -l < "$T/records.json")" "300"

# Server side: s_server itself under the library, as an observer and with a role rule.
cat > "$T/server.toml" <<'TOML'
[log]
handshakes = true
format = "json"
[[rule]]
name = "servers speak TLSv1.3 only"
role = "server"
min_protocol = "TLSv1.3"
TOML
TLSOVERRIDE_CONFIG=$T/server.toml TLSOVERRIDE_LOG_FILE=$T/server.json LD_PRELOAD=$LIB start_server || exit 1
GOVERNED=$PORT
out=$($OLDCLIENT --max tls1_2 $GOVERNED 2>&1)
assert_contains "a role rule makes a preloaded server refuse TLSv1.2" "$out" "handshake failed"
out=$($OLDCLIENT $GOVERNED 2>&1)
assert_contains "... and accept TLSv1.3" "$out" "connected TLSv1.3"
sleep 0.2
assert_eq "the server side records its handshakes too" "$(json_field "$T/server.json" role)" "server"
assert_eq "... naming the rule" "$(json_field "$T/server.json" rule)" "servers speak TLSv1.3 only"
assert_eq "... with the version" "$(json_field "$T/server.json" version)" "TLSv1.3"
