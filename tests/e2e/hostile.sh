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
syntax-bare-value|[policy]\nmin_protocol = TLSv1.2\n|2:16|Error while parsing boolean: expected 'true', saw 'T'
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
directory|@|-|is a directory, not a configuration file (name the .toml file inside it)
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
over-list-limit|@|2:8|host has $((MAX_ITEMS + 1)) items; the limit is $MAX_ITEMS
rule-host-empty|[[rule]]\nname = \"all\"\nhost = []\nmin_protocol = \"TLSv1\"\n|3:8|host = [] is an empty list, which would make this rule match every connection; list at least one server name
rule-program-empty|[[rule]]\nprogram = []\n|2:11|program = [] is an empty list, which would make this rule match every program"

n=0
while IFS='|' read -r name content where message; do
    [ -n "$name" ] || continue
    n=$((n + 1))
    file=$C/$name.toml
    # CONTENT is printf %b: \n, \0 (NUL), \0377 (a byte); \\u0000 is TOML's escape.
    [ "$content" = "@" ] || printf '%b' "$content" > "$file"
    # An error about the whole file names the variable its path came from (issue 13);
    # `check FILE` names only the path, as the user wrote it.
    if [ "$where" = "-" ]; then located="$file: $message" logged="TLSOVERRIDE_CONFIG=$file: $message"
    else located="$file:$where: $message" logged=$located; fi
    check_fails "$name" "$file" "tlsoverride: $located"
    TLSOVERRIDE_CONFIG=$file fails_closed "$name" "error: $logged"
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
    assert_contains "$name with on_error=ignore: the error is still logged" "$out" "$C/$name.toml"
    assert_contains "$name with on_error=ignore: ... as an error" "$out" "error: "
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
check_fails "TLSOVERRIDE_CONFIG" "" "tlsoverride: TLSOVERRIDE_CONFIG=$SHOWN" \
    "cannot read the configuration: No such file or directory"
fails_closed "TLSOVERRIDE_CONFIG" "error: TLSOVERRIDE_CONFIG=$SHOWN"
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
assert_contains "TLSOVERRIDE_LOG_FILE garbage: the error names the variable and the path" "$out" \
    "error: TLSOVERRIDE_LOG_FILE=/nonexistent/$SHOWN"
assert_contains "TLSOVERRIDE_LOG_FILE garbage: ... and why" "$out" \
    "cannot open the log file's directory /nonexistent: No such file or directory"
assert_contains "TLSOVERRIDE_LOG_FILE garbage: ... the log goes to standard error" "$out" "logging to standard error"
assert_contains "TLSOVERRIDE_LOG_FILE garbage: ... and the policy still applies" "$out" "connected TLSv1.2"

# --- the log is a guest: files it must not write to (issue 13) ----------------------------------
# Each refused log file: one error line on standard error naming the variable or key and the
# path, nothing written there, no hang, and the policy still applied.
L=$T/logs
mkdir -p "$L/real" "$L/cwd"
ln -s "$L/real" "$L/linked"
mkfifo "$L/fifo.log"
logged_to() {   # logged_to PATH [VAR=VALUE...]: the pinned TLSv1 client under a TLSv1.2 floor
    local path=$1
    shift
    (cd "$L/cwd" && env TLSOVERRIDE_LOG_FILE="$path" TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 TLSOVERRIDE_LOG=info "$@" \
        timeout 10 env LD_PRELOAD="$PRELOADED" "$OLDCLIENT" --method tls1 "$PORT" 2>&1)
}
refused_log() {   # refused_log NAME PATH EXPECTED
    local out status
    out=$(logged_to "$2"); status=$?
    assert_eq "log file $1: the program runs and connects (no hang, no crash)" "$status" "0"
    assert_contains "log file $1: ... with the policy applied" "$out" "connected TLSv1.2"
    assert_contains "log file $1: refused, naming the variable and the path" "$out" \
        "error: TLSOVERRIDE_LOG_FILE=$2: $3; logging to standard error"
    assert_contains "log file $1: ... and the log stays on standard error" "$out" "info: client context"
}
refused_log "a FIFO with no reader" "$L/fifo.log" "the log file is not a regular file (a FIFO or socket)"
exec 7<>"$L/fifo.log"   # now the FIFO has a reader: opening it would succeed, and is refused all the same
refused_log "a FIFO with a reader" "$L/fifo.log" "the log file is not a regular file (a FIFO, socket or device)"
exec 7>&-
refused_log "reached through a symlinked directory" "$L/linked/x.log" \
    "the log file's directory $L/linked is a symbolic link, which tlsoverride does not follow; name the real directory"
[ ! -e "$L/real/x.log" ]; assert_eq "log file through a symlinked directory: nothing created behind the link" "$?" "0"
refused_log "a relative path" "relative.log" \
    "the log file is a relative path, which would follow the program's working directory; write an absolute path"
[ ! -e "$L/cwd/relative.log" ]; assert_eq "log file with a relative path: nothing created in the working directory" "$?" "0"
if [ "$(id -u)" -eq 0 ]; then
    : > "$L/theirs.log" && chown 65534:65534 "$L/theirs.log"
    refused_log "owned by another user" "$L/theirs.log" \
        "the log file is owned by uid 65534, neither this process's user (uid 0) nor root; tlsoverride does not write into another user's file"
    [ ! -s "$L/theirs.log" ]; assert_eq "log file owned by another user: nothing written into it" "$?" "0"
else
    echo "# skip log file owned by another user: needs root to give a file away"
fi
# The same refusal for [log] file names the key's place in the configuration file.
printf '[log]\nlevel = "info"\nfile = "logs/x.log"\n[policy]\nmin_protocol = "TLSv1.2"\n' > "$L/relative-key.toml"
out=$(cd "$L/cwd" && TLSOVERRIDE_CONFIG=$L/relative-key.toml timeout 10 env LD_PRELOAD="$PRELOADED" "$OLDCLIENT" \
    --method tls1 "$PORT" 2>&1)
assert_contains "[log] file relative: refused, naming FILE:LINE:COLUMN of the key" "$out" \
    "error: $L/relative-key.toml:3:8: [log] file = logs/x.log: the log file is a relative path"
assert_contains "[log] file relative: ... and the policy applies" "$out" "connected TLSv1.2"
# An ordinary file is written, and a later run appends to it.
out=$(logged_to "$L/real/ok.log"); out=$(logged_to "$L/real/ok.log")
assert_eq "a safe log file gets every line of both runs" "$(grep -c 'info: client context' "$L/real/ok.log")" "2"

# --- the log never writes into a descriptor the program has given to its own file ----------------
FDREUSE=$B/tests/fdreuse
# Standard error closed at start: the program's data file takes number 2 before the first
# SSL_CTX_new. A bad configuration's error lines must not land in it.
out=$(TLSOVERRIDE_MIN_PROTOCOL=bogus timeout 10 env LD_PRELOAD="$PRELOADED" "$FDREUSE" stderr-taken "$L/data" 2>&-)
assert_contains "stderr closed at start: the program still fails closed on the bad configuration" "$out" \
    "context creation failed"
assert_eq "stderr closed at start: the data file that took number 2 holds nothing of ours" "$(cat "$L/data")" ""
# ... and the same when the program's first descriptor is a TCP connection: its peer gets nothing.
python3 - "$L/peer.port" "$L/peer.bytes" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
data = b""
while True:
    chunk = c.recv(65536)
    if not chunk: break
    data += chunk
open(sys.argv[2], "wb").write(data)
PY
peer=$!
for i in $(seq 1 100); do [ -s "$L/peer.port" ] && break; sleep 0.05; done
out=$(TLSOVERRIDE_MIN_PROTOCOL=bogus timeout 10 env LD_PRELOAD="$PRELOADED" "$FDREUSE" stderr-tcp "$(cat "$L/peer.port")" 2>&-)
wait "$peer"
assert_contains "stderr closed at start, then a TCP connection at 2: the program fails closed" "$out" "context creation failed"
assert_eq "... and the connection's peer received nothing of ours" "$(cat "$L/peer.bytes" 2>&1)" ""
# The control: a standard error the shell redirected to a file (write-only) does get the line.
out=$(TLSOVERRIDE_MIN_PROTOCOL=bogus timeout 10 env LD_PRELOAD="$PRELOADED" "$OLDCLIENT" "$PORT" 2>>"$L/stderr.log")
assert_contains "stderr redirected to a file (2>>): the error line is written there" "$(cat "$L/stderr.log")" \
    "error: TLSOVERRIDE_MIN_PROTOCOL: unknown protocol version 'bogus'"
# A daemon closes every descriptor after the first log line and opens its database on every
# low number: the next line goes to the log file, opened again, and never into the database.
printf 'DATABASE\n' > "$L/database"
TLSOVERRIDE_LOG=info TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 TLSOVERRIDE_LOG_FILE=$L/daemon.log \
    timeout 10 env LD_PRELOAD="$PRELOADED" "$FDREUSE" daemon "$L/database"
assert_eq "daemon: both contexts were created" "$?" "0"
assert_eq "daemon: the database holds only its own data" "$(cat "$L/database")" "DATABASE"
assert_eq "daemon: the log file got the line from before and after the descriptors were closed" \
    "$(grep -c 'info: client context' "$L/daemon.log")" "2"
# The same daemon logging to standard error: after it, number 2 is the database, and the
# line is dropped rather than written into it.
printf 'DATABASE\n' > "$L/database"
TLSOVERRIDE_LOG=info TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 \
    timeout 10 env LD_PRELOAD="$PRELOADED" "$FDREUSE" daemon "$L/database" 2>>"$L/daemon-stderr.log"
assert_eq "daemon on stderr: the database holds only its own data" "$(cat "$L/database")" "DATABASE"
assert_eq "daemon on stderr: the line from before went to standard error" \
    "$(grep -c 'info: client context' "$L/daemon-stderr.log")" "1"

# --- a reader-less standard error pipe does not kill the program ------------------------------------
# The warning for a bad configuration goes to a pipe whose reader is gone: without care the
# write raises SIGPIPE and the program dies (status -13) instead of reporting its set-up error.
sigpipe_status=$(python3 - "$PRELOADED" "$OLDCLIENT" "$PORT" <<'PY'
import os, subprocess, sys
preload, client, port = sys.argv[1:]
r, w = os.pipe()
os.close(r)   # no reader: a write gets EPIPE and, unless blocked, SIGPIPE
env = dict(os.environ, LD_PRELOAD=preload, TLSOVERRIDE_MIN_PROTOCOL="bogus")
# restore_signals (the default) gives the child SIGPIPE's default action back, as a shell would.
p = subprocess.run([client, port], stdout=subprocess.PIPE, stderr=w, env=env, timeout=10)
print(p.returncode, p.stdout.decode(errors="replace").strip().splitlines()[-1:] or [""])
PY
)
assert_eq "stderr a pipe with no reader: no SIGPIPE, the program reports its set-up error (exit 2)" \
    "$sigpipe_status" "2 ['context creation failed: error:40000001:tlsoverride::tlsoverride configuration is invalid; the tlsoverride log line names the setting']"

# A socket at number 2 is standard error only when it is journald's stream, which systemd
# names in JOURNAL_STREAM=DEV:INODE; any other (a program's own UNIX connection) gets nothing.
journal=$(python3 - "$PRELOADED" "$OLDCLIENT" "$PORT" <<'PY'
import os, socket, subprocess, sys
preload, client, port = sys.argv[1:]
def run(journal_stream):
    ours, theirs = socket.socketpair()
    env = dict(os.environ, LD_PRELOAD=preload, TLSOVERRIDE_MIN_PROTOCOL="bogus")
    env.pop("JOURNAL_STREAM", None)
    if journal_stream:
        st = os.fstat(theirs.fileno())
        env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
    p = subprocess.run([client, port], stdout=subprocess.DEVNULL, stderr=theirs.fileno(), env=env, timeout=10)
    theirs.close()
    ours.settimeout(10)
    data = b""
    while True:
        chunk = ours.recv(65536)
        if not chunk: break
        data += chunk
    return "%d:%s" % (p.returncode, "line" if b"error: TLSOVERRIDE_MIN_PROTOCOL" in data else repr(data[:60]))
print(run(True), run(False))
PY
)
assert_eq "stderr a socket: journald's (JOURNAL_STREAM) gets the line, any other socket nothing" "$journal" "2:line 2:b''"

# --- JSON stays JSON, and UTF-8, whatever the bytes -------------------------------------------------
# A client whose argv[0] holds DEL and an invalid UTF-8 byte sends an SNI with the same bytes to
# a preloaded server; both sides write JSON records, and a bad value writes a JSON log line.
BAD=$'bad\x7f\xff\xc3.example'
json_valid() {   # every line of FILE is one JSON object and valid UTF-8; prints "N lines valid" or the first problem
    python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().splitlines()
for n, raw in enumerate(lines, 1):
    try:
        obj = json.loads(raw.decode("utf-8"))   # strict: invalid UTF-8 raises
        assert isinstance(obj, dict)
    except Exception as e:
        print("line %d: %s: %r" % (n, e, raw[:120])); sys.exit(0)
print("%d lines valid" % len(lines))
PY
}
LD_PRELOAD=$PRELOADED TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FORMAT=json TLSOVERRIDE_LOG_FILE=$L/server.json \
    start_server -tls1_2 || exit 1
JSON_PORT=$PORT
out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FORMAT=json TLSOVERRIDE_LOG_FILE=$L/client.json \
    LD_PRELOAD=$PRELOADED bash -c 'exec -a "$0" "$@"' "$L/$BAD" "$OLDCLIENT" --sni "$BAD" "$JSON_PORT" 2>&1)
assert_contains "a client named and sending an SNI with DEL and invalid UTF-8 connects" "$out" "connected TLSv1.2"
out=$(TLSOVERRIDE_MODE=$BAD TLSOVERRIDE_LOG_FORMAT=json TLSOVERRIDE_LOG_FILE=$L/client.json \
    LD_PRELOAD=$PRELOADED bash -c 'exec -a "$0" "$@"' "$L/$BAD" "$OLDCLIENT" "$JSON_PORT" 2>&1)
assert_contains "... and with the same bytes in TLSOVERRIDE_MODE fails closed" "$out" "context creation failed"
for i in $(seq 1 50); do grep -q '"type":"handshake"' "$L/server.json" 2>/dev/null && break; sleep 0.1; done
assert_eq "the client's JSON records and log lines: every line is JSON and UTF-8" "$(json_valid "$L/client.json")" \
    "3 lines valid"
assert_eq "the server's JSON record of that SNI: JSON and UTF-8" "$(json_valid "$L/server.json")" "1 lines valid"
fields=$(python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
print(ascii(lines[0]["program"]), ascii(lines[0]["sni"]), ascii(json.loads(open(sys.argv[2], encoding="utf-8").readline())["sni"]))' \
    "$L/client.json" "$L/server.json")
assert_eq "DEL is kept as U+007F, each invalid byte is U+FFFD (client program and SNI, server SNI)" "$fields" \
    "'bad\\x7f\\ufffd\\ufffd.example' 'bad\\x7f\\ufffd\\ufffd.example' 'bad\\x7f\\ufffd\\ufffd.example'"
# The text log of the same client: one line per record, valid UTF-8, the bytes shown as \xNN.
out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FILE=$L/client.txt \
    LD_PRELOAD=$PRELOADED bash -c 'exec -a "$0" "$@"' "$L/$BAD" "$OLDCLIENT" --sni "$BAD" "$JSON_PORT" 2>&1)
text_check=$(python3 -c '
import sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")   # strict: raises on invalid UTF-8
print(len(raw.splitlines()))' "$L/client.txt" 2>&1)
assert_eq "the text record of that client: one line, valid UTF-8" "$text_check" "1"
assert_contains "... with the bytes of argv[0] and the SNI shown as \\xNN" "$(cat "$L/client.txt")" \
    'handshake ok: client bad\x7f\xff\xc3.example peer=127.0.0.1:'"$JSON_PORT"' sni=bad\x7f\xff\xc3.example'
