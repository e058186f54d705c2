#!/bin/bash
# tlsoverride probe against sslscan on the same local servers: wall time (the median
# of three interleaved runs each) and whether both found the same accepted (version, cipher) set.
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

# ms_since START: wall ms since START (an $EPOCHREALTIME value; no fork in between).
ms_since() { local now=$EPOCHREALTIME; echo $(( (${now/[.,]/} - ${1/[.,]/}) / 1000 )); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# interleaved PORT: sslscan and the probe $RUNS times each, alternating (a slow moment of
# the machine hits both); sets SCAN_MS and PROBE_MS (medians), leaves the last outputs in
# $T/sslscan.out and $T/probe.json.
interleaved() {
    local i start scan=() probe=()
    for i in $(seq 1 $RUNS); do
        start=$EPOCHREALTIME; sslscan --no-colour 127.0.0.1:$1 >"$T/sslscan.out" 2>&1; scan+=("$(ms_since "$start")")
        start=$EPOCHREALTIME; "$TLSO" probe 127.0.0.1:$1 --json >"$T/probe.json" 2>&1; probe+=("$(ms_since "$start")")
    done
    SCAN_MS=$(median "${scan[@]}") PROBE_MS=$(median "${probe[@]}")
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
    interleaved "$PORT"
    scan_ms=$SCAN_MS probe_ms=$PROBE_MS
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
echo "median of $RUNS interleaved runs each; the probe runs with its defaults (--jobs 8)"
