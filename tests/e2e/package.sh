# The Debian package, as Debian builds it (make deb: dpkg-buildpackage in a clean export,
# then lintian), installed into a throwaway root with dpkg --root: nothing on this
# machine changes. tlsoverride check and a governed curl work from the installed paths,
# and the package removes cleanly. Bash completion is tested here too.
#
# Building the package takes minutes (a full clean build), so make test uses the .deb
# that `make deb` left in $B; TLSO_BUILD_DEB=1 builds it first.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
MULTIARCH=$(cc -print-multiarch 2>/dev/null)
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$REPO" "$@"; }

# --- bash completion (from the tree) -----------------------------------------------------
complete_line() {  # complete_line WORD...: what bash completion offers for the last word
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tlsoverride; printf "%s\n" "${COMPREPLY[@]}"' \
        sh "$REPO/completions/tlsoverride" "$@"
}
PATH=$B:$PATH
assert_eq "completion: the commands, from tlsoverride --help" "$(complete_line tlsoverride ch)" "check"
assert_contains "completion: every command is offered" "$(complete_line tlsoverride '')" "status"
assert_eq "completion: a command's flags, from its --help" "$(complete_line tlsoverride run --min-p)" "--min-protocol"
assert_eq "completion: protocol names after --max-protocol" "$(complete_line tlsoverride run --max-protocol TLSv1.)" \
    "$(printf 'TLSv1.1\nTLSv1.2\nTLSv1.3')"
assert_eq "completion: explain --role" "$(complete_line tlsoverride explain --role s)" "server"
assert_contains "completion: check --j" "$(complete_line tlsoverride check --j)" "--json"
PATH=${PATH#"$B":}

# --- the package -----------------------------------------------------------------------------
if ! command -v dpkg-deb >/dev/null; then echo "# skip the package: not a Debian system"; exit 0; fi
VERSION=$(sed -n 's/^VERSION *:= *//p' "$REPO/Makefile")
deb=$B/tlsoverride_${VERSION}_$(dpkg --print-architecture).deb
if [ "${TLSO_BUILD_DEB:-}" = 1 ]; then
    if submake B="$B" deb >"$T/deb.log" 2>&1; then ok "make deb (dpkg-buildpackage -us -uc -b, then lintian) succeeds"; else
        not_ok "make deb succeeds"; sed 's/^/#   /' "$T/deb.log" | tail -30; exit 0; fi
    assert_contains "make deb: lintian reports no error and no warning" "$(cat "$T/deb.log")" "lintian: no errors, no warnings"
fi
if [ ! -f "$deb" ]; then echo "# skip the package: no $deb (run make deb, or TLSO_BUILD_DEB=1)"; exit 0; fi
if [ -f "$B/deb/lintian.log" ]; then
    assert_eq "lintian on the last make deb: no errors, no warnings" "$(grep -c '^[EW]: ' "$B/deb/lintian.log")" "0"
fi

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/tlsoverride "./usr/lib/$MULTIARCH/tlsoverride/libtlsoverride.so" \
    "./usr/lib/$MULTIARCH/tlsoverride/libtlsoverride-engine.so" ./usr/share/man/man1/tlsoverride.1.gz \
    ./usr/share/man/man5/tlsoverride.toml.5.gz ./usr/share/doc/tlsoverride/copyright \
    ./usr/share/doc/tlsoverride/examples/reference.toml \
    ./usr/share/doc/tlsoverride/examples/systemd/NAME.service.d/tlsoverride.conf \
    ./usr/share/bash-completion/completions/tlsoverride ./etc/tlsoverride/ ./etc/tlsoverride/conf.d/; do
    assert_contains "the .deb has $f" "$contents" "$f"
done
assert_eq "the .deb has nothing but /usr and the two /etc/tlsoverride directories" \
    "$(printf '%s\n' "$contents" | grep -v '^\./$' | grep -v '^\./usr/' | grep -v '^\./etc/$')" "./etc/tlsoverride/
./etc/tlsoverride/conf.d/"
assert_not_contains "the .deb has nothing under /usr/local" "$contents" "./usr/local"
depends=$(dpkg-deb -f "$deb" Depends)
assert_contains "the .deb depends on libssl3 (dpkg-shlibdeps)" "$depends" "libssl3"
assert_contains "the .deb depends on libc6" "$depends" "libc6"
assert_eq "the .deb ships no conffile: installing it changes no program" "$(dpkg-deb -I "$deb" conffiles 2>/dev/null)" ""
assert_eq "every file in the .deb belongs to root:root" "$(dpkg-deb -c "$deb" | awk '{print $2}' | sort -u)" "root/root"
assert_contains "the packaged man page names the installed library" \
    "$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/man/man1/tlsoverride.1.gz | gzip -dc)" \
    "/usr/lib/$(printf '%s' "$MULTIARCH" | sed 's/-/\\-/g')/tlsoverride/libtlsoverride.so"
elf=$(mktemp -d "$T/elf.XXXXXX") && dpkg-deb -x "$deb" "$elf"
assert_contains "hardening: the command is linked with bind-now" "$(readelf -d "$elf/usr/bin/tlsoverride" | grep FLAGS)" "NOW"
for f in usr/bin/tlsoverride "usr/lib/$MULTIARCH/tlsoverride/libtlsoverride.so" "usr/lib/$MULTIARCH/tlsoverride/libtlsoverride-engine.so"; do
    assert_contains "hardening: $f has a RELRO segment" "$(readelf -lW "$elf/$f")" "GNU_RELRO"
done
# The libraries keep lazy binding even under dpkg-buildflags' bindnow (see the Makefile):
# bind-now would cost every process they are loaded into.
for f in "usr/lib/$MULTIARCH/tlsoverride/libtlsoverride.so" "usr/lib/$MULTIARCH/tlsoverride/libtlsoverride-engine.so"; do
    assert_not_contains "the preload libraries bind lazily: $f" "$(readelf -d "$elf/$f" | grep FLAGS)" "NOW"
done
assert_contains "hardening: the engine uses fortified functions (_FORTIFY_SOURCE)" "$(nm -D "$elf/usr/lib/$MULTIARCH/tlsoverride/libtlsoverride-engine.so")" "_chk"
assert_contains "hardening: the command has the stack protector" "$(nm -D "$elf/usr/bin/tlsoverride")" "__stack_chk_fail"

# --- installed into a throwaway root, used from the installed paths, removed -----------------
host_had=$(dpkg-query -W -f='${Status}' tlsoverride 2>/dev/null || true)
droot=$T/dpkg-root
mkdir -p "$droot/var/lib/dpkg/updates" "$droot/var/lib/dpkg/info" && : >"$droot/var/lib/dpkg/status"
# --force-depends: the throwaway root's database has no libc6 or libssl3; the programs run
# with this machine's libraries.
if dpkg --root="$droot" --force-depends --force-script-chrootless -i "$deb" >"$T/dpkg.log" 2>&1; then
    ok "dpkg --root installs the package"
else
    not_ok "dpkg --root installs the package"; sed 's/^/#   /' "$T/dpkg.log" | tail -20
fi
assert_eq "dpkg records it as installed in the throwaway root" \
    "$(dpkg-query --admindir="$droot/var/lib/dpkg" -W -f='${Status}' tlsoverride)" "install ok installed"
clean_run() { env -i PATH=/usr/bin:/bin ${SANITIZED:+"ASAN_OPTIONS=${ASAN_OPTIONS:-}"} "$@"; }
tlso=$droot/usr/bin/tlsoverride
cp "$droot/usr/share/doc/tlsoverride/examples/fleet-baseline.toml" "$droot/etc/tlsoverride/config.toml"
printf '[[rule]]\nname = "billing"\nhost = ["billing.legacy.test"]\nmax_protocol = "TLSv1.2"\n' >"$droot/etc/tlsoverride/conf.d/10-billing.toml"
out=$(clean_run "$tlso" check "$droot/etc/tlsoverride/config.toml" 2>&1); status=$?
assert_eq "the installed tlsoverride check accepts the installed example with a conf.d file" "$status" 0
assert_contains "the installed check read the conf.d file" "$out" "read: $droot/etc/tlsoverride/conf.d/10-billing.toml"

start_server || exit 1   # OpenSSL's defaults: TLSv1.2 and TLSv1.3
out=$(clean_run curl -skv "https://127.0.0.1:$PORT/" -o /dev/null 2>&1)
assert_contains "curl alone negotiates TLSv1.3" "$out" "SSL connection using TLSv1.3"
out=$(clean_run "$tlso" run --mode enforce --max-protocol TLSv1.2 -- curl -skv "https://127.0.0.1:$PORT/" -o /dev/null 2>&1)
assert_contains "the installed tlsoverride run governs curl (enforce: curl resets the maximum itself): TLSv1.2" "$out" "SSL connection using TLSv1.2"
out=$(clean_run "$tlso" run -- sh -c 'echo "$LD_PRELOAD"' 2>&1)
# ld.so expands $LIB per program (lib/x86_64-linux-gnu or lib/i386-linux-gnu): one value
# serves both classes (README, "32-bit programs").
assert_eq "the installed command preloads the installed library, named through \$LIB" "$out" \
    "$droot/usr/\$LIB/tlsoverride/libtlsoverride.so"
assert_eq "... which is there for this class" "$(ls "$droot/usr/lib/$MULTIARCH/tlsoverride/libtlsoverride.so")" \
    "$droot/usr/lib/$MULTIARCH/tlsoverride/libtlsoverride.so"
out=$(clean_run env LD_PRELOAD="$droot/usr/lib/$MULTIARCH/tlsoverride/libtlsoverride.so" \
    TLSOVERRIDE_CONFIG="$droot/etc/tlsoverride" curl -skv --resolve "billing.legacy.test:$PORT:127.0.0.1" \
    "https://billing.legacy.test:$PORT/" -o /dev/null 2>&1)
assert_contains "LD_PRELOAD of the installed library and the installed /etc directory: the conf.d rule governs curl" "$out" "SSL connection using TLSv1.2"

rm "$droot/etc/tlsoverride/config.toml" "$droot/etc/tlsoverride/conf.d/10-billing.toml"
if dpkg --root="$droot" --force-script-chrootless -P tlsoverride >"$T/purge.log" 2>&1; then ok "dpkg --root --purge removes the package"; else
    not_ok "dpkg --root --purge removes the package"; sed 's/^/#   /' "$T/purge.log" | tail -20; fi
assert_eq "nothing of the package is left in the root, /etc/tlsoverride included" \
    "$(cd "$droot" && find . -mindepth 1 ! -path './var*' | sort)" ""
assert_eq "this machine's own dpkg database is unchanged" "$(dpkg-query -W -f='${Status}' tlsoverride 2>/dev/null || true)" "$host_had"
