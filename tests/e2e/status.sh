# tlsoverride status: running processes with the library, active or not, and where
# their policy comes from. Real processes under the preload, read through /proc.
. "$(dirname "$0")/lib.sh"
LIB_REAL=$(readlink -f "$LIB")
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

printf '[policy]\nmin_protocol = "TLSv1.2"\n' >"$T/policy.toml"
# Loaded but idle: sleep never calls OpenSSL, so the engine is not loaded.
# (env, not the preload function: $! must be the process itself, not a subshell)
PRE=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$LIB
env LD_PRELOAD="$PRE" TLSOVERRIDE_CONFIG="$T/policy.toml" TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 sleep 60 &
IDLE=$!; SERVER_PIDS="$SERVER_PIDS $IDLE"
# Active: s_server makes its context at start, which loads the engine.
log=$T/active.log
env LD_PRELOAD="$PRE" openssl s_server -accept 127.0.0.1:0 -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www >"$log" 2>&1 </dev/null &
ACTIVE=$!; SERVER_PIDS="$SERVER_PIDS $ACTIVE"
for i in $(seq 1 100); do grep -q '^ACCEPT' "$log" && break; sleep 0.05; done
# Not governed at all.
sleep 60 & PLAIN=$!; SERVER_PIDS="$SERVER_PIDS $PLAIN"

if [ -e /etc/tlsoverride/config.toml ]; then default_from=default; else default_from=none; fi
out=$("$TLSO" status 2>&1); status=$?
assert_eq "status exits 0 when a process has the library" "$status" 0
assert_contains "status lists the idle process, not active, with its TLSOVERRIDE_CONFIG" "$out" \
    "$(printf '%-7s %-16s %-26s %s' "$IDLE" sleep "no (no OpenSSL call yet)" "$T/policy.toml (TLSOVERRIDE_CONFIG)")"
assert_contains "status shows the process's other TLSOVERRIDE_* variables" "$out" "TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2"
assert_contains "status shows the active server" "$out" "$(printf '%-7s %-16s %-26s' "$ACTIVE" openssl yes)"
assert_contains "status names the library each process mapped" "$out" "library $LIB_REAL"
assert_not_contains "a process without the library is not listed" "$out" "$(printf '%-7s ' "$PLAIN")sleep"

out=$("$TLSO" status --json)
assert_eq "status --json: the idle process" \
    "$(printf '%s' "$out" | json "[(p['active'], p['engine'], p['config']['path'], p['config']['from'], p['library']) for p in d['processes'] if p['pid'] == $IDLE]")" \
    "[(False, None, '$T/policy.toml', 'TLSOVERRIDE_CONFIG', '$LIB_REAL')]"
assert_eq "status --json: the active server has its engine mapped, policy from the default (or none)" \
    "$(printf '%s' "$out" | json "[(p['active'], p['engine'].endswith('libtlsoverride-engine.so'), p['config']['from'], p['program']) for p in d['processes'] if p['pid'] == $ACTIVE]")" \
    "[(True, True, '$default_from', 'openssl')]"
assert_eq "status --json: the plain process is absent" \
    "$(printf '%s' "$out" | json "[p for p in d['processes'] if p['pid'] == $PLAIN]")" "[]"
capture() { OUT=$("$@" 2>&1); STATUS=$?; }
capture "$TLSO" status --bogus
assert_eq "status: an unknown flag is a usage error" "$STATUS" 2
