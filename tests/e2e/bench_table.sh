# The README's performance section shows the last `make bench` run, and its prose
# quotes the same ratios: text and table cannot drift (issue 17). Fast: no bench run.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

out=$("$ROOT/bench/readme-table" --check "$ROOT/README.md" 2>&1)
if [ $? -eq 0 ]; then ok "README.md's performance tables equal bench/results.md and bench/results-probe.md"; else
    not_ok "README.md's performance tables equal bench/results.md and bench/results-probe.md"
    printf '%s\n' "$out" | head -20 | sed 's/^/#   /'; fi

# Every figure of bench/run has a row (measured, or "# skip" with the reason).
results=$(cat "$ROOT/bench/results.md")
missing=""
for n in 1 2 3 4 5a 5b 6 7 8 9; do
    printf '%s\n' "$results" | grep -q "^$n " || missing="$missing $n"
done
assert_eq "bench/results.md has a row for each figure, 1 to 9" "${missing:- none}" " none"

# A ratio the prose gives in a figure's heading ("**4. ...: 1.147×.**") is in that
# figure's rows of the table.
wrong=$(python3 - "$ROOT/README.md" "$ROOT/bench/results.md" <<'EOF'
import re, sys
readme = open(sys.argv[1], encoding='utf-8').read()
rows = open(sys.argv[2], encoding='utf-8').read().split('\n')
section = readme.split('### What dominates', 1)[-1].split('\n### ', 1)[0]
for m in re.finditer(r'^\*\*(\d+)\. (.*?)\*\*', section, re.M):
    figure, heading = m.group(1), m.group(2)
    mine = [r for r in rows if re.match(figure + r'[a-z]? ', r)]
    for ratio in re.findall(r'(\d+\.\d+)×', heading):
        if not any(' %sx ' % ratio in r + ' ' for r in mine):
            print('figure %s: the prose says %s×, the table: %s' % (figure, ratio,
                  ' | '.join(re.sub(r'\s+', ' ', r) for r in mine) or 'no row'))
EOF
)
assert_eq "the ratios in 'What dominates' are the table's" "${wrong:-none}" "none"
