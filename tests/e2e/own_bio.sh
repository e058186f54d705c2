# Records carry the peer address also for programs with their own BIO (issue 13):
# OpenSSL knows no descriptor for such a connection (SSL_get_fd is -1), so the record
# names the process's connected TCP socket the connection runs over, when that is
# unambiguous (core/peer.hpp): the only one, or the only one whose kernel byte count
# matches what the connection wrote. git over GnuTLS: tests/e2e/gnutls.sh.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

start_server -tls1_2 || exit 1
FIRST=$PORT
start_server || exit 1
SECOND=$PORT
start_server -tls1_2 || exit 1  # FIRST's twin: a client writes the same bytes to both
TWIN=$PORT

# peers FILE: the peer of each JSON record in FILE, one a line ("-" for none).
peers() { $PY -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") == "handshake": print(r.get("peer") or "-")' "$1"; }
records() {
    rm -f "$T/records.json"
    TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_LOG_FORMAT=json TLSOVERRIDE_LOG_FILE=$T/records.json preload "$@"
}

if [ -z "${SANITIZED:-}" ]; then  # curl deadlocks in setlocale under a preloaded ASan runtime (docs/hardening.md)
    records curl -sk -o /dev/null "https://127.0.0.1:$FIRST/"
    assert_eq "curl (its own BIO): the record has the peer" "$(peers "$T/records.json")" "127.0.0.1:$FIRST"
    records curl -sk -o /dev/null --resolve "own-bio.test:$SECOND:127.0.0.1" "https://own-bio.test:$SECOND/"
    assert_eq "curl --resolve NAME:PORT:127.0.0.1: the record has the peer" "$(peers "$T/records.json")" "127.0.0.1:$SECOND"
fi

# Two connections open at once, each over its own BIO: the byte counts tell them apart.
out=$(records "$B/tests/twobio" "$FIRST" "$SECOND" 2>&1)
assert_contains "twobio: both handshakes succeed" "$out" "2 connected TLSv1.3"
assert_eq "... each record names its own server" "$(peers "$T/records.json" | tr '\n' ' ')" "127.0.0.1:$FIRST 127.0.0.1:$SECOND "
out=$(records "$B/tests/twobio" "$SECOND" "$FIRST" --same 2>&1)
assert_eq "... also when the second handshake ends with the first socket's count unchanged" \
    "$(peers "$T/records.json" | tr '\n' ' ')" "127.0.0.1:$SECOND 127.0.0.1:$FIRST "

# Two sockets that wrote the same bytes: ambiguous, so no address, and debug says why.
out=$(TLSOVERRIDE_LOG=debug records "$B/tests/twobio" "$FIRST" "$TWIN" --same 2>&1)
assert_eq "two identical connections to twin servers: the second record has no peer (ambiguous)" \
    "$(peers "$T/records.json" | tr '\n' ' ')" "127.0.0.1:$FIRST - "
assert_contains "... and the debug log says why" "$(cat "$T/records.json")" \
    "record: no peer address: several connected TCP sockets match the connection's byte count"

# GnuTLS with the program's own push and pull functions and transport pointer (libcurl's
# way): the pointer read back as an int is another connected socket's number here. The
# record must not name that socket's peer; with two sockets open, GnuTLS counting no
# bytes, there is no unambiguous one (tests/clients/gnutls_ownptr.c).
if [ -x "$B/tests/gnutls_ownptr" ] && [ "$(getconf LONG_BIT)" = 64 ]; then
    out=$(records "$B/tests/gnutls_ownptr" --ca "$CERTS/ca.pem" "$FIRST" "$SECOND" 2>&1)
    assert_contains "GnuTLS, own push/pull and pointer: the handshake succeeds" "$out" "handshake ok"
    assert_eq "... and the record names no peer, not the socket its pointer's low bits number" \
        "$(peers "$T/records.json")" "-"
    out=$(records "$B/tests/gnutls_ownptr" --int --ca "$CERTS/ca.pem" "$FIRST" "$SECOND" 2>&1)
    assert_eq "GnuTLS over gnutls_transport_set_int: the record names its socket's peer" \
        "$(peers "$T/records.json")" "127.0.0.1:$SECOND"
fi

# The search never disturbs the program's descriptors: the same connections, the same output.
plain=$("$B/tests/twobio" "$FIRST" "$SECOND" 2>&1)
out=$(records "$B/tests/twobio" "$FIRST" "$SECOND" 2>&1)
assert_eq "the program's output is the same with records on" "$out" "$plain"
