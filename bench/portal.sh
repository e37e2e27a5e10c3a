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
#      time, peak memory, the manifests' total size
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
  printf '[book]\ntitle = "Site %s"\n\n[output.html]\nsite-url = "https://docs.example.com/site%s/"\n' "$i" "$i" > "$site/book.toml"
done

echo "building $SITES sites of $PAGES pages, $PARALLEL at a time"
start=$(date +%s.%N)
seq -w 1 "$SITES" | xargs -P "$PARALLEL" -I{} /usr/bin/time -f "site{} %e s %M KB" -o "$org/time-{}.txt" \
  "$LORE" build -q "$org/site{}" --today "$TODAY"
end=$(date +%s.%N)
cat "$org"/time-*.txt
slowest=$(cat "$org"/time-*.txt | sort -k2 -g | tail -n 1)
echo "all sites: $(echo "$end - $start" | bc) s wall ($PARALLEL at a time); slowest site (20 runners at once): $slowest"

manifests=$(cat "$org"/site*/book/lore-site.json | wc -c)
echo "manifests: $manifests bytes in all ($((manifests / SITES)) per site)"
/usr/bin/time -f "portal: %e s, peak %M KB" -o "$org/time-portal.txt" "$LORE" build -q "$org/portal" --today "$TODAY"
cat "$org/time-portal.txt"
echo "portal files: $(find "$org/portal/book" -type f | wc -l); alerts/: $(find "$org/portal/book/alerts" -maxdepth 1 -type d | wc -l) folders"
