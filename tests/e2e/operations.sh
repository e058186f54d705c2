# Operations: tlsoverride run, doctor, make install / uninstall, the man pages.
# Real programs, a real s_server on 127.0.0.1, real installs into temporary trees.
# shellcheck disable=SC2016  # the single-quoted $VARs are for the child shells to expand
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
LIB_REAL=$(readlink -f "$LIB")
MULTIARCH=$(cc -print-multiarch 2>/dev/null)

# make without the parent make's jobserver flags (tests/run is started from make test).
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$REPO" "$@"; }

# capture CMD...: runs CMD; its combined output goes to $OUT, its exit status to $STATUS.
capture() { OUT=$("$@" 2>&1); STATUS=$?; }

start_server -tls1_2 || exit 1

# --- run: the overrideDefaultTLS story -----------------------------------------------
out=$("$OLDCLIENT" --method tls1 "$PORT" 2>&1)
assert_contains "without run, the TLSv1-pinned client fails against a TLSv1.2-only server" "$out" "handshake failed"
out=$("$TLSO" run --min-protocol TLSv1.2 -- "$OLDCLIENT" --method tls1 "$PORT" 2>&1)
assert_contains "run --min-protocol TLSv1.2 makes the TLSv1-pinned client connect with TLSv1.2" "$out" "connected TLSv1.2"
out=$("$TLSO" run --min-protocol=TLSv1.2 "$OLDCLIENT" --method tls1 "$PORT" 2>&1)
assert_contains "run accepts --flag=VALUE and a COMMAND without --" "$out" "connected TLSv1.2"

# --- run: every flag becomes its variable ---------------------------------------------
out=$("$TLSO" run --min-protocol TLSv1.2 --max-protocol=TLSv1.3 --ciphers 'ECDHE+AESGCM' \
    --ciphersuites=TLS_AES_128_GCM_SHA256 --groups X25519:P-256 --signature-algorithms=RSA+SHA256 \
    --security-level 1 --options=UnsafeLegacyServerConnect --mode enforce --on-error=ignore --log info \
    --log-file=/tmp/tlso.log --log-format json --log-handshakes=1 --config /etc/tlso-test.toml -- env 2>&1)
for pair in TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 TLSOVERRIDE_MAX_PROTOCOL=TLSv1.3 TLSOVERRIDE_CIPHERS=ECDHE+AESGCM \
    TLSOVERRIDE_CIPHERSUITES=TLS_AES_128_GCM_SHA256 TLSOVERRIDE_GROUPS=X25519:P-256 \
    TLSOVERRIDE_SIGNATURE_ALGORITHMS=RSA+SHA256 TLSOVERRIDE_SECURITY_LEVEL=1 \
    TLSOVERRIDE_OPTIONS=UnsafeLegacyServerConnect TLSOVERRIDE_MODE=enforce TLSOVERRIDE_ON_ERROR=ignore \
    TLSOVERRIDE_LOG=info TLSOVERRIDE_LOG_FILE=/tmp/tlso.log TLSOVERRIDE_LOG_FORMAT=json \
    TLSOVERRIDE_LOG_HANDSHAKES=1 TLSOVERRIDE_CONFIG=/etc/tlso-test.toml; do
    assert_contains "run sets ${pair%%=*}" "$out" "$pair"
done
out=$("$TLSO" run --log-handshakes sh -c 'echo "$TLSOVERRIDE_LOG_HANDSHAKES"' 2>&1)
assert_eq "a bare --log-handshakes means true and does not swallow COMMAND" "$out" "true"
mkdir -p "$T/cwd" && printf '[policy]\nmin_protocol = "TLSv1.2"\n' >"$T/cwd/policy.toml"
out=$(cd "$T/cwd" && "$TLSO" run --config policy.toml --log-file=tls.log -- sh -c 'echo "$TLSOVERRIDE_CONFIG $TLSOVERRIDE_LOG_FILE"' 2>&1)
here=$(cd "$T/cwd" && pwd -P)
assert_eq "relative --config and --log-file are made absolute (COMMAND may change directory)" "$out" "$here/policy.toml $here/tls.log"

# --- run: LD_PRELOAD ----------------------------------------------------------------
echo 'void tlso_marker(void) {}' | cc -shared -fPIC -x c - -o "$T/marker.so"
out=$("$TLSO" run -- sh -c 'echo "$LD_PRELOAD"' 2>&1)
assert_eq "run puts the library, by absolute path, in LD_PRELOAD" "$out" "$LIB_REAL"
out=$(LD_PRELOAD="$T/marker.so" "$TLSO" run -- sh -c 'echo "$LD_PRELOAD"' 2>&1)
assert_eq "an existing LD_PRELOAD entry is kept, after the library" "$out" "$LIB_REAL:$T/marker.so"
out=$(LD_PRELOAD="$T/marker.so" "$TLSO" run -- sh -c 'tr "\0" "\n" </proc/$$/environ | grep ^LD_PRELOAD=' 2>&1)
assert_eq "the child's real environment (/proc/PID/environ) has both entries" "$out" "LD_PRELOAD=$LIB_REAL:$T/marker.so"
out=$(LD_PRELOAD="$T/marker.so" "$TLSO" run -- "$TLSO" run --log info -- sh -c 'echo "$LD_PRELOAD"' 2>&1)
assert_eq "a nested run does not add the library twice" "$out" "$LIB_REAL:$T/marker.so"
# (stderr dropped: ld.so complains that tlsoverride itself cannot preload the missing copy)
out=$(LD_PRELOAD="/opt/elsewhere/libtlsoverride.so $T/marker.so" "$TLSO" run -- sh -c 'echo "$LD_PRELOAD"' 2>/dev/null)
assert_eq "another copy of libtlsoverride.so is replaced, not loaded twice (space-separated list)" "$out" "$LIB_REAL:$T/marker.so"
out=$("$TLSO" run --min-protocol TLSv1.2 -- sh -c 'sh -c "echo \$LD_PRELOAD \$TLSOVERRIDE_MIN_PROTOCOL"' 2>&1)
assert_eq "grandchildren inherit the library and the settings" "$out" "$LIB_REAL TLSv1.2"

# --- run: exit statuses and refusals -----------------------------------------------------
capture "$TLSO" run -- sh -c 'exit 7'
assert_eq "COMMAND's exit status 7 passes through" "$STATUS" 7
capture "$TLSO" run -- tlso-no-such-command
assert_eq "a missing command exits 127" "$STATUS" 127
assert_contains "a missing command is named, with PATH" "$OUT" "tlso-no-such-command: command not found in PATH"
capture "$TLSO" run -- "$T/nothing-here"
assert_eq "a missing path exits 127" "$STATUS" 127
cp /bin/true "$T/setuid-true" && chmod u+s "$T/setuid-true"
capture "$TLSO" run -- "$T/setuid-true"
assert_eq "a setuid program is refused (exit 126)" "$STATUS" 126
assert_contains "the refusal gives the reason" "$OUT" "refusing to run $T/setuid-true: it is setuid"
assert_contains "the refusal explains why ld.so makes it pointless" "$OUT" "ld.so ignores LD_PRELOAD"
cp /bin/true "$T/setgid-true" && chmod g+s "$T/setgid-true"
capture "$TLSO" run -- "$T/setgid-true"
assert_eq "a setgid program is refused" "$STATUS" 126
if command -v setcap >/dev/null && cp /bin/true "$T/cap-true" && setcap cap_net_raw+ep "$T/cap-true" 2>/dev/null; then
    capture "$TLSO" run -- "$T/cap-true"
    assert_eq "a file-capability program is refused" "$STATUS" 126
    assert_contains "the refusal names the capability attribute" "$OUT" "security.capability"
else
    echo "# skip file capabilities: setcap unavailable or not permitted here"
fi
capture "$TLSO" run --min-protcol TLSv1.2 -- true
assert_eq "an unknown flag is a usage error (2)" "$STATUS" 2
assert_contains "the unknown flag is named" "$OUT" "unknown flag '--min-protcol'"
capture "$TLSO" run --min-protocol
assert_eq "a flag without its value is a usage error" "$STATUS" 2
capture "$TLSO" run --log info
assert_eq "no COMMAND is a usage error" "$STATUS" 2
capture "$TLSO" run --help
assert_eq "run --help exits 0" "$STATUS" 0
assert_contains "run --help has the usage line" "$OUT" "usage: tlsoverride run [FLAGS] [--] COMMAND [ARGS...]"
assert_contains "run --help has one line per flag" "$OUT" "--signature-algorithms LIST"
assert_contains "run --help has an example" "$OUT" "example: tlsoverride run"
out=$("$TLSO" run --version 2>&1)
assert_contains "run --version names the library it would preload" "$out" "library: $LIB_REAL"

# --- the command is never governed by its own library ---------------------------------
# The README's way 3 (export LD_PRELOAD) and the systemd drop-in put the library into
# tlsoverride itself. It restarts without it: probe and check give their normal answers.
start_server -tls1 -cipher 'DEFAULT:@SECLEVEL=0' || exit 1
TLS1_PORT=$PORT
start_server -tls1_2 || exit 1   # PORT is the TLSv1.2 server again for the rest
out=$(LD_PRELOAD="$LIB_REAL" TLSOVERRIDE_MODE=enforce TLSOVERRIDE_MIN_PROTOCOL=TLSv1.2 "$TLSO" probe "127.0.0.1:$TLS1_PORT" 2>&1)
assert_contains "with LD_PRELOAD and a TLSv1.2 floor exported, probe still sees the TLSv1 server accept TLSv1" "$out" "TLSv1     yes"
printf '[policy]\nciphers = "NOPE-NOPE"\n' >"$T/bad-ciphers.toml"
capture env LD_PRELOAD="$LIB_REAL:$T/marker.so" TLSOVERRIDE_CONFIG="$T/bad-ciphers.toml" "$TLSO" check "$T/bad-ciphers.toml"
assert_eq "with LD_PRELOAD and the bad file exported, check exits 1" "$STATUS" 1
assert_contains "with LD_PRELOAD exported, check still reports OpenSSL's own verdict, located" "$OUT" \
    "bad-ciphers.toml:2:11: ciphers 'NOPE-NOPE' rejected by OpenSSL: no cipher match"
assert_not_contains "with LD_PRELOAD exported, check's own OpenSSL is not failed closed" "$OUT" "could not create a context"
out=$(LD_PRELOAD="$LIB_REAL:$T/marker.so" "$TLSO" run -- sh -c 'echo "$LD_PRELOAD"' 2>&1)
assert_eq "the restart keeps the rest of LD_PRELOAD, and run adds the library back for COMMAND" "$out" "$LIB_REAL:$T/marker.so"
out=$(LD_PRELOAD="$LIB_REAL" TLSOVERRIDE_MIN_PROTOCOL=TLSv1.3 "$TLSO" explain 2>&1)
assert_contains "with LD_PRELOAD exported, explain answers" "$out" "from environment TLSOVERRIDE_MIN_PROTOCOL"

# --- one command-line grammar -------------------------------------------------------------
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
capture "$TLSO" run --log-handshakes yes -- sh -c 'echo started'
assert_eq "run --log-handshakes yes -- CMD is a usage error, not a run of 'yes'" "$STATUS" 2
assert_contains "the switch error says how to give it a value" "$OUT" "write --log-handshakes=yes"
out=$("$TLSO" run --log-handshakes=no -- sh -c 'echo "$TLSOVERRIDE_LOG_HANDSHAKES"' 2>&1)
assert_eq "a switch takes its value with =" "$out" "no"
capture "$TLSO" run --min-protocol TLS1.2 -- sh -c 'echo started'
assert_eq "run checks the settings first: --min-protocol TLS1.2 is a usage error (2)" "$STATUS" 2
assert_contains "the typo gets the contract's message, named by its flag" "$OUT" \
    "tlsoverride run: --min-protocol: unknown protocol version 'TLS1.2' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3; did you mean TLSv1.2?)"
assert_not_contains "the program is not started with a bad flag value" "$OUT" "started"
capture "$TLSO" run --ciphers NOPE-NOPE -- sh -c 'echo started'
assert_contains "run checks values with OpenSSL before starting" "$OUT" "--ciphers: ciphers 'NOPE-NOPE' rejected by OpenSSL"
capture "$TLSO" run --config "$T/bad-ciphers.toml" -- sh -c 'echo started'
assert_eq "a bad configuration file (on_error = fail): run exits 125 without starting COMMAND" "$STATUS" 125
assert_contains "the file's error is located" "$OUT" "bad-ciphers.toml:2:11: ciphers 'NOPE-NOPE' rejected by OpenSSL"
assert_not_contains "a bad configuration file: COMMAND is not started" "$OUT" "started"
capture "$TLSO" run --config "$T/bad-ciphers.toml" --on-error ignore -- sh -c 'echo started'
assert_contains "with on_error = ignore, run warns and starts COMMAND" "$OUT" "started"
if printf 'int main(void) { return 0; }\n' | cc -static -x c - -o "$T/static-true" 2>/dev/null; then
    capture "$TLSO" run -- "$T/static-true"
    assert_eq "a static program still runs" "$STATUS" 0
    assert_eq "a static program gets a one-line warning" "$OUT" \
        "tlsoverride run: warning: static-true is statically linked: LD_PRELOAD has no effect on it (programs it starts are still governed)"
    capture "$TLSO" run -q -- "$T/static-true"
    assert_eq "run -q: no warning" "$OUT" ""
else
    echo "# skip static warning: cc -static unavailable"
fi
if printf 'int main(void) { return 0; }\n' | cc -m32 -x c - -o "$T/true32" 2>/dev/null; then
    capture "$TLSO" run -q --log-handshakes -- "$T/true32"
    assert_not_contains "run -q with a switch after it: a 32-bit program runs without run's warning (ld.so still complains)" "$OUT" "tlsoverride run: warning"
    capture "$TLSO" run -- "$T/true32"
    assert_contains "a 32-bit program gets the wrong-class warning" "$OUT" "another class than this tlsoverride"
else
    echo "# skip wrong-class warning: no 32-bit toolchain"
fi
cp /bin/true "$T/fake-go" && printf '\377 Go buildinf:\010\002go1.21.5\000' >>"$T/fake-go"
capture "$TLSO" run -- "$T/fake-go"
assert_contains "a Go program gets a warning naming Go's crypto/tls" "$OUT" "fake-go is a Go program"
assert_contains "doctor says the same of a Go program" "$("$TLSO" doctor "$T/fake-go" 2>&1)" "is a Go program: Go's crypto/tls is not OpenSSL"
out=$("$TLSO" run -- true 2>&1)
assert_eq "a dynamic program without TLS of its own gets no warning" "$out" ""
for cmd in check explain doctor probe; do
    capture "$TLSO" $cmd --bogus
    assert_eq "$cmd: an unknown flag is a usage error (2)" "$STATUS" 2
    assert_contains "$cmd: the unknown flag is named with the command" "$OUT" "tlsoverride $cmd: unknown flag '--bogus'"
    capture "$TLSO" $cmd --version
    assert_eq "$cmd --version exits 0" "$STATUS" 0
    capture "$TLSO" $cmd --help
    assert_contains "$cmd --help has a usage line" "$OUT" "usage: tlsoverride $cmd"
done
capture "$TLSO" explain --hots x
assert_contains "a misspelt flag gets the nearest name" "$OUT" "did you mean '--host'?"
printf 'mode = "enforce"\n[policy]\nmin_protocol = "TLSv1.2"\n[[rule]]\nname = "old"\nhost = ["*.old.test"]\nmin_protocol = "TLSv1"\nsecurity_level = 0\n' >"$T/good.toml"
out=$("$TLSO" check --json "$T/good.toml")
assert_eq "check --json (flag before FILE): ok, and the policy's value with its file position" \
    "$(printf '%s' "$out" | json 'd["ok"], d["policy"]["min_protocol"]["value"], d["policy"]["min_protocol"]["at"].endswith("good.toml:3:16")')" \
    "True TLSv1.2 True"
assert_eq "check --json: rules with their conditions and settings" \
    "$(printf '%s' "$out" | json 'd["rules"][0]["name"], d["rules"][0]["host"], d["rules"][0]["settings"]["security_level"]["value"], d["process"]["mode"]["value"]')" \
    "old ['*.old.test'] 0 enforce"
capture "$TLSO" check "$T/bad-ciphers.toml" --json
assert_eq "check FILE --json on a bad file exits 1" "$STATUS" 1
assert_eq "check --json lists the errors as where and message" \
    "$(printf '%s' "$OUT" | json 'd["ok"], d["errors"][0]["where"].endswith("bad-ciphers.toml:2:11"), "rejected by OpenSSL" in d["errors"][0]["message"]')" \
    "False True True"
out=$("$TLSO" explain --config="$T/good.toml" --host a.old.test --role=client --json)
assert_eq "explain --json: the matching rule and where each value comes from; null when left to the program" \
    "$(printf '%s' "$out" | json 'd["rule"]["name"], d["settings"]["min_protocol"]["value"], d["settings"]["min_protocol"]["from"], d["settings"]["ciphers"], d["case"]["role"]')" \
    "old TLSv1 rule \"old\" None client"
out=$("$TLSO" doctor --json curl)
assert_eq "doctor --json curl: the verdict and the evidence" \
    "$(printf '%s' "$out" | json 'd["verdict"], d["governed"], any(e["label"] == "mode" for e in d["evidence"]), d["exit_status"]')" \
    "yes True True 0"
capture "$TLSO" doctor -- curl
assert_eq "doctor -- PROGRAM: -- ends the flags" "$STATUS" 0

# --- doctor -----------------------------------------------------------------------------
capture "$TLSO" doctor curl
assert_eq "doctor curl: governed (exit 0)" "$STATUS" 0
assert_contains "doctor curl finds libssl through libcurl" "$OUT" "DT_NEEDED of libcurl.so.4: libssl.so.3 =>"
assert_contains "doctor curl names the OpenSSL version" "$OUT" "OpenSSL version: OpenSSL 3."
assert_contains "doctor curl shows the file mode" "$OUT" "mode: -rwxr-xr-x"
assert_contains "doctor curl's verdict" "$OUT" "yes: curl uses OpenSSL through libssl.so.3"
capture "$TLSO" doctor "$OLDCLIENT"
assert_eq "doctor on the C test client: governed" "$STATUS" 0
assert_contains "doctor on the C test client reads its DT_NEEDED" "$OUT" "DT_NEEDED of $OLDCLIENT: libssl.so.3 =>"
if command -v wget >/dev/null; then
    capture "$TLSO" doctor wget
    assert_eq "doctor wget: governed through GnuTLS (exit 0)" "$STATUS" 0
    assert_contains "doctor wget names GnuTLS" "$OUT" "yes: wget uses GnuTLS (libgnutls.so.30)"
else
    echo "# skip doctor wget: wget is not installed"
fi
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3)
capture "$TLSO" doctor "$python"
assert_eq "doctor python3: governed at run time (exit 0)" "$STATUS" 0
assert_contains "doctor python3 finds the _ssl module and its libssl" "$OUT" "libssl.so.3 =>"
assert_contains "doctor python3 says it cannot be known statically" "$OUT" "cannot be known from the files"
assert_contains "doctor python3 says how to check" "$OUT" "tlsoverride run --log info"
node=$(command -v node || true)
if [ -n "$node" ] && nm -D "$node" 2>/dev/null | grep -q ' T SSL_CTX_new$'; then
    capture "$TLSO" doctor node
    assert_eq "doctor node (bundled OpenSSL): governed, through tlsoverride run (issue 14)" "$STATUS" 0
    assert_contains "doctor node shows the OpenSSL symbols inside" "$OUT" "defines SSL_CTX_new"
    assert_contains "doctor node names node's own knob" "$OUT" "NODE_OPTIONS='--tls-min-v1.2'"
else
    echo "# skip doctor node: no node with a bundled OpenSSL here"
fi
capture "$TLSO" doctor "$T/setuid-true"
assert_eq "doctor on a setuid program: not governed" "$STATUS" 1
assert_contains "doctor shows the setuid mode" "$OUT" "mode: -rwsr-xr-x"
printf '#!/usr/bin/env curl\n' >"$T/curl-script" && chmod +x "$T/curl-script"
capture "$TLSO" doctor "$T/curl-script"
assert_eq "doctor on a #! script inspects its interpreter" "$STATUS" 0
assert_contains "doctor shows the #! line" "$OUT" "script: #!/usr/bin/env curl"
capture "$TLSO" doctor tlso-no-such-program
assert_eq "doctor on a missing program is a usage error" "$STATUS" 2
capture "$TLSO" doctor
assert_eq "doctor without PROGRAM is a usage error" "$STATUS" 2
capture "$TLSO" doctor --help
assert_eq "doctor --help exits 0" "$STATUS" 0
assert_contains "doctor --help has the usage line" "$OUT" "usage: tlsoverride doctor [--json] PROGRAM"
assert_contains "doctor --version" "$("$TLSO" doctor --version 2>&1)" "tlsoverride doctor "

# --- man pages ------------------------------------------------------------------------
if command -v groff >/dev/null; then
    for page in man/tlsoverride.1 man/tlsoverride.toml.5; do
        assert_eq "$page has no groff warnings" "$(groff -ww -man -z "$REPO/$page" 2>&1)" ""
    done
else
    echo "# skip groff warnings: groff is not installed"
fi
if command -v man >/dev/null; then
    assert_contains "man -l renders tlsoverride(1)" "$(MANWIDTH=80 man -l "$REPO/man/tlsoverride.1" 2>&1)" "TLSOVERRIDE_MIN_PROTOCOL"
    assert_contains "man -l renders tlsoverride.toml(5)" "$(MANWIDTH=80 man -l "$REPO/man/tlsoverride.toml.5" 2>&1)" "signature_algorithms"
fi

# --- make install DESTDIR=... PREFIX=/usr/local ------------------------------------------
root=$T/root
MA=$(cc -print-multiarch)  # the library's directory is the multiarch one of its class
if submake B="$B" DESTDIR="$root" PREFIX=/usr/local install >"$T/install.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/usr/local succeeds"
else
    not_ok "make install DESTDIR=... PREFIX=/usr/local succeeds"; sed 's/^/#   /' "$T/install.log" | tail -20
fi
expected="usr/local/bin/tlsoverride usr/local/lib/$MA/tlsoverride/libtlsoverride.so usr/local/lib/$MA/tlsoverride/libtlsoverride-engine.so
usr/local/share/man/man1/tlsoverride.1 usr/local/share/man/man5/tlsoverride.toml.5
usr/local/share/doc/tlsoverride/examples/systemd/NAME.service.d/tlsoverride.conf
usr/local/share/bash-completion/completions/tlsoverride"
for f in $(cd "$REPO" && ls config/*.toml 2>/dev/null); do expected="$expected usr/local/share/doc/tlsoverride/examples/${f#config/}"; done
for f in $expected; do
    if [ -f "$root/$f" ]; then ok "installed /$f"; else not_ok "installed /$f"; fi
done
assert_eq "nothing is installed outside /usr/local" "$(cd "$root" && find . -type f ! -path './usr/local/*')" ""
assert_contains "the installed man page names the installed library" "$(cat "$root/usr/local/share/man/man1/tlsoverride.1")" \
    "/usr/local/lib/$(printf '%s' "$MA" | sed 's/-/\\-/g')/tlsoverride/libtlsoverride.so"
assert_eq "the command is executable, the libraries are not" \
    "$(stat -c %a "$root/usr/local/bin/tlsoverride" "$root/usr/local/lib/$MA/tlsoverride/libtlsoverride.so")" "755
644"
# (A sanitized build keeps ASAN_OPTIONS: its library cannot load without verify_asan_link_order=0.)
clean_run() { env -i PATH=/usr/bin:/bin ${SANITIZED:+"ASAN_OPTIONS=${ASAN_OPTIONS:-}"} "$@"; }
out=$(clean_run "$root/usr/local/bin/tlsoverride" run --min-protocol TLSv1.2 -- "$OLDCLIENT" --method tls1 "$PORT" 2>&1)
assert_contains "the DESTDIR-staged tlsoverride run works with a clean environment" "$out" "connected TLSv1.2"
if [ ! -e /usr/local/lib/$MA/tlsoverride/libtlsoverride.so ]; then
    out=$(clean_run "$root/usr/local/bin/tlsoverride" run -- sh -c 'echo "$LD_PRELOAD"' 2>&1)
    assert_eq "the staged binary finds the staged library relative to itself, named by \$LIB for both classes" \
        "$out" "$root/usr/local/\$LIB/tlsoverride/libtlsoverride.so"
else
    echo "# skip relative lookup check: a real install exists in /usr/local/lib/$MA/tlsoverride and comes first"
fi
if [ -f "$B/i386/libtlsoverride.so" ] && [ -x "$B/legacy/bin/oldclient-1.1-i386" ]; then
    for f in usr/local/lib/i386-linux-gnu/tlsoverride/libtlsoverride.so usr/local/lib/i386-linux-gnu/tlsoverride/libtlsoverride-engine.so; do
        if [ -f "$root/$f" ]; then ok "installed /$f (make i386 was built)"; else not_ok "installed /$f (make i386 was built)"; fi
    done
    assert_eq "lib32/tlsoverride points at the i386 directory (biarch ld.so expands \$LIB to lib32)" \
        "$(readlink "$root/usr/local/lib32/tlsoverride")" "../lib/i386-linux-gnu/tlsoverride"
    out=$(clean_run "$root/usr/local/bin/tlsoverride" run --min-protocol TLSv1.2 -- "$B/legacy/bin/oldclient-1.1-i386" --method tls1 "$PORT" 2>&1)
    assert_contains "one installed tlsoverride run governs a 32-bit OpenSSL 1.1.1 program too" "$out" "connected TLSv1.2"
    out=$(clean_run "$root/usr/local/bin/tlsoverride" run --min-protocol TLSv1.2 -- "$OLDCLIENT" --method tls1 "$PORT" 2>&1)
    assert_contains "... and, with the same LD_PRELOAD value, a 64-bit one" "$out" "connected TLSv1.2"
fi
submake B="$B" DESTDIR="$root" PREFIX=/usr/local uninstall >"$T/uninstall.log" 2>&1
assert_eq "make uninstall removes every installed file" "$(find "$root" -type f)" ""

# --- make install PREFIX=/usr and PREFIX=$T/prefix: nothing is rebuilt ------------------
# The command finds the library relative to itself, so one build serves every PREFIX:
# make install copies what make built and compiles nothing.
before=$(md5sum "$B/tlsoverride" "$B/libtlsoverride.so" "$B/libtlsoverride-engine.so")
mtime=$(stat -c %Y "$B/tlsoverride" "$B/obj/shim/cli/run.o")
if submake B="$B" DESTDIR="$T/usr-root" PREFIX=/usr install >"$T/usr-install.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/usr succeeds"
else
    not_ok "make install DESTDIR=... PREFIX=/usr succeeds"; sed 's/^/#   /' "$T/usr-install.log" | tail -20
fi
assert_eq "make install PREFIX=/usr compiles and links nothing" "$(grep -cE ' -c shim/|^  (CXX|CC|LINK) ' "$T/usr-install.log")" "0"
assert_eq "make install PREFIX=/usr leaves build/tlsoverride and the libraries as make built them" \
    "$(md5sum "$B/tlsoverride" "$B/libtlsoverride.so" "$B/libtlsoverride-engine.so")" "$before"
assert_eq "make install PREFIX=/usr does not touch build/tlsoverride or run.o" \
    "$(stat -c %Y "$B/tlsoverride" "$B/obj/shim/cli/run.o")" "$mtime"
out=$(clean_run "$T/usr-root/usr/bin/tlsoverride" run -- sh -c 'echo "$LD_PRELOAD"' 2>&1)
assert_eq "the PREFIX=/usr stage finds the library in ../lib/$MULTIARCH/tlsoverride (named through \$LIB)" "$out" \
    "$T/usr-root/usr/\$LIB/tlsoverride/libtlsoverride.so"
assert_contains "a PREFIX=/usr install's man page names the multiarch directory" "$(cat "$T/usr-root/usr/share/man/man1/tlsoverride.1" 2>/dev/null)" \
    "/usr/lib/$(printf '%s' "$MULTIARCH" | sed 's/-/\\-/g')/tlsoverride/libtlsoverride.so"
prefix=$T/prefix
if submake B="$B" PREFIX="$prefix" install >"$T/pinstall.log" 2>&1; then
    ok "make install PREFIX=\$T/prefix succeeds"
else
    not_ok "make install PREFIX=\$T/prefix succeeds"; sed 's/^/#   /' "$T/pinstall.log" | tail -20
fi
assert_eq "make install PREFIX=\$T/prefix compiles and links nothing" "$(grep -cE ' -c shim/|^  (CXX|CC|LINK) ' "$T/pinstall.log")" "0"
out=$(clean_run "$prefix/bin/tlsoverride" run --version 2>&1)
assert_contains "the installed command finds its library in ../lib/<multiarch>/tlsoverride" "$out" "library: $prefix/lib/$MA/tlsoverride/libtlsoverride.so"
out=$(clean_run "$prefix/bin/tlsoverride" run --min-protocol TLSv1.2 -- "$OLDCLIENT" --method tls1 "$PORT" 2>&1)
assert_contains "the prefix install's tlsoverride run works with a clean environment" "$out" "connected TLSv1.2"
out=$("$TLSO" run --version 2>&1)
assert_contains "the build tree's own binary still uses the build tree's library" "$out" "library: $LIB_REAL"

# make deb, the package's contents, dpkg, lintian: tests/e2e/package.sh.
