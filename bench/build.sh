#!/usr/bin/env bash
# bench/build.sh: times a full `lore build` against its peers (Hugo build + Pagefind index) on
# the shared generated corpus, in the same run, alternating, and prints medians and ratios.
#
#   bench/build.sh                      # 1,000 and 10,000 pages (the 10,000 run takes a while)
#   PAGES=1000 RUNS=1 bench/build.sh    # quick check
#
# Steps:
#   1. cargo build --release (skipped when LORE points at a binary)
#   2. corpora: gen_corpus.py --format all into $BENCH_DIR/cN (generated once, then reused);
#      the lore site is $BENCH_DIR/cN/lore: book.toml + src/ (a copy of the plain corpus)
#   3. peers: eval "$(peers.sh)" gives HUGO and PAGEFIND (skipped with NO_PEERS=1; if the install
#      fails, lore is timed alone)
#   4. per round, in this order: lore build, Hugo build, Pagefind over Hugo's output. Each build
#      starts from an empty output folder (lore's book/ and Hugo's public/ are removed untimed).
#      Wall time and peak RSS come from /usr/bin/time (Debian package `time`); without it, bash's
#      `time` gives wall time only.
#   5. table: median/min/max wall time and median peak memory per N and tool, the ratios
#      lore / (hugo + pagefind) and lore / hugo, the 10,000-page budgets (DESIGN.md: at most
#      0.25 x (Hugo + Pagefind), under 1 GiB peak) and output page counts as a sanity check.
#
# Environment:
#   PAGES="1000 10000"   corpus sizes
#   RUNS=N               runs per tool and size (default 5 below 10,000 pages, 3 from 10,000)
#   LORE=/path/to/lore   use this binary, skip cargo build
#   BENCH_DIR=/tmp/lore-bench       corpora cache and raw results (results.tsv, logs/)
#   SHARED_BENCH=$REPO/../shared/bench   where gen_corpus.py and peers.sh live
#   NO_PEERS=1           time lore only
#   LORE_BENCH_CACHE     passed through to peers.sh (where Hugo and Pagefind get installed)
#
# Exit status: 0 when everything ran (budgets missed are reported, not failed), 1 when a build
# failed or the report could not be made, 2 when the corpus generator is missing.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
BENCH_DIR=${BENCH_DIR:-/tmp/lore-bench}
PAGES=${PAGES:-1000 10000}
TODAY=2026-11-30
failed=0

log() { printf '==> %s\n' "$*" >&2; }

if [ ! -f "$SHARED_BENCH/gen_corpus.py" ]; then
  echo "error: corpus generator not found at $SHARED_BENCH/gen_corpus.py" >&2
  echo "       set SHARED_BENCH to the folder holding gen_corpus.py and peers.sh" >&2
  exit 2
fi

# ---------------------------------------------------------------- lore binary
if [ -n "${LORE:-}" ]; then
  [ -x "$LORE" ] || { echo "error: LORE=$LORE is not an executable" >&2; exit 1; }
  log "using LORE=$LORE (no cargo build)"
else
  log "cargo build --release"
  (cd "$REPO" && cargo build --release)
  LORE=${CARGO_TARGET_DIR:-$REPO/target}/release/lore
fi
today_args=()
lore_help=$("$LORE" build --help 2>&1 || true)
# A cold build: the build cache in .lore/cache/ is neither read nor written (bench/warm.sh
# times the warm build).
cache_args=()
case "$lore_help" in *--no-cache*) cache_args=(--no-cache) ;; esac
if grep -q -- '--today' <<<"$lore_help"; then
  today_args=(--today "$TODAY")
fi

# ---------------------------------------------------------------- corpora
mkdir -p "$BENCH_DIR/logs"
for n in $PAGES; do
  dir=$BENCH_DIR/c$n
  if [ ! -d "$dir/plain" ] || [ ! -d "$dir/hugo" ]; then
    log "generating $n pages into $dir"
    rm -rf "$dir.tmp" "$dir"
    python3 "$SHARED_BENCH/gen_corpus.py" --pages "$n" --out "$dir.tmp" --format all
    mv "$dir.tmp" "$dir"
  fi
  if [ ! -f "$dir/lore/book.toml" ]; then
    rm -rf "$dir/lore.tmp"
    mkdir -p "$dir/lore.tmp"
    printf '[book]\ntitle = "Bench"\nsrc = "src"\n' >"$dir/lore.tmp/book.toml"
    cp -r "$dir/plain" "$dir/lore.tmp/src"
    rm -rf "$dir/lore"
    mv "$dir/lore.tmp" "$dir/lore"
  fi
done

# ---------------------------------------------------------------- peers
HUGO='' PAGEFIND=''
if [ "${NO_PEERS:-0}" = 1 ]; then
  log "NO_PEERS=1: timing lore alone"
elif peers_out=$("$SHARED_BENCH/peers.sh"); then
  eval "$peers_out"
  if [ ! -x "$HUGO" ] || [ ! -x "$PAGEFIND" ]; then
    log "peers.sh ran but HUGO=$HUGO / PAGEFIND=$PAGEFIND are not executables: timing lore alone"
    HUGO='' PAGEFIND=''
  fi
else
  log "installing the peers (peers.sh) failed: timing lore alone"
fi

# ---------------------------------------------------------------- timing
if [ -x /usr/bin/time ]; then
  have_time=1
else
  have_time=0
  log "/usr/bin/time not found (Debian package: time): peak memory unavailable"
fi

# measure OUTFILE LOG CMD... : runs CMD (output to LOG); OUTFILE gets "wall_s rss_kb"
measure() {
  local out=$1 logf=$2 rc=0
  shift 2
  if [ "$have_time" = 1 ]; then
    /usr/bin/time -f '%e %M' -o "$out" "$@" >"$logf" 2>&1 || rc=$?
    # on failure GNU time writes a "Command exited with non-zero status" line first
    tail -n 1 "$out" >"$out.last" && mv "$out.last" "$out"
  else
    local TIMEFORMAT=%R
    { time "$@" >"$logf" 2>&1; } 2>"$out" || rc=$?
    printf '%s NA\n' "$(tail -n 1 "$out")" >"$out.last" && mv "$out.last" "$out"
  fi
  return "$rc"
}

results=$BENCH_DIR/results.tsv
counts=$BENCH_DIR/counts.tsv
printf 'pages\ttool\trun\twall_s\tpeak_kb\n' >"$results"
: >"$counts"

# run_one N TOOL RUN CMD... : times one run, appends to results; returns CMD's status
run_one() {
  local n=$1 tool=$2 run=$3 wall rss
  shift 3
  local logf=$BENCH_DIR/logs/c$n-$tool-$run.log tf=$BENCH_DIR/logs/c$n-$tool-$run.time
  # The previous run's files reach the disk first, so its writeback does not slow this one.
  sync
  if measure "$tf" "$logf" "$@"; then
    read -r wall rss <"$tf"
    printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$run" "$wall" "$rss" >>"$results"
    log "  $tool run $run: ${wall}s, peak ${rss} KB"
  else
    log "  $tool run $run FAILED (log: $logf); last lines:"
    tail -n 15 "$logf" >&2 || true
    failed=1
    return 1
  fi
}

for n in $PAGES; do
  dir=$BENCH_DIR/c$n
  if [ -n "${RUNS:-}" ]; then runs=$RUNS
  elif [ "$n" -ge 10000 ]; then runs=3
  else runs=5
  fi
  lore_ok=1 hugo_ok=0
  [ -n "$HUGO" ] && hugo_ok=1
  log "$n pages: $runs runs each"
  for run in $(seq 1 "$runs"); do
    if [ "$lore_ok" = 1 ]; then
      rm -rf "$dir/lore/book"
      run_one "$n" lore "$run" "$LORE" build "$dir/lore" --quiet ${today_args[@]+"${today_args[@]}"} \
        ${cache_args[@]+"${cache_args[@]}"} ||
        lore_ok=0
    fi
    if [ "$hugo_ok" = 1 ]; then
      rm -rf "$dir/hugo/public"
      if run_one "$n" hugo "$run" "$HUGO" -s "$dir/hugo" --quiet; then
        run_one "$n" pagefind "$run" "$PAGEFIND" --site "$dir/hugo/public" || hugo_ok=0
      else
        hugo_ok=0
      fi
    fi
  done
  lore_pages=NA hugo_pages=NA
  [ -d "$dir/lore/book" ] && lore_pages=$(find "$dir/lore/book" -name index.html | wc -l)
  [ -d "$dir/hugo/public" ] && hugo_pages=$(find "$dir/hugo/public" -name index.html | wc -l)
  printf '%s\t%s\t%s\n' "$n" "$lore_pages" "$hugo_pages" >>"$counts"
done

# ---------------------------------------------------------------- report
lore_version=$("$LORE" --version 2>/dev/null || echo "lore (version unknown)")
python3 - "$results" "$counts" "$have_time" "$lore_version" "${today_args[*]:-}" <<'PY' || failed=1
import csv, statistics, sys

results, counts, have_time, lore_version, today = sys.argv[1:6]
runs = {}
for r in csv.DictReader(open(results), delimiter="\t"):
    runs.setdefault((int(r["pages"]), r["tool"]), []).append(r)
pages = {}
for line in open(counts):
    n, lp, hp = line.split()
    pages[int(n)] = (lp, hp)

def med(xs):
    return statistics.median(xs) if xs else None

def fmt(x, spec="{:.2f}"):
    return "-" if x is None else spec.format(x)

print()
print(f"{lore_version}; lore flags: --quiet {today}".rstrip())
print(f"{'pages':>6}  {'tool':<9} {'runs':>4} {'median s':>9} {'min s':>8} {'max s':>8} {'peak MiB':>9}")
medians = {}
for n in sorted(pages):
    for tool in ("lore", "hugo", "pagefind"):
        rs = runs.get((n, tool), [])
        if not rs:
            continue
        walls = [float(r["wall_s"]) for r in rs]
        mems = [int(r["peak_kb"]) / 1024 for r in rs if r["peak_kb"] != "NA"]
        medians[n, tool] = (med(walls), med(mems))
        print(f"{n:>6}  {tool:<9} {len(rs):>4} {fmt(med(walls)):>9} {fmt(min(walls)):>8}"
              f" {fmt(max(walls)):>8} {fmt(med(mems), '{:.0f}'):>9}")
if have_time != "1":
    print("peak memory unavailable (no /usr/bin/time; Debian package: time)")

print()
for n in sorted(pages):
    lore = medians.get((n, "lore"))
    hugo = medians.get((n, "hugo"))
    pf = medians.get((n, "pagefind"))
    lp, hp = pages[n]
    print(f"{n} pages: output pages (index.html files): lore {lp}, hugo {hp}")
    if lore and hugo and pf:
        both = lore[0] / (hugo[0] + pf[0])
        print(f"{n} pages: lore / (hugo + pagefind) = {both:.3f}; lore / hugo = {lore[0] / hugo[0]:.3f}")
    else:
        both = None
        print(f"{n} pages: ratios unavailable (a tool did not run)")
    if n != 10000:
        continue
    if both is None:
        print("budget, time   (<= 0.25 x (hugo + pagefind)): unknown (no ratio)")
    else:
        print(f"budget, time   (<= 0.25 x (hugo + pagefind)): {'MET' if both <= 0.25 else 'MISSED'} ({both:.3f})")
    if not lore or lore[1] is None:
        print("budget, memory (< 1024 MiB peak): unknown (no lore run or no peak memory)")
    else:
        print(f"budget, memory (< 1024 MiB peak): {'MET' if lore[1] < 1024 else 'MISSED'} ({lore[1]:.0f} MiB)")
if 10000 not in pages:
    print("budgets: not checked (they are defined at 10,000 pages; add 10000 to PAGES)")
PY

echo "raw runs: $results; logs: $BENCH_DIR/logs/"
if [ "$failed" != 0 ]; then
  echo "some runs failed (see above)" >&2
  exit 1
fi
