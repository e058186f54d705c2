# [log] file = "syslog": lines and records to the local syslog socket, against a real
# rsyslogd that listens on a socket in the test's directory and writes to a file here.
. "$(dirname "$0")/lib.sh"
if ! command -v rsyslogd >/dev/null; then echo "# skip syslog: rsyslogd is not installed (scripts/install-deps)"; exit 0; fi

mkdir -p "$T/rsyslog"
cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T/rsyslog")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$T/log.sock")
template(name="plain" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\n")
*.* action(type="omfile" file="$T/messages" template="plain")
CONF
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" >"$T/rsyslogd.out" 2>&1 &
SERVER_PIDS="$SERVER_PIDS $!"
# Ready when a line sent to the socket reaches the file.
ready=""
for i in $(seq 1 100); do
    if [ -S "$T/log.sock" ]; then
        python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"<13>ready: ready", sys.argv[1])' "$T/log.sock" 2>/dev/null
        grep -q "ready" "$T/messages" 2>/dev/null && { ready=1; break; }
    fi
    sleep 0.05
done
[ -n "$ready" ] || { echo "not ok - rsyslogd did not start: $(cat "$T/rsyslogd.out")"; exit 1; }

# wait_for TEXT: until rsyslogd has written a line with TEXT (it writes asynchronously).
wait_for() { for i in $(seq 1 100); do grep -qF -- "$1" "$T/messages" && return 0; sleep 0.05; done; return 1; }

start_server -tls1_2 || exit 1
export TLSOVERRIDE_SYSLOG_SOCKET=$T/log.sock
out=$(TLSOVERRIDE_LOG_FILE=syslog TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_MIN_PROTOCOL=TLSv1 preload "$OLDCLIENT" "$PORT" 2>&1)
assert_eq "with file = syslog the program's own output is all that is on its terminal" "$out" "$(printf 'connected TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384')"
wait_for "handshake ok"
assert_contains "a handshake record reaches rsyslogd as user.info, tagged tlsoverride[PID]" "$(cat "$T/messages")" \
    "user.info tlsoverride["
assert_contains "the record is the text record without a second tag" "$(grep 'handshake ok' "$T/messages")" \
    "]: handshake ok: client oldclient peer=127.0.0.1:$PORT"
assert_contains "the weakening warning reaches rsyslogd as user.warning" "$(cat "$T/messages")" \
    "user.warning tlsoverride["
assert_contains "the warning keeps its level word and message" "$(grep user.warning "$T/messages")" "]: warning: the policy weakens TLS"

printf '[log]\nfile = "syslog"\nformat = "json"\nhandshakes = true\n' >"$T/json.toml"
TLSOVERRIDE_CONFIG=$T/json.toml preload "$OLDCLIENT" --sni billing.test "$PORT" >/dev/null 2>&1
wait_for '"sni":"billing.test"'
record=$(grep -F '"sni":"billing.test"' "$T/messages" | sed 's/^[^ ]* tlsoverride\[[0-9]*\]://')
assert_eq "[log] file = \"syslog\" with format = json: each record stays one JSON object in the message" \
    "$(printf '%s' "$record" | python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); print(d["type"], d["ok"], d["version"])')" \
    "handshake True TLSv1.2"
assert_eq "one datagram per record: exactly one line for that handshake" "$(grep -cF '"sni":"billing.test"' "$T/messages")" "1"
assert_contains "check shows the destination" "$("$TLSO" check "$T/json.toml" 2>&1)" "to syslog"

# No syslog daemon: one line on standard error, then the log stays there; TLS still works.
out=$(TLSOVERRIDE_SYSLOG_SOCKET=$T/no-such.sock TLSOVERRIDE_LOG_FILE=syslog TLSOVERRIDE_LOG_HANDSHAKES=1 preload "$OLDCLIENT" "$PORT" 2>&1)
assert_contains "without a syslog socket the log falls back to standard error, saying why" "$out" "no syslog socket at $T/no-such.sock"
assert_contains "... and the program still connects" "$out" "connected TLSv1.2"

# The library never calls openlog/syslog: the host's own syslog state is its own.
assert_eq "the engine imports none of openlog, syslog, vsyslog, closelog" \
    "$(nm -D --undefined-only "$B/libtlsoverride-engine.so" | grep -cwE 'openlog|syslog|vsyslog|closelog|setlogmask')" "0"

# The host program's openlog() stays as it set it, before and after the library logs. glibc's
# syslog() writes only to /dev/log: in a private mount namespace /dev is a fresh tmpfs whose
# log is this test's socket (the machine's /dev is untouched). Skipped where that is not allowed.
cat >"$T/hostprog.c" <<'C'
#include <openssl/ssl.h>
#include <syslog.h>
int main(void) {
    openlog("hostprog", LOG_PID | LOG_NDELAY, LOG_LOCAL0);
    syslog(LOG_NOTICE, "before tls");
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    syslog(LOG_NOTICE, "after tls");
    SSL_CTX_free(ctx);
    return 0;
}
C
cc -o "$T/hostprog" "$T/hostprog.c" -lssl -lcrypto
if unshare -m sh -c 'mount -t tmpfs none /dev' 2>/dev/null; then
    unset TLSOVERRIDE_SYSLOG_SOCKET   # the library's default, /dev/log, like the host's
    LD_PRELOAD=$(readlink -f "$LIB") TLSOVERRIDE_LOG_FILE=syslog TLSOVERRIDE_MIN_PROTOCOL=TLSv1 \
        unshare -m sh -c 'mount -t tmpfs none /dev && ln -s "$1" /dev/log && exec "$2"' sh "$T/log.sock" "$T/hostprog"
    wait_for "after tls"
    pid=$(sed -n 's/.*hostprog\[\([0-9]*\)\]: before tls/\1/p' "$T/messages")
    order=$(grep -F "[$pid]" "$T/messages" | sed 's/\[[0-9]*\]//; s/: .*weakens.*/: weakens/')
    assert_eq "the host's openlog() ident and facility stand before and after the library's line, which goes to /dev/log" \
        "$order" "local0.notice hostprog: before tls
user.warning tlsoverride: weakens
local0.notice hostprog: after tls"
else
    echo "# skip the host's openlog(): no private mount namespace here"
fi
