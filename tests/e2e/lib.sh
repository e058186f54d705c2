# Shared by every end-to-end story: real openssl s_server processes on 127.0.0.1,
# real clients under the preload, and one "ok"/"not ok" line per assertion.
# Sourced by tests/e2e/*.sh; tests/run counts the lines.
set -u
: "${B:?B must name the build directory}"
LIB=$B/libtlsoverride.so
TLSO=$B/tlsoverride
OLDCLIENT=$B/tests/oldclient
CERTS=$B/test-certs
T=$(mktemp -d)
# ABI=1.1, 1.1-i386 or 3-i386 (tests/run sets it): the same story against the old client
# built for that OpenSSL and ELF class (make legacy), under one LD_PRELOAD value that
# ld.so resolves per class through $LIB, as an installed library is named.
ABI=${ABI:-}
if [ -n "$ABI" ]; then
    OLDCLIENT=$B/legacy/bin/oldclient-$ABI
    mkdir -p "$T/abi/lib/x86_64-linux-gnu" "$T/abi/lib32" "$T/abi/lib/i386-linux-gnu"
    for f in libtlsoverride.so libtlsoverride-engine.so; do
        ln -s "$B/$f" "$T/abi/lib/x86_64-linux-gnu/$f"
        ln -s "$B/i386/$f" "$T/abi/lib32/$f"
        ln -s "$B/i386/$f" "$T/abi/lib/i386-linux-gnu/$f"
    done
    LIB="$T/abi/\$LIB/libtlsoverride.so"
fi
SERVER_PIDS=""
# A test must never pick up the machine's own configuration or a developer's variables.
for v in $(env | sed -n 's/^\(TLSOVERRIDE_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

cleanup() {
    for p in $SERVER_PIDS; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

# start_server [openssl s_server flags...]: starts a server on a free port on
# 127.0.0.1 and sets PORT. The kernel picks the port (-accept 127.0.0.1:0), so two
# suites running at once never collide.
start_server() {
    local log
    log=$(mktemp "$T/server.XXXXXX")
    openssl s_server -accept 127.0.0.1:0 -cert "$CERTS/server.pem" -key "$CERTS/server.key" \
        -www "$@" >"$log" 2>&1 </dev/null &
    local pid=$!
    SERVER_PIDS="$SERVER_PIDS $pid"
    local i
    for i in $(seq 1 100); do
        PORT=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
        [ -n "$PORT" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "not ok - s_server $* did not start: $(cat "$log")"
    return 1
}

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# assert_contains DESCRIPTION TEXT NEEDLE: a fixed-string search; shows the text on failure.
assert_contains() {
    if printf '%s' "$2" | grep -qF -- "$3"; then ok "$1"; else
        not_ok "$1"; printf '#   expected to find: %s\n#   in: %s\n' "$3" "$(printf '%s' "$2" | head -20 | sed '2,$s/^/#       /')"; fi
}
assert_not_contains() {
    if printf '%s' "$2" | grep -qF -- "$3"; then
        not_ok "$1"; printf '#   did not expect: %s\n#   in: %s\n' "$3" "$(printf '%s' "$2" | head -20 | sed '2,$s/^/#       /')"; else ok "$1"; fi
}
assert_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; printf '#   expected: %s\n#   got:      %s\n' "$3" "$2"; fi
}

# preload CMD...: runs CMD with the library preloaded; the environment passes through.
preload() { LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$LIB "$@"; }  # PRELOAD_FIRST: e.g. the ASan runtime (docs/hardening.md)
