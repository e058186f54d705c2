#!/bin/bash
# tlsoverride probe against sslscan on the same local servers: wall time (the median
# of three runs each) and whether both found the same accepted (version, cipher) set.
#   bench/probe-vs-sslscan.sh BUILD_DIR
# Not a test: the numbers go into the README's Performance section.
set -u
B=$(cd "${1:?usage: bench/probe-vs-sslscan.sh BUILD_DIR}" && pwd)
export B
. "$(dirname "$0")/../tests/e2e/lib.sh"
PY=/usr/bin/python3
RUNS=3

if ! command -v sslscan >/dev/null; then
    echo "sslscan is not installed (apt-get install sslscan): nothing to compare"
    exit 0
fi

# median_ms COMMAND...: runs COMMAND $RUNS times, output to $T/last, prints the median wall ms.
median_ms() {
    local i start times=()
    for i in $(seq 1 $RUNS); do
        start=$(date +%s%N)
        "$@" >"$T/last" 2>&1
        times+=($(( ($(date +%s%N) - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# Accepted "VERSION CIPHER" pairs, sorted, one per line, from each tool's output.
sslscan_set() {
    sed -n 's/^\(Preferred\|Accepted\) *\(TLSv1\.[0-3]\) .* bits  *\([^ ]*\).*/\2 \3/p' "$1" |
        sed 's/^TLSv1\.0 /TLSv1 /' | sort
}
probe_set() {
    $PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
for version, names in d["ciphers"].items():
    for name in names: print(version, name)' "$1" | sort
}

# compare LABEL [s_server flags...]
compare() {
    local label=$1 scan_ms probe_ms same
    shift
    start_server "$@" || return 1
    scan_ms=$(median_ms sslscan --no-colour 127.0.0.1:$PORT); cp "$T/last" "$T/sslscan.out"
    probe_ms=$(median_ms "$TLSO" probe 127.0.0.1:$PORT --json); cp "$T/last" "$T/probe.json"
    if [ "$(sslscan_set "$T/sslscan.out")" = "$(probe_set "$T/probe.json")" ]; then same=yes; else same=no; fi
    printf '%-44s %8s %8s %7s  %s\n' "$label" "$scan_ms" "$probe_ms" "$same" \
        "$(probe_set "$T/probe.json" | wc -l) ciphers, $($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["handshakes"])' "$T/probe.json") handshakes"
    if [ "$same" = no ]; then
        diff <(sslscan_set "$T/sslscan.out") <(probe_set "$T/probe.json") | sed 's/^/    /'
    fi
}

printf '%-44s %8s %8s %7s  %s\n' "server (openssl s_server on 127.0.0.1)" "sslscan" "probe" "same" "probe found"
printf '%-44s %8s %8s %7s\n' "" "ms" "ms" "set"
compare "TLSv1.2 only, three ciphers, -serverpref" -tls1_2 -serverpref \
    -cipher AES128-SHA:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384
compare "TLSv1 to TLSv1.2, security level 0, SHA-1" -min_protocol TLSv1 -max_protocol TLSv1.2 \
    -sigalgs RSA+SHA1 -cipher 'ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0'
compare "TLSv1.3 only" -tls1_3
compare "s_server defaults (TLSv1.2 and TLSv1.3)"
echo "median of $RUNS runs each; the probe runs with its defaults (--jobs 8)"
