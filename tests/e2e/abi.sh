# Every ABI the library meets (issue 11): OpenSSL 1.1.1 (64- and 32-bit) and 3.x behave the
# same under it; a process on anything else runs exactly as without it; stage 1 never
# loads code it should not, and only one copy acts. (core.sh, config.sh, observe.sh and
# security.sh also run again per ABI: tests/run.)
. "$(dirname "$0")/lib.sh"

start_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || exit 1
MODERN=$PORT

# abi_lib CLIENT: the library of the client's class.
abi_lib() { case "$1" in *-i386) echo "$B/i386/libtlsoverride.so" ;; *) echo "$LIB" ;; esac; }

for client in oldclient-1.1 oldclient-1.1-i386 oldclient-3-i386; do
    c=$B/legacy/bin/$client
    if [ ! -x "$c" ] || [ ! -f "$(abi_lib "$client")" ]; then echo "# skip $client: not built (make legacy)"; continue; fi
    lib=$(abi_lib "$client")
    with() { LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$lib "$@"; }
    # No policy: byte for byte what the program does alone, success and failure alike.
    for flags in "" "--method tls1"; do
        bare=$("$c" $flags "$MODERN" 2>&1; echo "status $?")
        under=$(with "$c" $flags "$MODERN" 2>&1; echo "status $?")
        assert_eq "$client ${flags:-(defaults)}: with no policy, output and status are exactly as without the library" "$under" "$bare"
    done
    out=$("$c" --method tls1 "$MODERN" 2>&1)
    assert_contains "$client: the pinned TLSv1 client fails bare against the TLSv1.2-only server" "$out" "handshake failed"
    out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 with "$c" --method tls1 "$MODERN" 2>&1)
    assert_eq "$client: ... and connects with TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2" "$out" "connected TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
    printf '[policy]\nmin_protocol = "TLSv1.3"\n' > "$T/tls13.toml"
    out=$(TLSOVERRIDE_CONFIG=$T/tls13.toml with "$c" "$MODERN" 2>&1)
    assert_contains "$client: ... and is refused under min_protocol = \"TLSv1.3\"" "$out" "handshake failed"
    out=$(TLSOVERRIDE_MODE=enforce TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 with "$c" --no-tls1_2 --no-tls1_3 "$MODERN" 2>&1)
    assert_contains "$client: enforce keeps TLSv1.2 on against the program's SSL_CTX_set_options (32-bit options ABI)" "$out" "connected TLSv1.2"
    out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv9 TLSOVERRIDE_LOG=off with "$c" "$MODERN" 2>&1)
    assert_contains "$client: a bad policy fails closed with tlsoverride's error on the OpenSSL queue" "$out" \
        "tlsoverride configuration is invalid; the tlsoverride log line names the setting"
    out=$(TLSOVERRIDE_ON_ERROR=ignore TLSOVERRIDE_MIN_PROTOCOL=TLSv9 TLSOVERRIDE_LOG=off with "$c" --method tls1 "$MODERN" 2>&1)
    assert_contains "$client: on_error=ignore runs it unmodified" "$out" "handshake failed"
done

# Two OpenSSLs in one process: a program on one loads a plugin built for the other. Both
# libraries' callers bind to the wrappers; each call must reach its caller's library
# (preload/other_libssl.hpp): passed to the other one, it was a crash (exit 139) even with
# no policy. The first libssl the process uses is governed; the other's calls pass through.
L11=$B/legacy/openssl-1.1-amd64/usr
if [ -d "$L11/lib/x86_64-linux-gnu" ] && [ -z "${SANITIZED:-}" ]; then
    mkdir -p "$T/mixed"
    cat > "$T/mixed/handshake.c" <<'EOC'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
/* One handshake to 127.0.0.1:PORT with this object's OpenSSL; prints WHO: VERSION CIPHER. */
int handshake(const char *who, int port) {
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c) { printf("%s: no context\n", who); return 1; }
    SSL_CTX_set_cipher_list(c, "ALL");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { printf("%s: no connection\n", who); return 1; }
    SSL *s = SSL_new(c);
    SSL_set_fd(s, fd);
    int ok = SSL_connect(s) == 1;
    if (ok) printf("%s: %s %s\n", who, SSL_get_version(s), SSL_get_cipher_name(s));
    else printf("%s: handshake failed\n", who);
    SSL_free(s); SSL_CTX_free(c); close(fd);
    return !ok;
}
EOC
    cat > "$T/mixed/main.c" <<'EOC'
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int handshake(const char *who, int port);
int main(int argc, char **argv) {
    int port = atoi(argv[2]);
    int bad = handshake("program", port);
    void *plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!plugin) { printf("dlopen: %s\n", dlerror()); return 1; }
    int (*run)(const char *, int) = (int (*)(const char *, int))dlsym(plugin, "handshake");
    bad |= run("plugin", port);
    return bad;
}
EOC
    # program on 3 with a 1.1.1 plugin, and program on 1.1.1 with a plugin on 3
    old="-I$L11/include/x86_64-linux-gnu -I$L11/include -L$L11/lib/x86_64-linux-gnu -Wl,--disable-new-dtags,-rpath,$L11/lib/x86_64-linux-gnu"
    if cc -Wno-deprecated-declarations -shared -fPIC -o "$T/mixed/plugin11.so" "$T/mixed/handshake.c" $old -lssl -lcrypto &&
       cc -o "$T/mixed/main3" "$T/mixed/main.c" "$T/mixed/handshake.c" -lssl -lcrypto -ldl &&
       cc -shared -fPIC -o "$T/mixed/plugin3.so" "$T/mixed/handshake.c" -lssl -lcrypto &&
       cc -Wno-deprecated-declarations -o "$T/mixed/main11" "$T/mixed/main.c" "$T/mixed/handshake.c" $old -lssl -lcrypto -ldl; then
        for pair in "main3 plugin11.so" "main11 plugin3.so"; do
            set -- $pair
            bare=$("$T/mixed/$1" "$T/mixed/$2" "$MODERN" 2>&1; echo "status $?")
            under=$(preload "$T/mixed/$1" "$T/mixed/$2" "$MODERN" 2>&1; echo "status $?")
            assert_eq "two OpenSSLs ($1 with $2), no policy: output and status exactly as without the library" "$under" "$bare"
            printf '[policy]\nciphers = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"\n' > "$T/mixed/policy.toml"
            out=$(TLSOVERRIDE_CONFIG=$T/mixed/policy.toml TLSOVERRIDE_MAX_PROTOCOL=TLSv1.2 preload "$T/mixed/$1" "$T/mixed/$2" "$MODERN" 2>&1; echo "status $?")
            assert_contains "... with a policy: both handshakes, the program's governed" "$out" "program: TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
            assert_contains "... and the plugin's through its own library" "$out" "plugin: TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
            assert_contains "... which is said once" "$out" "this process has a second OpenSSL; calls into it pass through unmodified"
            assert_contains "... and nothing crashed" "$out" "status 0"
        done
    else
        not_ok "two OpenSSLs in one process: the test program and plugins did not build"
    fi
fi

# A program whose "OpenSSL" is not one tlsoverride governs: GnuTLS's OpenSSL compatibility
# layer exports SSL_CTX_new and SSL_connect, but no OpenSSL_version_num and little else.
GOC=$B/tests/gnutls_openssl_client
bare=$("$GOC" "$MODERN" 2>&1; echo "status $?")
under=$(preload "$GOC" "$MODERN" 2>&1; echo "status $?")
assert_eq "a program on libgnutls-openssl runs exactly as without the library (no policy)" "$under" "$bare"
under=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 preload "$GOC" "$MODERN" 2>"$T/goc.err"; echo "status $?")
assert_eq "... and with a policy it cannot apply, its calls still pass through" "$under" "$bare"
assert_contains "... which it says once" "$(cat "$T/goc.err")" "is not one tlsoverride governs (it needs OpenSSL 3.x or 1.1.1); running unmodified"
assert_eq "... once" "$(grep -c 'not one tlsoverride governs' "$T/goc.err")" "1"
out=$("$TLSO" doctor "$GOC" 2>&1)
assert_contains "doctor says no for it, and why" "$out" "no: libgnutls-openssl.so.27"

# doctor on each ABI: yes for 1.1.1 (and says the class), no for an OpenSSL older than 1.1.1.
if [ -x "$B/legacy/bin/oldclient-1.1-i386" ]; then
    out=$("$TLSO" doctor "$B/legacy/bin/oldclient-1.1-i386" 2>&1)
    assert_contains "doctor: a 32-bit OpenSSL 1.1.1 program is governed" "$out" "yes: "
    assert_contains "... it names the class" "$out" "ELF: 32-bit i386"
    assert_contains "... and the library of that class" "$out" "library of its class: "
fi
# An OpenSSL 1.0.2 program, as doctor sees it from the files: a libssl.so.1.0.2 it needs.
mkdir -p "$T/old102"
printf 'int SSL_library_init(void) { return 1; }\n' > "$T/old102/ssl.c"
cc -shared -fPIC -Wl,-soname,libssl.so.1.0.2 -o "$T/old102/libssl.so.1.0.2" "$T/old102/ssl.c"
printf 'int SSL_library_init(void);\nint main(void) { return !SSL_library_init(); }\n' > "$T/old102/main.c"
cc -o "$T/old102/prog" "$T/old102/main.c" "$T/old102/libssl.so.1.0.2" -Wl,-rpath,"$T/old102"
out=$("$TLSO" doctor "$T/old102/prog" 2>&1)
assert_contains "doctor says no for an OpenSSL 1.0.x program, and why" "$out" \
    "no: $T/old102/prog uses libssl.so.1.0.2, an OpenSSL older than 1.1.1"

# The engine comes only from the directory the library was loaded from, fixed when it was
# loaded: a program that changes directory before its first TLS call, under a relative
# LD_PRELOAD, must not load a planted engine from its new working directory.
mkdir -p "$T/planted" "$T/run/lib"
cp "$LIB" "$B/libtlsoverride-engine.so" "$T/run/lib/"
printf '#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void planted(void) { close(open("%s/ran", O_CREAT | O_WRONLY, 0644)); }\n' \
    "$T/planted" > "$T/planted/engine.c"
cc -shared -fPIC -o "$T/planted/libtlsoverride-engine.so" "$T/planted/engine.c"
mkdir -p "$T/planted/lib" && cp "$T/planted/libtlsoverride-engine.so" "$T/planted/lib/"
out=$(cd "$T/run" && TLSOVERRIDE_MODE=enforce TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 LD_PRELOAD=lib/libtlsoverride.so /usr/bin/python3 -c "
import os, socket, ssl, warnings
warnings.simplefilter('ignore')
os.chdir('$T/planted')
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_1
with socket.create_connection(('127.0.0.1', $MODERN)) as s:
    try:
        with ctx.wrap_socket(s) as t: print('connected', t.version())
    except ssl.SSLError as e: print('handshake failed', e.reason)
" 2>&1)
[ ! -e "$T/planted/ran" ]; assert_eq "a relative LD_PRELOAD never loads an engine from the program's new working directory" "$?" "0"
assert_contains "... the real engine was loaded and applied the policy" "$out" "connected TLSv1.2"

# Listed twice in LD_PRELOAD (a nested run, two installs): only the first copy acts.
mkdir -p "$T/second"
cp "$LIB" "$B/libtlsoverride-engine.so" "$T/second/"
out=$(TLSOVERRIDE_LOG_HANDSHAKES=1 LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$LIB:$T/second/libtlsoverride.so \
    "$OLDCLIENT" "$MODERN" 2>&1)
assert_eq "two copies in LD_PRELOAD write one record per handshake" "$(printf '%s\n' "$out" | grep -c 'handshake ok')" "1"
out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 TLSOVERRIDE_LOG=info LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$LIB:$T/second/libtlsoverride.so \
    "$OLDCLIENT" --method tls1 "$MODERN" 2>&1)
assert_eq "... and apply the policy once" "$(printf '%s\n' "$out" | grep -c 'client context:')" "1"
assert_contains "... which works" "$out" "connected TLSv1.2"

# Without the engine: a configured policy fails closed; without one the program runs as is.
mkdir -p "$T/alone"
cp "$LIB" "$T/alone/"
out=$(TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$T/alone/libtlsoverride.so "$OLDCLIENT" --method tls1 "$MODERN" 2>&1)
assert_contains "without its engine, a configured policy fails context creation closed" "$out" "context creation failed"
assert_contains "... and says why" "$out" "cannot load the tlsoverride engine"
bare=$("$OLDCLIENT" "$MODERN" 2>&1; echo "status $?")
under=$(LD_PRELOAD=${PRELOAD_FIRST:+$PRELOAD_FIRST:}$T/alone/libtlsoverride.so "$OLDCLIENT" "$MODERN" 2>&1; echo "status $?")
assert_contains "without its engine and without a policy, the program runs as without the library" "$under" "${bare%status*}"
