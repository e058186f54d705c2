# Out of memory inside a hook never harms the host (issue 13): every setter the policy
# enforces, SSL_new, the server name and SSL_CONF_cmd, with the N-th allocation inside
# the call failing, and the N-th and every later one, for every N (tests/clients/
# oomsetters.c, with tests/clients/failmalloc.so.c preloaded). The process never dies
# (no std::terminate, no segfault), every call returns, errno is kept, and a handshake
# made afterwards still lands at the enforced floor, TLSv1.3, against a server that
# also speaks TLSv1.2.
. "$(dirname "$0")/lib.sh"

if [ -n "${SANITIZED:-}" ]; then
    echo "# skip out-of-memory injection under ${SANITIZED}: failmalloc.so's malloc and the sanitizer's cannot both be the process's"
    exit 0
fi

start_server || exit 1
FAILMALLOC=$B/tests/failmalloc.so

# sweep DESCRIPTION [VAR=value...] -- [NAME,...]: oomsetters under both libraries; checks
# its exit, its last line, and that no promise was broken.
sweep() {
    local what=$1; shift
    local vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    local out status
    out=$(env "${vars[@]}" LD_PRELOAD="$FAILMALLOC:$LIB" timeout 300 "$B/tests/oomsetters" "$PORT" TLSv1.3 "$@" 2>"$T/stderr")
    status=$?
    assert_eq "$what: the program ran to its end (exit 0, no abort)" "$status" "0"
    assert_not_contains "... no std::terminate" "$(cat "$T/stderr")" "terminate called"
    assert_contains "... every call was made" "$out" "done"
    assert_not_contains "... errno kept, and every handshake afterwards at TLSv1.3" "$out" "BAD "
    printf '%s\n' "$out" | sed -n 's/^handshakes after disarming: /# /p'
}

# Control: the sweep sees weakening when there is no policy to hold it.
out=$(LD_PRELOAD="$FAILMALLOC" "$B/tests/oomsetters" "$PORT" TLSv1.3 SSL_CTX_set_options 2>&1)
assert_contains "control: without the library the sweep sees the program's SSL_OP_NO_TLSv1_3 land at TLSv1.2" "$out" "BAD SSL_CTX_set_options step 1"
out=$(LD_PRELOAD="$FAILMALLOC" "$B/tests/oomsetters" "$PORT" TLSv1.3 SSL_CTX_new 2>&1)
assert_contains "control: failmalloc.so makes allocations fail" "$out" "failed allocations"
assert_not_contains "... also inside SSL_CTX_new" "$out" "SSL_CTX_new: 2 steps, 0 failed"

FLOOR=(TLSOVERRIDE_MODE=enforce TLSOVERRIDE_MIN_PROTOCOL=TLSv1.3)
sweep "enforced floor, default log level" "${FLOOR[@]}" --
sweep "enforced floor, debug log" "${FLOOR[@]}" TLSOVERRIDE_LOG=debug --

# Every setting the policy can own, and a host rule decided at the server name.
cat > "$T/full.toml" <<'TOML'
mode = "enforce"
[policy]
gnutls_priority = "NORMAL"  # the OpenSSL lists have no exact GnuTLS equivalent; GnuTLS is not under test here
min_protocol = "TLSv1.3"
ciphers = "ECDHE-RSA-AES128-GCM-SHA256"
ciphersuites = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"
groups = "X25519:P-256"
signature_algorithms = "RSA-PSS+SHA256:RSA+SHA256:ECDSA+SHA256"
security_level = 2
options = ["UnsafeLegacyServerConnect"]
[[rule]]
name = "oom"
host = ["oom.test", "other.oom.test"]
ciphersuites = "TLS_AES_128_GCM_SHA256"
TOML
check=$("$TLSO" check "$T/full.toml" 2>&1); assert_eq "the full policy passes check" "$?" "0"
[ $? -eq 0 ] || printf '#   %s\n' "$check"
sweep "every setting and a host rule, default log level" TLSOVERRIDE_CONFIG="$T/full.toml" --
sweep "every setting and a host rule, debug log" TLSOVERRIDE_CONFIG="$T/full.toml" TLSOVERRIDE_LOG=debug --

# The handshake itself, with records on and every debug line: the info callback
# (records, the host rule, enforce's backstop) runs out of memory at every step.
sweep "SSL_connect with records and debug" TLSOVERRIDE_CONFIG="$T/full.toml" TLSOVERRIDE_LOG=debug TLSOVERRIDE_LOG_HANDSHAKES=1 -- SSL_connect
