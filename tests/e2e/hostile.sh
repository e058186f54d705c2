# Hostile and broken input (issue 7): every bad configuration file and every bad
# TLSOVERRIDE_* value gets a located, clear error from `tlsoverride check`, makes a
# preloaded program fail closed (SSL_CTX_new returns NULL, "context creation failed"),
# and neither crashes nor hangs (timeout 10 s, no exit status >= 128) nor grows
# without bound (1 GiB of address space; not under ASan, which reserves terabytes of
# it for its shadow memory). One table row per case.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

start_server -tls1_2 || exit 1   # a client that does not fail closed would connect here

# limit NAME: a reading limit as shim/core/config.hpp defines it, so the test follows the code.
limit() { echo $(( $(sed -n "s/.*constexpr std::size_t $1 = \([^;]*\);.*/\1/p" "$REPO/shim/core/config.hpp") )); }
MAX_FILE=$(limit max_file_bytes) MAX_RULES=$(limit max_rules)
MAX_STRING=$(limit max_string_bytes) MAX_ITEMS=$(limit max_list_items)

# The value preload() gives LD_PRELOAD, for commands started through `bounded`.
PRELOADED=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$LIB

# bounded CMD...: CMD under a 10 s timeout and, unless sanitized, 1 GiB of address space.
bounded() {
    (
        if [ -z "${SANITIZED:-}" ]; then ulimit -v 1048576 || exit 99; fi
        exec timeout 10 "$@"
    )
}

# check_fails NAME FILE-OR-"" EXPECTED [EXPECTED2]: `tlsoverride check [FILE]` reports
# EXPECTED (and EXPECTED2), exits 1, and did not crash or hang.
check_fails() {
    local name=$1 file=$2 out status
    shift 2
    out=$(bounded "$TLSO" check ${file:+"$file"} 2>&1); status=$?
    assert_eq "$name: check exits 1 (no crash, no hang)" "$status" "1"
    for expected in "$@"; do assert_contains "$name: check reports it" "$out" "$expected"; done
}

# fails_closed NAME EXPECTED: the preloaded program (environment already set) fails
# closed with OpenSSL's error and logs EXPECTED.
fails_closed() {
    local out status
    out=$(bounded env LD_PRELOAD="$PRELOADED" "$OLDCLIENT" "$PORT" 2>&1); status=$?
    assert_eq "$1: the preloaded program reports a set-up error (exit 2, no crash, no hang)" "$status" "2"
    assert_contains "$1: ... because context creation failed" "$out" "context creation failed"
    assert_contains "$1: ... and the log line says why" "$out" "$2"
}

# --- files ------------------------------------------------------------------------------
# Rows: NAME|CONTENT (printf %b; "@": made below)|LINE:COLUMN ("-": the file as a whole)|MESSAGE
C=$T/cases
mkdir -p "$C"
python3 - "$C" "$MAX_FILE" "$MAX_RULES" "$MAX_STRING" "$MAX_ITEMS" <<'PY'
import os, sys
d, max_file, max_rules, max_string, max_items = sys.argv[1], *map(int, sys.argv[2:])
def write(name, data):
    with open(os.path.join(d, name + ".toml"), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
write("nested-arrays", "[policy]\noptions = " + "[" * 10000 + "]" * 10000 + "\n")
write("nested-inline-tables", "x = " + "{a=" * 10000 + "1" + "}" * 10000 + "\n")
write("2mb-string", '[policy]\nciphers = "' + "A" * 2_000_000 + '"\n')
write("binary-junk", bytes(range(256)) * 16)
write("binary-junk-reversed", bytes(range(255, -1, -1)) * 16)
write("over-file-limit", "#" * max_file + "\n")
write("at-file-limit", ("#" * 99 + "\n") * (max_file // 100) + "#" * (max_file % 100 - 1) + "\n")
write("over-rule-limit", "".join('[[rule]]\nname = "r%d"\n' % i for i in range(max_rules + 1)))
write("at-rule-limit", "".join('[[rule]]\nname = "r%d"\n' % i for i in range(max_rules)))
write("over-string-limit", '[policy]\nciphers = "' + "A" * (max_string + 1) + '"\n')
write("at-string-limit", '[[rule]]\nname = "' + "A" * max_string + '"\n')
write("over-list-limit", "[[rule]]\nhost = [" + ", ".join(['"h"'] * (max_items + 1)) + "]\n")
write("at-list-limit", "[[rule]]\nhost = [" + ", ".join(['"h"'] * max_items) + "]\n")
PY
mkdir "$C/directory.toml"
mkfifo "$C/fifo.toml"            # no writer ever comes: reading it must not hang
ln -s /dev/zero "$C/dev-zero.toml"
truncate -s 3G "$C/sparse-3g.toml"   # fstat says 3 GiB; nothing may be read
: > "$C/empty.toml"
printf ' \n\t\n' > "$C/blank.toml"

cases=$(cat <<'CASES'
syntax-table-header|[policy\nmin_protocol = "TLSv1.2"\n|1:8|Error while parsing table header: expected ']'
syntax-unterminated-string|[policy]\nmin_protocol = "TLSv1.2\n|2:24|Error while parsing string: unescaped control characters
syntax-bare-value|[policy]\nmin_protocol = TLSv1.2\n|2:16|the value TLSv1.2 must be quoted: write min_protocol = "TLSv1.2"
syntax-table-header-bang|[!]\n[policy]\nmin_protocol = "TLSv1.2"\n|1:2|Error while parsing key: expected bare key starting character or string delimiter, saw '!'
syntax-table-header-nul|[\0]\n|1:2|Error while parsing key: expected bare key starting character or string delimiter, saw '\u0000'
syntax-non-ascii-after-key|modeé = "enforce"\n|1:5|Error while parsing key-value pair: expected '=', saw 'é'
syntax-multiline-backslash-non-ascii|[policy]\nciphers = """\\\n§"""\n|2:11|ciphers '§' rejected by OpenSSL
duplicate-key|[policy]\nmin_protocol = "TLSv1.2"\nmin_protocol = "TLSv1.3"\n|3:16|Error while parsing key-value pair: cannot redefine existing string 'min_protocol'
duplicate-table|[policy]\nmin_protocol = "TLSv1.2"\n[policy]\nciphers = "X"\n|3:1|Error while parsing table header: cannot redefine existing table 'policy'
rule-as-table|[rule]\nname = "x"\n|1:1|rule must be written [[rule]] (an array of tables), not [rule]
rule-as-integer|rule = 1\n|1:8|rule must be written [[rule]] (an array of tables), not an integer
policy-as-integer|policy = 1\n|1:10|policy must be a table: write [policy] on its own line
log-as-string|log = "x"\n|1:7|log must be a table: write [log] on its own line
mode-integer|mode = 1\n|1:8|mode must be a string, not an integer
on_error-boolean|on_error = true\n|1:12|on_error must be a string, not a boolean
log-level-integer|[log]\nlevel = 3\n|2:9|level must be a string, not an integer
log-file-integer|[log]\nfile = 1\n|2:8|file must be a string, not an integer
log-format-array|[log]\nformat = []\n|2:10|format must be a string, not an array
log-handshakes-string|[log]\nhandshakes = "yes"\n|2:14|handshakes must be true or false, not a string
min_protocol-number|[policy]\nmin_protocol = 1.2\n|2:16|min_protocol must be a string, not a number
max_protocol-date|[policy]\nmax_protocol = 1979-05-27\n|2:16|max_protocol must be a string, not a date or time
ciphers-integer|[policy]\nciphers = 1\n|2:11|ciphers must be a string, not an integer
ciphersuites-table|[policy]\nciphersuites = { a = 1 }\n|2:16|ciphersuites must be a string, not a table
groups-integer|[policy]\ngroups = 5\n|2:10|groups must be a string, not an integer
options-string|[policy]\noptions = "UnsafeLegacyServerConnect"\n|2:11|options must be a list of strings, e.g. options = ["..."], not a string
security_level-string|[policy]\nsecurity_level = "1"\n|2:18|security_level must be an integer from 0 to 5, not a string
security_level-number|[policy]\nsecurity_level = 1.5\n|2:18|security_level must be an integer from 0 to 5, not a number
profile-integer|[policy]\nprofile = 1\n|2:11|profile must be a string, not an integer
rule-program-integer|[[rule]]\nprogram = 1\n|2:11|program must be a list of strings, e.g. program = ["..."], not an integer
rule-host-items-integers|[[rule]]\nhost = [1]\n|2:9|host items must be a string, not an integer
rule-role-integer|[[rule]]\nrole = 7\n|2:8|role must be a string, not an integer
rule-name-integer|[[rule]]\nname = 1\n|2:8|name must be a string, not an integer
security_level-6|[policy]\nsecurity_level = 6\n|2:18|security_level 6 is out of range (use 0 to 5)
security_level-negative|[policy]\nsecurity_level = -1\n|2:18|security_level -1 is out of range (use 0 to 5)
security_level-beyond-64-bits|[policy]\nsecurity_level = 99999999999999999999\n|2:38|Error while parsing decimal integer: '99999999999999999999' is not representable in 64 bits
log-level-unknown|[log]\nlevel = "verbose"\n|2:9|level: unknown log level 'verbose' (use off, error, warn, info or debug)
mode-unknown|mode = "strict"\n|1:8|mode: unknown mode 'strict' (use default or enforce)
on_error-unknown|on_error = "retry"\n|1:12|on_error: unknown on_error value 'retry' (use fail or ignore)
profile-unknown|[policy]\nprofile = "paranoid"\n|2:11|unknown profile 'paranoid' (use modern, intermediate or old)
option-unknown|[policy]\noptions = ["NoSuchOption"]\n|2:11|options 'NoSuchOption' rejected by OpenSSL
group-unknown|[policy]\ngroups = ["X25519", "P-999"]\n|2:10|groups 'X25519:P-999' rejected by OpenSSL
signature-algorithm-unknown|[policy]\nsignature_algorithms = "RSA+MD1"\n|2:24|signature_algorithms 'RSA+MD1' rejected by OpenSSL
ciphersuite-unknown|[policy]\nciphersuites = "TLS_NOPE"\n|2:16|ciphersuites 'TLS_NOPE' rejected by OpenSSL
cipher-unknown|[[rule]]\nhost = ["x"]\nciphers = "NOPE"\n|3:11|ciphers 'NOPE' rejected by OpenSSL
role-unknown|[[rule]]\nrole = "proxy"\n|2:8|role: unknown role 'proxy' (use client or server)
protocol-unknown|[policy]\nmin_protocol = "SSLv3"\n|2:16|min_protocol: unknown protocol version 'SSLv3' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3; SSL 3.0 and 2.0 are not supported by OpenSSL 3)
protocol-range-empty|[policy]\nmin_protocol = "TLSv1.3"\nmax_protocol = "TLSv1.2"\n|2:16|min_protocol TLSv1.3 is above max_protocol TLSv1.2
key-unknown-top-level|mod = "enforce"\n|1:1|unknown key 'mod' at the top level (did you mean 'mode'?)
key-unknown-in-rule|[[rule]]\nhosts = ["x"]\n|2:1|unknown key 'hosts' in [[rule]] (did you mean 'host'?)
nul-escape|[policy]\nciphers = "AES\\u0000"\n|2:11|ciphers contains a NUL character (\u0000); remove it
nul-raw-byte|[policy]\nciphers = "AES\0"\n|2:15|Error while parsing string: unescaped control characters
terminal-escape|mode = "\\u001b]0;owned\\u0007"\n|1:8|mode: unknown mode '\x1b]0;owned\x07'
invalid-utf8|[policy]\nmin_protocol = "TLSv1.2\0377"\n|2:24|Encountered invalid utf-8 sequence
nested-arrays|@|2:267|Error while parsing value: exceeded maximum nested value depth of 256
nested-inline-tables|@|1:773|Error while parsing value: exceeded maximum nested value depth of 256
binary-junk|@|1:1|Error while parsing root table: expected keys, tables, whitespace or comments, saw '\u0000'
binary-junk-reversed|@|1:1|Encountered invalid utf-8 sequence
empty|@|-|the file is empty; write a [policy] table
blank|@|-|the file is empty; write a [policy] table
directory|@|-|is a directory with neither config.toml nor conf.d/*.toml in it
missing|@|-|cannot read the configuration: No such file or directory
fifo|@|-|is not a regular file
dev-zero|@|-|is not a regular file
sparse-3g|@|-|is 3221225472 bytes; the limit is 1048576 bytes (1 MiB)
2mb-string|@|-|is 2000022 bytes; the limit is 1048576 bytes (1 MiB)
CASES
)
# The reading limits, each named in its error (the values come from shim/core/config.hpp).
cases="$cases
over-file-limit|@|-|is $((MAX_FILE + 1)) bytes; the limit is $MAX_FILE bytes
over-rule-limit|@|1:1|$((MAX_RULES + 1)) rules; the limit is $MAX_RULES
over-string-limit|@|2:11|ciphers is $((MAX_STRING + 1)) bytes long; the limit is $MAX_STRING bytes per string
over-list-limit|@|2:8|host has $((MAX_ITEMS + 1)) items; the limit is $MAX_ITEMS"

n=0
while IFS='|' read -r name content where message; do
    [ -n "$name" ] || continue
    n=$((n + 1))
    file=$C/$name.toml
    # CONTENT is printf %b: \n, \0 (NUL), \0377 (a byte); \\u0000 is TOML's escape.
    [ "$content" = "@" ] || printf '%b' "$content" > "$file"
    if [ "$where" = "-" ]; then located="$file: $message"; else located="$file:$where: $message"; fi
    check_fails "$name" "$file" "tlsoverride: $located"
    TLSOVERRIDE_CONFIG=$file fails_closed "$name" "error: $located"
done <<< "$cases"
[ "$n" -ge 25 ]; assert_eq "at least 25 hostile files ($n)" "$?" "0"

# The limits are inclusive: exactly at each one is accepted.
for name in at-file-limit at-rule-limit at-string-limit at-list-limit; do
    out=$(bounded "$TLSO" check "$C/$name.toml" 2>&1); status=$?
    assert_eq "$name: accepted by check" "$status" "0"
    out=$(TLSOVERRIDE_CONFIG=$C/$name.toml bounded env LD_PRELOAD="$PRELOADED" "$OLDCLIENT" "$PORT" 2>&1)
    assert_contains "$name: the preloaded program connects" "$out" "connected TLSv1.2"
done

# on_error = "ignore" survives the same input: logged, and the program runs unmodified.
for name in syntax-table-header-nul syntax-non-ascii-after-key nested-arrays binary-junk fifo; do
    out=$(TLSOVERRIDE_ON_ERROR=ignore TLSOVERRIDE_CONFIG=$C/$name.toml \
        bounded env LD_PRELOAD="$PRELOADED" "$OLDCLIENT" "$PORT" 2>&1); status=$?
    assert_eq "$name with on_error=ignore: the program runs unmodified and connects" "$status" "0"
    assert_contains "$name with on_error=ignore: the error is still logged" "$out" "error: $C/$name.toml"
done

# --- the environment: a garbage value in each variable --------------------------------------
# A control character, a byte that is not UTF-8, and shell syntax that must stay text.
GARBAGE=$'\x01garbage\xff;$(id)'
SHOWN='\x01garbage'   # how check and the log show its start: control characters escaped
printf '[policy]\nmin_protocol = "TLSv1.2"\n' > "$T/good.toml"
envcases=$(cat <<'CASES'
MIN_PROTOCOL|unknown protocol version '
MAX_PROTOCOL|unknown protocol version '
CIPHERS|ciphers '
CIPHERSUITES|ciphersuites '
GROUPS|groups '
SIGNATURE_ALGORITHMS|signature_algorithms '
SECURITY_LEVEL|security level '
OPTIONS|options '
MODE|unknown mode '
ON_ERROR|unknown on_error value '
LOG|unknown log level '
LOG_FORMAT|unknown log format '
LOG_HANDSHAKES|unknown switch value '
CASES
)
while IFS='|' read -r var message; do
    [ -n "$var" ] || continue
    export "TLSOVERRIDE_$var=$GARBAGE"
    check_fails "TLSOVERRIDE_$var" "$T/good.toml" "tlsoverride: TLSOVERRIDE_$var: $message$SHOWN"
    fails_closed "TLSOVERRIDE_$var" "error: TLSOVERRIDE_$var: $message$SHOWN"
    unset "TLSOVERRIDE_$var"
done <<< "$envcases"

export TLSOVERRIDE_CONFIG=$GARBAGE
check_fails "TLSOVERRIDE_CONFIG" "" "tlsoverride: $SHOWN" "cannot read the configuration: No such file or directory"
fails_closed "TLSOVERRIDE_CONFIG" "error: $SHOWN"
unset TLSOVERRIDE_CONFIG

# A value as long as the kernel allows one environment string (128 KiB): fails closed.
export TLSOVERRIDE_GROUPS=$(head -c 131000 /dev/zero | tr '\0' 'X')
check_fails "a 128 KiB TLSOVERRIDE_GROUPS" "$T/good.toml" "tlsoverride: TLSOVERRIDE_GROUPS: groups 'XXXX"
fails_closed "a 128 KiB TLSOVERRIDE_GROUPS" "error: TLSOVERRIDE_GROUPS: groups 'XXXX"
unset TLSOVERRIDE_GROUPS

# TLSOVERRIDE_LOG_FILE is where the log goes, not part of the policy: a path that cannot
# be opened is reported and the log stays on standard error, with the policy applied.
out=$(TLSOVERRIDE_LOG_FILE=/nonexistent/$GARBAGE TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 \
    bounded env LD_PRELOAD="$PRELOADED" "$OLDCLIENT" --method tls1 "$PORT" 2>&1); status=$?
assert_contains "TLSOVERRIDE_LOG_FILE garbage: the error names the path" "$out" \
    "error: cannot open log file /nonexistent/$SHOWN"
assert_contains "TLSOVERRIDE_LOG_FILE garbage: ... the log goes to standard error" "$out" "logging to standard error"
assert_contains "TLSOVERRIDE_LOG_FILE garbage: ... and the policy still applies" "$out" "connected TLSv1.2"
