#!/usr/bin/env bash
# bench/portal-search.sh: organisation-wide search (issue 16). Generates SITES sites of PAGES
# pages (gen_corpus.py, seeds 1..SITES), builds them 2 at a time as CI runners would, merges
# their search statistics into one browser index (examples/merge_search.rs, what a portal's
# build calls), and measures the first one-word query on the merged index against one site's,
# the way bench/search.sh does (same 36 queries, from the first site's vocabulary).
#
#   bench/portal-search.sh                     # 20 sites x 5,000 pages
#   SITES=3 PAGES=500 bench/portal-search.sh   # a quick run
#   BUILD=0 bench/portal-search.sh             # merge and measure sites built before
#
# Environment: SITES, PAGES, LORE (binary; else cargo build --release), MERGE (the example's
# binary; else cargo build --release --example merge_search), BENCH_DIR (default
# /tmp/lore-portal-bench), SHARED_BENCH (gen_corpus.py), BUILD (0: keep the sites' builds).
# The machine's load average is printed beside the merge's figures: on a shared machine they
# vary with it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
BENCH_DIR=${BENCH_DIR:-/tmp/lore-portal-bench}
SITES=${SITES:-20}
PAGES=${PAGES:-5000}
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
log() { printf '==> %s\n' "$*" >&2; }
command -v node >/dev/null || { echo "error: node is required" >&2; exit 2; }
if [ -z "${LORE:-}" ] && [ "${BUILD:-1}" != 0 ]; then (cd "$REPO" && cargo build --release --quiet); LORE=$TARGET/release/lore; fi
if [ -z "${MERGE:-}" ]; then (cd "$REPO" && cargo build --release --quiet --example merge_search); MERGE=$TARGET/release/examples/merge_search; fi

org=$BENCH_DIR/org-$SITES-$PAGES
mkdir -p "$org"
for i in $(seq 1 "$SITES"); do
  site=$org/s$i
  if [ ! -f "$site/book.toml" ]; then
    log "generating site $i ($PAGES pages, seed $i)"
    python3 "$SHARED_BENCH/gen_corpus.py" --pages "$PAGES" --out "$site/src" --seed "$i" --format plain 2>/dev/null
    printf '[book]\ntitle = "Site %s"\n' "$i" >"$site/book.toml"
  fi
done

if [ "${BUILD:-1}" = 0 ]; then
  for i in $(seq 1 "$SITES"); do
    [ -f "$org/s$i/book/search/stats.bin.gz" ] || { echo "error: site $i is not built (run without BUILD=0)" >&2; exit 2; }
  done
else
  log "building $SITES sites, 2 at a time"
  rm -f "$org"/times.txt
  build_one() {
    local site=$1 start end
    rm -rf "$site/book" "$site/.lore"
    start=$(date +%s.%N)
    "$LORE" build "$site" --today 2026-12-01 >/dev/null 2>&1
    end=$(date +%s.%N)
    printf '%s %.1f\n' "$(basename "$site")" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" >>"$org/times.txt"
  }
  export -f build_one
  export LORE org
  wall_start=$(date +%s.%N)
  seq 1 "$SITES" | sed "s|^|$org/s|" | xargs -P 2 -I{} bash -c 'build_one {}'
  wall_end=$(date +%s.%N)
  echo "== $SITES sites x $PAGES pages, built 2 at a time"
  sort -k2 -n "$org/times.txt" | awk '{t[NR]=$2} END {printf "per site: fastest %.1f s, median %.1f s, slowest %.1f s (the total if every site had its own runner)\n", t[1], t[int((NR+1)/2)], t[NR]}'
  echo "all sites on one 2-core machine: $(awk -v a="$wall_start" -v b="$wall_end" 'BEGIN {printf "%.0f", b - a}') s"
fi
du -cb "$org"/s*/book/search/stats.bin.gz | tail -1 | awk -v n="$SITES" '{printf "search statistics: %.1f MB in all, %.2f MB per site\n", $1 / 1e6, $1 / 1e6 / n}'

portal=$org/portal
rm -rf "$portal" && mkdir -p "$portal"
args=()
for i in $(seq 1 "$SITES"); do args+=("s$i=s$i/=$org/s$i/book"); done
echo "== merge (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/time -f 'merge process: %e s wall, %U s user, %S s system, peak memory %M KB' "$MERGE" "$portal" "${args[@]}"
cp -r "$org/s1/book/assets" "$portal/assets"
echo "merged index: $(find "$portal/search" -type f | wc -l) files, $(du -sb "$portal/search" | awk '{printf "%.1f MB", $1 / 1e6}'); head $(stat -c %s "$portal/search/head.json.gz") bytes"

queries=$org/queries.txt
sort -t$'\t' -k3,3nr -k1,1 "$org/s1/.lore/search/words.tsv" | awk -F'\t' 'length($1) >= 4 && $1 !~ /^[0-9]/' \
  | awk 'NR <= 1200 && NR % 40 == 1 {print $1}' >"$queries"
printf '%s\n' runbook rollback failover escalation decision onboarding >>"$queries"
echo "== one site ($PAGES pages): s1"
node "$REPO/bench/search-measure.js" "$org/s1/book" "$queries"
echo "== merged index ($SITES sites)"
node "$REPO/bench/search-measure.js" "$portal" "$queries"
