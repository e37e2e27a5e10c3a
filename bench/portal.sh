#!/usr/bin/env bash
# bench/portal.sh: an organisation portal at scale (issue 16): SITES sites of PAGES pages each
# (default 20 × 5,000 = 100,000 pages), built as CI would, then the portal over their manifests.
#
#   bench/portal.sh                          # 20 sites × 5,000 pages
#   SITES=4 PAGES=1000 bench/portal.sh       # a quick run
#
# Steps:
#   1. cargo build --release (skipped when LORE points at a binary)
#   2. one corpus: gen_corpus.py --format plain (once), hard-linked into SITES sites, each with
#      its own title, `site-url` and `.git` folder (its own content root)
#   3. `lore build -q` of every site, PARALLEL at a time (2 on a 2-core machine, as two CI
#      runners would): wall time and peak memory per site (GNU time)
#   4. `lore build -q` of the portal (`[portal] sites` = every site's `book/` by path): wall
#      time, peak memory, the manifests' total size; the build merges every site's search
#      statistics (the sites are built with `search-stats = true`) into one index
#   5. the first one-word query on the portal's merged index against one site's (the 36
#      queries of bench/search.sh, from the first site's vocabulary; needs node): bytes fetched
#
# PORTAL_ONLY=1 skips steps 2 and 3 and builds the portal over the sites already in
# BENCH_DIR (a portal change measured without building every site again).
#
# Environment: SITES, PAGES, PARALLEL, LORE=/path/to/lore, BENCH_DIR (default /tmp/lore-bench),
# SHARED_BENCH (where gen_corpus.py lives).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
# From a git worktree (`wt/<name>`), the shared folder is one level further up.
[ -d "$SHARED_BENCH" ] || SHARED_BENCH=$REPO/../../shared/bench
BENCH_DIR=${BENCH_DIR:-/tmp/lore-bench}
SITES=${SITES:-20}
PAGES=${PAGES:-5000}
PARALLEL=${PARALLEL:-2}
TODAY=${TODAY:-2026-03-01}

if [ -z "${LORE:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
  LORE=${CARGO_TARGET_DIR:-$REPO/target}/release/lore
fi
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time): apt-get install time" >&2; exit 2; }
[ -f "$SHARED_BENCH/gen_corpus.py" ] || { echo "no gen_corpus.py in $SHARED_BENCH" >&2; exit 2; }

corpus=$BENCH_DIR/portal-corpus-$PAGES
if [ ! -d "$corpus/src" ]; then
  mkdir -p "$corpus"
  python3 "$SHARED_BENCH/gen_corpus.py" --pages "$PAGES" --out "$corpus/src" --format plain --force >/dev/null
fi

org=$BENCH_DIR/portal-org-$SITES-$PAGES
if [ -z "${PORTAL_ONLY:-}" ]; then
rm -rf "$org"
mkdir -p "$org/portal/.git"
{
  printf '[book]\ntitle = "Organisation"\n\n[portal]\nsites = [\n'
  for i in $(seq -w 1 "$SITES"); do
    printf '  { name = "site%s", path = "../site%s/book" },\n' "$i" "$i"
  done
  printf ']\n'
} > "$org/portal/book.toml"
for i in $(seq -w 1 "$SITES"); do
  site=$org/site$i
  mkdir -p "$site/.git"
  cp -al "$corpus/src" "$site/src"
  printf '[book]\ntitle = "Site %s"\n\n[output.html]\nsite-url = "https://docs.example.com/site%s/"\nsearch-stats = true\n' "$i" "$i" > "$site/book.toml"
done

echo "building $SITES sites of $PAGES pages, $PARALLEL at a time"
start=$(date +%s.%N)
seq -w 1 "$SITES" | xargs -P "$PARALLEL" -I{} /usr/bin/time -f "site{} %e s %M KB" -o "$org/time-{}.txt" \
  "$LORE" build -q "$org/site{}" --today "$TODAY"
end=$(date +%s.%N)
cat "$org"/time-*.txt
slowest=$(cat "$org"/time-*.txt | sort -k2 -g | tail -n 1)
echo "all sites: $(echo "$end - $start" | bc) s wall ($PARALLEL at a time); slowest site (20 runners at once): $slowest"
fi

manifests=$(cat "$org"/site*/book/lore-site.json | wc -c)
echo "manifests: $manifests bytes in all ($((manifests / SITES)) per site)"
/usr/bin/time -f "portal: %e s, peak %M KB" -o "$org/time-portal.txt" "$LORE" build -q "$org/portal" --today "$TODAY"
cat "$org/time-portal.txt"
echo "portal files: $(find "$org/portal/book" -type f | wc -l); alerts/: $(find "$org/portal/book/alerts" -maxdepth 1 -type d | wc -l) folders"
du -cb "$org"/site*/book/search/stats.bin.gz | tail -1 | awk -v n="$SITES" '{printf "search statistics: %.1f MB in all, %.2f MB per site\n", $1 / 1e6, $1 / 1e6 / n}'
echo "merged search index: $(find "$org/portal/book/search" -type f | wc -l) files, $(du -sb "$org/portal/book/search" | awk '{printf "%.1f MB", $1 / 1e6}')"

if command -v node >/dev/null; then
  first=$org/site$(seq -w 1 "$SITES" | head -n 1)
  queries=$org/queries.txt
  sort -t$'\t' -k3,3nr -k1,1 "$first/.lore/search/words.tsv" | awk -F'\t' 'length($1) >= 4 && $1 !~ /^[0-9]/' \
    | awk 'NR <= 1200 && NR % 40 == 1 {print $1}' >"$queries"
  printf '%s\n' runbook rollback failover escalation decision onboarding >>"$queries"
  echo "== first one-word query, one site ($PAGES pages): $(basename "$first")"
  node "$REPO/bench/search-measure.js" "$first/book" "$queries"
  echo "== first one-word query, the portal's merged index ($SITES sites)"
  node "$REPO/bench/search-measure.js" "$org/portal/book" "$queries"
else
  echo "node not found: the first-query bytes are not measured"
fi
