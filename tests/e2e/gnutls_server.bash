# Run by gnutls.sh inside a network namespace of its own (unshare -n): gnutls-serv
# binds every address, and here the only one is loopback. Not a story of its own
# (tests/run runs *.sh).
. "$(dirname "$0")/lib.sh"
ip link set lo up || { not_ok "gnutls-serv: cannot bring up loopback in the namespace"; exit 0; }
SERV_PORT=4433

# serve LOG [gnutls-serv flags...]: starts gnutls-serv preloaded (with the caller's
# TLSOVERRIDE_ variables), waits until it listens.
serve() {
    local log=$1; shift
    LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$LIB gnutls-serv --http --x509certfile "$CERTS/server.pem" --x509keyfile "$CERTS/server.key" \
        -p $SERV_PORT "$@" >"$log" 2>&1 </dev/null &
    SERV_PID=$!
    local i
    for i in $(seq 1 100); do
        grep -q "listening" "$log" 2>/dev/null && return 0
        sleep 0.05
    done
    not_ok "gnutls-serv did not start: $(cat "$log")"; return 1
}
stop() { kill "$SERV_PID" 2>/dev/null; wait "$SERV_PID" 2>/dev/null; }
hello() { echo | timeout 10 openssl s_client -connect 127.0.0.1:$SERV_PORT "$@" 2>&1; }

serve "$T/plain.log" || exit 0
assert_contains "gnutls-serv without a policy takes a TLSv1.2 client" "$(hello -tls1_2)" "New, TLSv1.2, Cipher is ECDHE"
stop

TLSOVERRIDE_MIN_PROTOCOL=TLSv1.3 TLSOVERRIDE_LOG_HANDSHAKES=1 serve "$T/floor.log" || exit 0
assert_not_contains "gnutls-serv under min_protocol TLSv1.3 refuses a TLSv1.2 client" "$(hello -tls1_2)" "New, TLSv1.2, Cipher is ECDHE"
assert_contains "... and takes a TLSv1.3 one" "$(hello -tls1_3)" "New, TLSv1.3, Cipher is TLS_"
stop
assert_contains "the server side records the refused handshake" "$(cat "$T/floor.log")" "handshake FAILED: server gnutls-serv"
assert_contains "... and the accepted one" "$(cat "$T/floor.log")" "handshake ok: server gnutls-serv peer=127.0.0.1:"

TLSOVERRIDE_MODE=enforce TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 serve "$T/enforce.log" --priority NORMAL:-VERS-ALL:+VERS-TLS1.3 || exit 0
assert_contains "gnutls-serv told TLSv1.3 only takes a TLSv1.2 client under enforce" "$(hello -tls1_2)" "New, TLSv1.2, Cipher is ECDHE"
stop

# A role rule: chosen per session at its first handshake step (gnutls-serv makes one
# priority cache and sets it on every session), the cache's own string rebuilt
# with the rule's tokens.
cat > "$T/role.toml" <<EOT
[[rule]]
name = "servers speak TLSv1.3"
role = "server"
min_protocol = "TLSv1.3"
EOT
TLSOVERRIDE_CONFIG=$T/role.toml TLSOVERRIDE_LOG_HANDSHAKES=1 serve "$T/role.log" || exit 0
assert_not_contains "a role = \"server\" rule governs gnutls-serv's sessions" "$(hello -tls1_2)" "New, TLSv1.2, Cipher is ECDHE"
assert_contains "... which still take TLSv1.3" "$(hello -tls1_3)" "New, TLSv1.3, Cipher is TLS_"
stop
assert_contains "... and their records name the rule" "$(cat "$T/role.log")" 'rule="servers speak TLSv1.3"'
