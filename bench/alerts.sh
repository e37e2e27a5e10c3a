#!/usr/bin/env bash
# bench/alerts.sh: what reading and checking alert rules adds to `lore check` (DESIGN.md budget,
# issue 11: 5,000 alert rules against 10,000 pages add under 0.5 s).
#
#   bench/alerts.sh                       # 10,000 pages, 5,000 rules, 5 runs each
#   PAGES=1000 RULES=500 RUNS=3 bench/alerts.sh
#
# Steps:
#   1. cargo build --release (skipped when LORE points at a binary)
#   2. the page corpus: gen_corpus.py --format plain into $BENCH_DIR/alerts-cN/src (once)
#   3. RULES alert rules in 50 Prometheus rule files under monitoring/: a third link to a
#      runbook page by `runbook_url`, a third are named after a runbook's file (the file-name
#      convention), a third have no runbook (non-paging, so they warn); every tenth pages
#   4. `lore check --fail-on never` with `--config plain.toml` (no `[alerts]`) and with
#      `--config alerts.toml` (the rules), alternating, RUNS times each; prints the medians and
#      the difference, which is the figure the budget is about
#
# Environment: PAGES, RULES, RUNS, LORE=/path/to/lore, BENCH_DIR (default /tmp/lore-bench),
# SHARED_BENCH (where gen_corpus.py lives).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
BENCH_DIR=${BENCH_DIR:-/tmp/lore-bench}
PAGES=${PAGES:-10000}
RULES=${RULES:-5000}
RUNS=${RUNS:-5}

if [ -z "${LORE:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
  LORE=${CARGO_TARGET_DIR:-$REPO/target}/release/lore
fi
[ -f "$SHARED_BENCH/gen_corpus.py" ] || { echo "no gen_corpus.py in $SHARED_BENCH" >&2; exit 2; }

site=$BENCH_DIR/alerts-c$PAGES
if [ ! -d "$site/src" ]; then
  mkdir -p "$site"
  python3 "$SHARED_BENCH/gen_corpus.py" --pages "$PAGES" --out "$site/src" --format plain --force >/dev/null
fi
mkdir -p "$site/.git"   # the site is its own content root

python3 - "$site" "$RULES" <<'EOF'
import os, sys
site, total = sys.argv[1], int(sys.argv[2])
runbooks = sorted(f[:-3] for f in os.listdir(os.path.join(site, "src/runbooks")) if f.endswith(".md"))
mon = os.path.join(site, "monitoring")
os.makedirs(mon, exist_ok=True)
for f in os.listdir(mon):
    os.remove(os.path.join(mon, f))
files = 50
for n in range(files):
    out = ["groups:", f"  - name: bench-{n}", "    rules:"]
    for i in range(n, total, files):
        kind = i % 3
        name = f"BenchAlert{i:05d}" if kind != 1 else runbooks[i % len(runbooks)]
        severity = "critical" if i % 10 == 0 and kind != 2 else "warning"
        out += [f"      - alert: {name}", f"        expr: rate(bench_errors_total{{shard=\"{i}\"}}[5m]) > 0.1",
                "        for: 5m", "        labels:", f"          severity: {severity}",
                "        annotations:", f"          summary: Bench alert {i}"]
        if kind == 0:
            out.append(f"          runbook_url: https://docs.example.com/runbooks/{runbooks[i % len(runbooks)]}/")
    with open(os.path.join(mon, f"rules-{n:02}.yml"), "w") as fh:
        fh.write("\n".join(out) + "\n")
with open(os.path.join(site, "plain.toml"), "w") as fh:
    fh.write('[output.html]\nsite-url = "https://docs.example.com/"\n')
with open(os.path.join(site, "alerts.toml"), "w") as fh:
    fh.write('[output.html]\nsite-url = "https://docs.example.com/"\n\n[alerts]\nrules = ["monitoring/*.yml"]\n')
EOF

run() { # config → seconds
  local start end
  start=$(date +%s.%N)
  "$LORE" check -q --fail-on never --today 2026-11-30 --config "$site/$1" "$site" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
plain=(); alerts=()
for _ in $(seq "$RUNS"); do
  plain+=("$(run plain.toml)")
  alerts+=("$(run alerts.toml)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
p=$(median "${plain[@]}"); a=$(median "${alerts[@]}")
printf 'lore check, %s pages, median of %s runs: %.3f s without rules, %.3f s with %s alert rules\n' "$PAGES" "$RUNS" "$p" "$a" "$RULES"
printf 'alert rules add %.3f s to the whole check (noisy on a busy machine)\n' "$(echo "$a - $p" | bc)"

# The stage that reads the rules and matches them (site model, navigation and freshness), as
# `lore build --verbose` times it: the same work, without the noise of rendering 10,000 pages.
stage() { # config → milliseconds
  "$LORE" build --verbose --today 2026-11-30 --config "$site/$1" "$site" 2>&1 \
    | awk '/site model, navigation and freshness/ {print $1}'
  rm -rf "$site/book"
}
sp=(); sa=()
for _ in $(seq "$RUNS"); do
  sp+=("$(stage plain.toml)")
  sa+=("$(stage alerts.toml)")
done
p=$(median "${sp[@]}"); a=$(median "${sa[@]}")
printf 'site-model stage: %.1f ms without rules, %.1f ms with %s alert rules\n' "$p" "$a" "$RULES"
printf 'alert rules add %.3f s (budget 0.5 s)\n' "$(echo "($a - $p) / 1000" | bc -l)"
