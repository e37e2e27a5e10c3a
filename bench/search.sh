#!/usr/bin/env bash
# bench/search.sh: measures lore's search on the shared generated corpus: extra build time for
# both indexes, index size, file counts, and the browser searcher's cost for first one-word
# queries (bytes fetched, round trips, query time); with Pagefind's index of the same pages
# (built by Hugo) side by side.
#
#   bench/search.sh                    # 1,000 pages
#   PAGES="1000 10000" bench/search.sh
#   NO_PEERS=1 bench/search.sh         # lore only
#
# Environment: PAGES, LORE (binary; else cargo build --release), BENCH_DIR (default
# /tmp/lore-search-bench; corpora generated there, or copied from /tmp/lore-bench when present),
# SHARED_BENCH (gen_corpus.py and peers.sh), NO_PEERS.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
BENCH_DIR=${BENCH_DIR:-/tmp/lore-search-bench}
PAGES=${PAGES:-1000}
log() { printf '==> %s\n' "$*" >&2; }
command -v node >/dev/null || { echo "error: node is required" >&2; exit 2; }

if [ -z "${LORE:-}" ]; then
  log "cargo build --release"
  (cd "$REPO" && cargo build --release --quiet)
  LORE=${CARGO_TARGET_DIR:-$REPO/target}/release/lore
fi
PAGEFIND=""
if [ -z "${NO_PEERS:-}" ]; then
  eval "$("$SHARED_BENCH/peers.sh")" || true
fi

gz_size() { gzip -9c "$1" | wc -c; }

for n in $PAGES; do
  dir=$BENCH_DIR/c$n
  if [ ! -d "$dir/plain" ]; then
    mkdir -p "$BENCH_DIR"
    if [ -d "/tmp/lore-bench/c$n/plain" ] && [ -d "/tmp/lore-bench/c$n/hugo" ]; then
      log "copying the $n-page corpus from /tmp/lore-bench"
      mkdir -p "$dir" && cp -r "/tmp/lore-bench/c$n/plain" "/tmp/lore-bench/c$n/hugo" "$dir/"
    else
      log "generating $n pages"
      python3 "$SHARED_BENCH/gen_corpus.py" --pages "$n" --out "$dir" --format all
    fi
  fi
  site=$dir/lore
  if [ ! -f "$site/book.toml" ]; then
    mkdir -p "$site"
    printf '[book]\ntitle = "Bench"\nsrc = "src"\n' >"$site/book.toml"
    cp -r "$dir/plain" "$site/src"
  fi
  rm -rf "$site/book" "$site/.lore"
  log "lore build ($n pages)"
  timing=$("$LORE" build "$site" --verbose 2>&1)
  total=$(grep -o 'in [0-9.]* s' <<<"$timing" | grep -o '[0-9.]*')
  search_ms=$(grep 'search: ' <<<"$timing" | awk '{s += $1} END {printf "%.1f", s}')
  out=$site/book/search
  index_bytes=$(find "$out" -type f ! -path "$out/f/*" -printf '%s\n' | awk '{s+=$1} END {print s}')
  frag_bytes=$(find "$out/f" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  files=$(find "$out" -type f | wc -l)
  frag_files=$(find "$out/f" -type f | wc -l)
  largest=$(find "$out" -type f -printf '%s %P\n' | sort -n | tail -1)
  tantivy=$(du -sk "$site/.lore/search" | cut -f1)

  # One-word queries: every 40th of the 1,200 most frequent corpus words (4+ letters), plus
  # words a reader of runbooks types.
  queries=$BENCH_DIR/queries-$n.txt
  sort -t$'\t' -k3,3nr -k1,1 "$site/.lore/search/words.tsv" | awk -F'\t' 'length($1) >= 4 && $1 !~ /^[0-9]/' \
    | awk 'NR <= 1200 && NR % 40 == 1 {print $1}' >"$queries"
  printf '%s\n' runbook rollback failover escalation decision onboarding >>"$queries"

  echo
  echo "== lore, $n pages"
  echo "build: $total s in all; search indexes (tantivy + browser export): $search_ms ms ($(awk -v ms="$search_ms" -v n="$n" 'BEGIN {printf "%.2f", ms / n}') s per 1,000 pages)"
  echo "browser index + word list on disk: $(awk -v b="$index_bytes" -v n="$n" 'BEGIN {printf "%.1f KB, %.3f MB per 1,000 pages", b / 1024, b / 1048576 / n * 1000}')"
  echo "fragments: $(awk -v b="$frag_bytes" 'BEGIN {printf "%.1f MB", b / 1048576}') in $frag_files packs"
  echo "files under search/: $files; largest: $(awk '{printf "%.1f KB (%s)", $1 / 1024, $2}' <<<"$largest")"
  echo "tantivy index (not published, .lore/search): $tantivy KB"
  node "$REPO/bench/search-measure.js" "$site/book" "$queries"

  if [ -n "$PAGEFIND" ] && [ -d "$dir/hugo" ]; then
    echo
    echo "== Pagefind, $n pages (over Hugo's output of the same corpus)"
    if [ ! -d "$dir/hugo/public" ]; then "$HUGO" -s "$dir/hugo" --quiet >/dev/null; fi
    rm -rf "$dir/hugo/public/pagefind"
    start=$(date +%s.%N)
    "$PAGEFIND" --site "$dir/hugo/public" >/dev/null
    end=$(date +%s.%N)
    pf=$dir/hugo/public/pagefind
    echo "index time: $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}') s"
    echo "index chunks: $(find "$pf/index" -type f | wc -l) files, $(du -sk "$pf/index" | cut -f1) KB; fragments: $(find "$pf/fragment" -type f | wc -l) files, $(du -sk "$pf/fragment" | cut -f1) KB"
    echo "files in all: $(find "$pf" -type f | wc -l); largest: $(find "$pf" -type f -printf '%s %P\n' | sort -n | tail -1 | awk '{printf "%.1f KB (%s)", $1 / 1024, $2}')"
    echo "fixed cost before the first chunk: entry + meta + wasm = $(( $(stat -c %s "$pf"/pagefind-entry.json) + $(stat -c %s "$pf"/pagefind.*.pf_meta) + $(stat -c %s "$pf"/wasm.en.pagefind) )) bytes; pagefind.js gz $(gz_size "$pf/pagefind.js") bytes"
    node "$REPO/bench/pagefind-measure.mjs" "$pf" "$queries"
  fi
done
