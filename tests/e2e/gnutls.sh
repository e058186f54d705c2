# GnuTLS programs under one policy: wget, git (git-remote-https through
# libcurl-gnutls), gnutls-cli, lftp and apt's https method against a TLSv1.2-only
# server, both ways; a gnutls-serv governed from the server side; a host rule by
# server name; a record with a hint; a cipher list GnuTLS cannot say exactly.
. "$(dirname "$0")/lib.sh"

start_server -tls1_2 || exit 1
URL=https://localhost:$PORT/
CA=$CERTS/ca.pem

# One runner per program: its output, then "exit=N". Each program is asked for
# TLSv1.3 only by its own flag when the first argument is "tls13".
wget_run() {
    local only=""; [ "${1:-}" = tls13 ] && only=--secure-protocol=TLSv1_3
    wget --no-verbose -O "$T/wget.out" --tries=1 --timeout=5 --ca-certificate="$CA" $only "$URL" 2>&1; echo "exit=$?"
}
git_run() {
    local only=""; [ "${1:-}" = tls13 ] && only="-c http.sslVersion=tlsv1.3"
    GIT_SSL_CAINFO=$CA GIT_TERMINAL_PROMPT=0 git $only ls-remote "${URL}repo" 2>&1; echo "exit=$?"
}
gnutls_cli_run() {
    local priority=NORMAL; [ "${1:-}" = tls13 ] && priority=NORMAL:-VERS-ALL:+VERS-TLS1.3
    timeout 10 gnutls-cli --x509cafile "$CA" --priority "$priority" -p "$PORT" localhost </dev/null 2>&1; echo "exit=$?"
}
lftp_run() {
    local priority=""; [ "${1:-}" = tls13 ] && priority="set ssl:priority NORMAL:-VERS-ALL:+VERS-TLS1.3;"
    timeout 20 lftp -c "set ssl:ca-file $CA; set net:max-retries 1; set net:timeout 5; $priority cat $URL" 2>&1; echo "exit=$?"
}
# apt has no flag of its own for the protocol version: only the policy's direction.
apt_run() {
    rm -f "$T/apt.out"
    /usr/lib/apt/apt-helper -o Acquire::https::CaInfo="$CA" download-file "$URL" "$T/apt.out" 2>&1
    echo "exit=$?"; [ -s "$T/apt.out" ] && echo "downloaded"
}

# What "connected" and "refused for the version" look like to each program's user.
connected_mark() {
    case $1 in
        wget) echo "exit=0" ;;
        git) echo "is this a git repository" ;;  # TLS worked, s_server's page is no repository
        gnutls_cli) echo "Handshake was completed" ;;
        lftp) echo "s_server" ;;  # the page s_server -www serves
        apt) echo "downloaded" ;;
    esac
}
refused_mark() {
    case $1 in
        git) echo "gnutls_handshake() failed" ;;
        apt) echo "exit=100" ;;
        lftp) echo "gnutls_handshake: A TLS fatal alert" ;;
        *) echo "rotocol version" ;;  # GnuTLS: "Error in protocol version"
    esac
}

# git's TLS is libcurl's: under a preloaded ASan runtime it deadlocks in setlocale before
# any TLS, as curl does (docs/hardening.md), so the sanitizer run leaves it out.
programs="wget git gnutls_cli lftp apt"
[ -n "${SANITIZED:-}" ] && programs="wget gnutls_cli apt" && echo "# skip git and lftp under ASan: libcurl's setlocale deadlock (docs/hardening.md), and lftp's own failure under a preloaded ASan runtime"
for program in $programs; do
    name=${program/_/-}
    if [ "$program" != apt ]; then
        out=$(${program}_run tls13)
        assert_contains "$name asked for TLSv1.3 only fails against a TLSv1.2 server" "$out" "$(refused_mark $program)"
        out=$(TLSOVERRIDE_MODE=enforce TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 preload ${program}_run tls13)
        assert_contains "$name asked for TLSv1.3 only connects under enforce, min_protocol TLSv1.2" "$out" \
            "$(connected_mark $program)"
    fi
    out=$(preload ${program}_run)
    assert_contains "$name connects on its defaults (preloaded, no policy)" "$out" "$(connected_mark $program)"
    out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.3 preload ${program}_run)
    assert_contains "$name on its defaults is refused under min_protocol TLSv1.3" "$out" "$(refused_mark $program)"
    assert_not_contains "$name under min_protocol TLSv1.3 did not connect" "$out" "$(connected_mark $program)"
done

# Default mode yields to what the program wrote itself: git's TLSv1.3-only string
# stands (only enforce overrides it).
if [ -z "${SANITIZED:-}" ]; then
    out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 preload git_run tls13)
    assert_contains "default mode leaves git's own TLSv1.3-only choice standing" "$out" "gnutls_handshake() failed"
fi

# The operator's own GnuTLS tokens, appended last.
out=$(TLSOVERRIDE_MODE=enforce TLSOVERRIDE_GNUTLS_PRIORITY=-VERS-ALL:+VERS-TLS1.2 preload gnutls_cli_run tls13)
assert_contains "gnutls_priority lets gnutls-cli speak TLSv1.2 under enforce" "$out" "Handshake was completed"

# A token this GnuTLS does not know: the program's priority call fails closed, said once.
out=$(TLSOVERRIDE_GNUTLS_PRIORITY=+NO-SUCH-TOKEN preload wget_run)
assert_contains "a gnutls_priority GnuTLS rejects fails wget's default priorities closed" "$out" "exit=4"
assert_contains "... and the log says which tokens" "$out" "rejected the policy's priority tokens '+NO-SUCH-TOKEN'"
out=$(TLSOVERRIDE_GNUTLS_PRIORITY=+NO-SUCH-TOKEN preload gnutls_cli_run)
assert_not_contains "... and gnutls-cli's own string" "$out" "Handshake was completed"
out=$(TLSOVERRIDE_GNUTLS_PRIORITY=+NO-SUCH-TOKEN TLSOVERRIDE_ON_ERROR=ignore preload wget_run)
assert_contains "with on_error = ignore the program runs unmodified" "$out" "exit=0"

out=$($TLSO run --gnutls-priority %NO_TICKETS -- env 2>&1)
assert_contains "run --gnutls-priority sets TLSOVERRIDE_GNUTLS_PRIORITY" "$out" "TLSOVERRIDE_GNUTLS_PRIORITY=%NO_TICKETS"

out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1 preload wget_run)
assert_contains "weakening is loud for GnuTLS programs too" "$out" "the policy weakens TLS for GnuTLS sessions, from the environment"

# --- records -----------------------------------------------------------------------
out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 preload wget_run)
assert_contains "a GnuTLS handshake gets a record, named as OpenSSL names it" "$out" \
    "handshake ok: client wget peer=127.0.0.1:$PORT sni=localhost version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 group=P-256"
out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_MIN_PROTOCOL=TLSv1.3 preload wget_run)
assert_contains "a failed GnuTLS handshake gets a record with the alert" "$out" \
    'handshake FAILED: client wget peer=127.0.0.1:'"$PORT"' sni=localhost alert="error in protocol version" (received)'
assert_contains "... and a hint naming the setting" "$out" \
    'offered=TLSv1.3-TLSv1.3 ciphers=0 hint: no protocol version in common; this side offered TLSv1.3-TLSv1.3: set min_protocol = "TLSv1"'
if [ -z "${SANITIZED:-}" ]; then
    out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FORMAT=json preload git_run)
    assert_contains "git's helper gets a JSON record under its own name" "$out" '"program":"git-remote-https"'
    # libcurl's push and pull functions: no descriptor GnuTLS knows; the only connected TCP socket.
    assert_contains "... with the peer address, though libcurl does its own socket I/O" "$out" '"peer":"127.0.0.1:'"$PORT"'"'
fi

# --- a host rule, by the client's server name ------------------------------------------
cat > "$T/hosts.toml" <<EOF
[policy]
min_protocol = "TLSv1.2"

[[rule]]
name = "billing wants TLSv1.3"
host = "billing.legacy.test"
min_protocol = "TLSv1.3"
EOF
sni_run() {
    timeout 10 gnutls-cli --x509cafile "$CA" --sni-hostname "$1" --verify-hostname "$1" -p "$PORT" 127.0.0.1 </dev/null 2>&1
}
out=$(TLSOVERRIDE_CONFIG=$T/hosts.toml TLSOVERRIDE_LOG_HANDSHAKES=1 preload sni_run billing.legacy.test)
assert_contains "a host rule applies to a GnuTLS client by its server name" "$out" \
    'sni=billing.legacy.test alert="error in protocol version"'
assert_contains "... and its record names the rule" "$out" 'rule="billing wants TLSv1.3"'
out=$(TLSOVERRIDE_CONFIG=$T/hosts.toml preload sni_run modern.test)
assert_contains "another server name gets [policy]" "$out" "Handshake was completed"

# The same rule for a client that sets a priority cache on its session (ldapsearch's
# way): the session's priorities are rebuilt from the cache's string at the server name.
CACHE_CLIENT=$B/tests/gnutls_cache_client
out=$(TLSOVERRIDE_CONFIG=$T/hosts.toml preload "$CACHE_CLIENT" --ca "$CA" --sni billing.legacy.test "$PORT" 2>&1)
assert_contains "a host rule rebuilds a cache-set session's priorities" "$out" "handshake failed"
out=$(TLSOVERRIDE_CONFIG=$T/hosts.toml preload "$CACHE_CLIENT" --ca "$CA" --sni modern.test "$PORT" 2>&1)
assert_contains "... and another name keeps [policy]'s" "$out" "handshake ok TLS1.2"
out=$(TLSOVERRIDE_MODE=enforce TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 preload "$CACHE_CLIENT" --ca "$CA" \
    --priority NORMAL:-VERS-ALL:+VERS-TLS1.3 --sni modern.test "$PORT" 2>&1)
assert_contains "a TLSv1.3-only cache connects under enforce" "$out" "handshake ok TLS1.2"

# --- a cipher list GnuTLS cannot say exactly ------------------------------------------------
cat > "$T/crossed.toml" <<EOF
[policy]
ciphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"
EOF
out=$($TLSO check "$T/crossed.toml" 2>&1); status=$?
assert_eq "check fails on a cipher list without an exact GnuTLS equivalent" "$status" 1
assert_contains "... with a located error naming the setting and the extra suites" "$out" \
    "$T/crossed.toml:2:11: ciphers 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384' has no exact GnuTLS equivalent"
assert_contains "... and the way out" "$out" "write the GnuTLS equivalent as gnutls_priority"
out=$(TLSOVERRIDE_CONFIG=$T/crossed.toml preload gnutls_cli_run)
assert_contains "a GnuTLS program under it fails closed" "$out" "No or insufficient priorities were set"
assert_contains "... and the log names the setting" "$out" "crossed.toml:2:11: ciphers"
printf 'gnutls_priority = "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:-KX-ALL:+ECDHE-RSA"\n' >> "$T/crossed.toml"
out=$($TLSO check "$T/crossed.toml" 2>&1)
assert_contains "gnutls_priority beside it satisfies check, which shows the tokens" "$out" \
    "GnuTLS priority tokens: -CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:-KX-ALL:+ECDHE-RSA"
out=$(TLSOVERRIDE_CONFIG=$T/crossed.toml TLSOVERRIDE_LOG_HANDSHAKES=1 preload gnutls_cli_run)
assert_contains "... and the program connects with them (AES128 first now)" "$out" "cipher=ECDHE-RSA-AES128-GCM-SHA256"

out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 TLSOVERRIDE_CIPHERS=ECDHE+AESGCM $TLSO explain --program wget 2>&1)
assert_contains "explain shows the GnuTLS translation beside the OpenSSL settings" "$out" \
    "GnuTLS programs get these priority tokens (after their string's first keyword): -VERS-TLS1.0:-VERS-TLS1.1:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA"

# A profile translates (to its nearest product) and connects a GnuTLS client.
out=$(printf '[policy]\nprofile = "intermediate"\n' > "$T/profile.toml"; TLSOVERRIDE_CONFIG=$T/profile.toml preload gnutls_cli_run)
assert_contains "the intermediate profile governs a GnuTLS client" "$out" "Handshake was completed"

# --- doctor: yes for GnuTLS programs, and for the helpers git and apt start ----------------
out=$($TLSO doctor wget 2>&1); status=$?
assert_eq "doctor wget: governed (exit 0)" "$status" 0
assert_contains "doctor wget says yes, through GnuTLS" "$out" "yes: wget uses GnuTLS (libgnutls.so.30)"
out=$($TLSO doctor git 2>&1)
assert_contains "doctor git follows git-remote-https" "$out" \
    "yes: git does its TLS in /usr/lib/git-core/git-remote-https: git-remote-https uses GnuTLS (libgnutls.so.30, needed by libcurl-gnutls.so.4)"
out=$($TLSO doctor apt-get 2>&1)
assert_contains "doctor apt-get follows its https method" "$out" "yes: apt-get does its TLS in /usr/lib/apt/methods/http"

# --- never break what it cannot govern: no engine beside the library ----------------------
mkdir -p "$T/alone" && cp "$LIB" "$T/alone/"
out=$(LD_PRELOAD=$T/alone/libtlsoverride.so gnutls_cli_run)
assert_contains "without its engine and without a policy, a GnuTLS program runs unmodified" "$out" "Handshake was completed"
assert_contains "... and says once why it cannot govern" "$out" "cannot load the tlsoverride engine"
out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.3 LD_PRELOAD=$T/alone/libtlsoverride.so gnutls_cli_run)
assert_contains "without its engine, a configured policy fails GnuTLS priorities closed" "$out" "No or insufficient priorities"

# --- gnutls-serv, governed from the server side ----------------------------------------------
# gnutls-serv cannot bind to 127.0.0.1 alone: it runs in a network namespace of its
# own, where the only interface is loopback, with its clients.
if unshare -n true 2>/dev/null; then
    out=$(B=$B LIB=$LIB CERTS=$CERTS T=$T unshare -n bash "$(dirname "$0")/gnutls_server.bash" 2>&1)
    echo "$out" | grep -E '^(ok|not ok|#)'
else
    not_ok "gnutls-serv: cannot make a network namespace (unshare -n) for it"
fi
