# Enforce without gaps (issue 13): every route a program has to a setting the policy owns,
# and the backstop at each handshake's start; the guest's promises about connection objects.
. "$(dirname "$0")/lib.sh"

start_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || exit 1
MODERN=$PORT
start_server -tls1 -cipher 'DEFAULT:@SECLEVEL=0' || exit 1
LEGACY=$PORT
# enforced [VAR=value...] CMD...: CMD under the library in enforce mode.
enforced() { env TLSOVERRIDE_MODE=enforce TLSOVERRIDE_LOG=error LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$LIB "$@"; }

# SSL_CONF_cmd writes inside libssl, past every setter (nginx, lighttpd, s-nail do this).
out=$("$OLDCLIENT" --conf MaxProtocol=TLSv1.1 "$MODERN" 2>&1)
assert_contains "SSL_CONF_cmd MaxProtocol=TLSv1.1: fails bare against the TLSv1.2 server" "$out" "handshake failed"
out=$(enforced TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 "$OLDCLIENT" --conf MaxProtocol=TLSv1.1 "$MODERN" 2>&1)
assert_contains "... under enforce the policy's range wins at the handshake's start" "$out" "connected TLSv1.2"
out=$(enforced TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 "$OLDCLIENT" --conf Protocol=-TLSv1.2,-TLSv1.3 "$MODERN" 2>&1)
assert_contains "SSL_CONF_cmd Protocol=-TLSv1.2,-TLSv1.3: the versions inside the policy's range stay on" "$out" "connected TLSv1.2"
out=$(enforced TLSOVERRIDE_CIPHERS=ECDHE-RSA-AES128-GCM-SHA256 "$OLDCLIENT" --conf CipherString=AES256-SHA --no-tls1_3 "$MODERN" 2>&1)
assert_contains "SSL_CONF_cmd CipherString: the policy's list is put back" "$out" "connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 TLSOVERRIDE_LOG=error preload "$OLDCLIENT" --conf MaxProtocol=TLSv1.1 "$MODERN" 2>&1)
assert_contains "... while in default mode the program's SSL_CONF choice stands" "$out" "handshake failed"

# @SECLEVEL inside the program's cipher string sets the security level.
out=$(enforced TLSOVERRIDE_SECURITY_LEVEL=2 "$OLDCLIENT" --ciphers 'DEFAULT:@SECLEVEL=0' --show "$MODERN" 2>&1)
assert_contains "a program's @SECLEVEL=0 does not lower an enforced security level 2" "$out" "security level 2 "
out=$(enforced TLSOVERRIDE_SECURITY_LEVEL=2 "$OLDCLIENT" --conf 'CipherString=DEFAULT:@SECLEVEL=0' --show "$MODERN" 2>&1)
assert_contains "... nor does one through SSL_CONF_cmd" "$out" "security level 2 "

# A version number the library does not know (SSL 3) must not drop an enforced floor.
out=$("$OLDCLIENT" --min-raw 0x300 --seclevel 0 "$LEGACY" 2>&1)
assert_contains "control: with SSL_CTX_set_min_proto_version(SSL3_VERSION) and level 0 the TLSv1 server is reachable" "$out" "connected TLSv1"
out=$(enforced TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 "$OLDCLIENT" --min-raw 0x300 --seclevel 0 "$LEGACY" 2>&1)
assert_contains "... under an enforced TLSv1.2 floor it is not" "$out" "handshake failed"

# Clearing an option the policy set.
opts() { printf '%s\n' "$1" | sed -n 's/.* options 0x\([0-9a-f]*\) context.*/\1/p' | head -1; }
context_opts() { printf '%s\n' "$1" | sed -n 's/.*context options 0x\([0-9a-f]*\).*/\1/p' | head -1; }
out=$(enforced TLSOVERRIDE_OPTIONS=UnsafeLegacyServerConnect "$OLDCLIENT" --clear-options 4 --show "$MODERN" 2>&1)
[ $(( 0x$(context_opts "$out") & 4 )) -eq 4 ]; assert_eq "SSL_CTX_clear_options cannot clear an option the policy set (UnsafeLegacyServerConnect)" "$?" "0"
[ $(( 0x$(opts "$out") & 4 )) -eq 4 ]; assert_eq "... on its connections either" "$?" "0"
out=$(TLSOVERRIDE_OPTIONS=UnsafeLegacyServerConnect TLSOVERRIDE_LOG=error preload "$OLDCLIENT" --clear-options 4 --show "$MODERN" 2>&1)
[ $(( 0x$(opts "$out") & 4 )) -eq 0 ]; assert_eq "... in default mode the program may" "$?" "0"

# A library bound with RTLD_DEEPBIND (php's curl extension) calls libssl directly: the
# context still gets the policy (libssl's SSL_CTX_new calls SSL_CTX_new_ex through its
# PLT; OpenSSL 3 only), and the backstop undoes its direct SSL_CTX_set_max_proto_version.
cat > "$T/deep.c" <<'C'
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
int deep_connect(int port) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return printf("context creation failed\n"), 2;
    SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) return 2;
    SSL *s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    if (SSL_connect(s) == 1) printf("connected %s\n", SSL_get_version(s)); else printf("handshake failed\n");
    return 0;
}
C
cat > "$T/deepmain.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_DEEPBIND);
    if (!h) return printf("%s\n", dlerror()), 2;
    int (*run)(int) = (int (*)(int))dlsym(h, "deep_connect");
    return run(atoi(argv[2]));
}
C
# The program links libssl itself, as php does (its openssl extension): libssl is in the
# global scope, and its own calls between its functions go through the preload.
cc -shared -fPIC -o "$T/libdeep.so" "$T/deep.c" -lssl -lcrypto &&
    cc -o "$T/deepmain" "$T/deepmain.c" -ldl -Wl,--no-as-needed -lssl -lcrypto
if [ -n "${SANITIZED:-}" ]; then
    echo "# skip RTLD_DEEPBIND under the sanitizers: their runtime refuses a DEEPBIND dlopen"
else
    out=$("$T/deepmain" "$T/libdeep.so" "$MODERN" 2>&1)
    assert_contains "control: the RTLD_DEEPBIND library pinned to TLSv1 fails bare" "$out" "handshake failed"
    out=$(enforced TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 "$T/deepmain" "$T/libdeep.so" "$MODERN" 2>&1)
    assert_contains "... and connects under enforce, although its calls bind to libssl directly" "$out" "connected TLSv1.2"
fi

# Connection objects: SSL_dup copies our state, a reused object gets a record per handshake.
printf '[[rule]]\nhost = ["modern.test"]\nciphers = "ECDHE-RSA-AES128-GCM-SHA256"\n' > "$T/host-rule.toml"
out=$(TLSOVERRIDE_CONFIG=$T/host-rule.toml TLSOVERRIDE_LOG_HANDSHAKES=1 preload "$OLDCLIENT" --sni modern.test --dup "$MODERN" 2>&1; echo "status $?")
assert_contains "SSL_dup of a connection with tlsoverride's state: no double free" "$out" "status 0"
out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 preload "$OLDCLIENT" --count 3 --reuse "$MODERN" 2>&1)
assert_contains "control: three handshakes on one reused connection object" "$out" "3 handshakes, 0 failed"
assert_eq "... three records" "$(printf '%s\n' "$out" | grep -c 'handshake ok')" "3"

# DTLS is not governed, and that is said once.
out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 preload "$OLDCLIENT" --method dtls --count 2 "$MODERN" 2>&1)
assert_eq "a DTLS context is left alone and that is said once" \
    "$(printf '%s\n' "$out" | grep -c 'DTLS contexts are left as the program made them')" "1"

# SSL_CTX_set_ssl_version resets both cipher lists: the policy's go back on. The server
# prefers AES256-SHA, which OpenSSL's default list offers and the policy's does not.
start_server -tls1_2 -serverpref -cipher 'AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256' || exit 1
PREFERS=$PORT
out=$("$OLDCLIENT" --set-method tls1_2 "$PREFERS" 2>&1)
assert_contains "control: on OpenSSL's default list the server picks AES256-SHA" "$out" "connected TLSv1.2 AES256-SHA"
out=$(enforced TLSOVERRIDE_CIPHERS=ECDHE-RSA-AES128-GCM-SHA256 "$OLDCLIENT" --set-method tls1_2 "$PREFERS" 2>&1)
assert_contains "after SSL_CTX_set_ssl_version the policy's list is what is offered" "$out" "connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"

# A policy never enables anonymous suites: a verifying client must not accept a server
# with no certificate, whatever the policy's cipher list says. And @SECLEVEL=0 in it is loud.
start_server -nocert -tls1_2 -cipher 'aNULL:@SECLEVEL=0' || exit 1
ANON=$PORT
out=$(TLSOVERRIDE_CIPHERS='ALL:COMPLEMENTOFALL:@SECLEVEL=0' TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 preload "$OLDCLIENT" \
    --verify "$CERTS/ca.pem" "$ANON" 2>&1)
assert_contains "a policy of ALL:COMPLEMENTOFALL:@SECLEVEL=0 does not let a verifying client accept an anonymous server" \
    "$out" "handshake failed"
assert_contains "... and its @SECLEVEL=0 is a weakening, said as one" "$out" "security level 0 (@SECLEVEL=0 in ciphers from environment)"
printf '[policy]\nciphers = "ALL:COMPLEMENTOFALL:@SECLEVEL=0"\n' > "$T/anon.toml"
out=$("$TLSO" check "$T/anon.toml" 2>&1)
assert_contains "check says when a policy's list would have enabled anonymous or null-encryption suites" "$out" \
    "anon.toml:2:11: ciphers 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' would enable"
