#!/usr/bin/env bash
# bench/warm.sh: times the warm build (the build cache in .lore/cache/ kept from the last build)
# against the cold one (`--no-cache`) in the same run, on the shared generated corpus, and
# prints medians, ratios and peak memory.
#
#   bench/warm.sh                      # 10,000 pages, 3 rounds
#   PAGES=1000 RUNS=5 bench/warm.sh
#
# Each round, on a copy of the corpus:
#   1. cold: `lore build --no-cache` of the sources as they are, from an empty build folder;
#   2. bodies: 10 pages get a new paragraph, then `lore build` (warm);
#   3. title: 1 page gets a new title, then `lore build` (warm).
# The warm builds find the previous build folder, as a second build does; with FRESH_OUTPUT=1
# it is removed (untimed) before them too, as on a CI runner that restores only .lore/.
# The cache is primed by one untimed `lore build` before the first round.
#
# Environment: FRESH_OUTPUT (see above), PAGES (default 10000), RUNS (default 3), LORE (binary;
# default: cargo build --release), BENCH_DIR (default /tmp/lore-bench; the corpus is made there as bench/build.sh
# makes it), SHARED_BENCH (where gen_corpus.py lives).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$REPO/../shared/bench}
BENCH_DIR=${BENCH_DIR:-/tmp/lore-bench}
PAGES=${PAGES:-10000}
RUNS=${RUNS:-3}
TODAY=2026-11-30

log() { printf '==> %s\n' "$*" >&2; }

if [ -z "${LORE:-}" ]; then
  log "cargo build --release"
  (cd "$REPO" && cargo build --release)
  LORE=${CARGO_TARGET_DIR:-$REPO/target}/release/lore
fi
[ -x "$LORE" ] || { echo "error: LORE=$LORE is not an executable" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is needed (Debian package: time)" >&2; exit 1; }

src=$BENCH_DIR/c$PAGES/plain
if [ ! -d "$src" ]; then
  [ -f "$SHARED_BENCH/gen_corpus.py" ] || { echo "error: $SHARED_BENCH/gen_corpus.py not found" >&2; exit 2; }
  log "generating $PAGES pages into $BENCH_DIR/c$PAGES/plain"
  python3 "$SHARED_BENCH/gen_corpus.py" --pages "$PAGES" --out "$BENCH_DIR/c$PAGES.tmp" --format plain
  mkdir -p "$BENCH_DIR/c$PAGES"
  mv "$BENCH_DIR/c$PAGES.tmp" "$src"
fi
site=$BENCH_DIR/warm$PAGES
rm -rf "$site"
mkdir -p "$site/src"
cp -r "$src"/. "$site/src/"
printf '[book]\ntitle = "Bench"\nsrc = "src"\n' >"$site/book.toml"
results=$BENCH_DIR/warm$PAGES.tsv
printf 'round\tbuild\twall_s\tpeak_kb\treused\n' >"$results"

# build ROUND NAME ARGS... : one timed build (the cold one from an empty build folder)
build() {
  local round=$1 name=$2 out
  shift 2
  if [ "$name" = cold ] || [ "${FRESH_OUTPUT:-0}" = 1 ]; then
    rm -rf "$site/book"
  fi
  sync
  out=$BENCH_DIR/warm$PAGES-$name-$round.log
  /usr/bin/time -f '%e %M' -o "$out.time" "$LORE" -v build "$site" --today "$TODAY" "$@" >"$out" 2>&1 ||
    { tail -n 20 "$out" >&2; exit 1; }
  local reused
  reused=$(grep -o '^[0-9]* of [0-9]* pages reused' "$out" | cut -d' ' -f1 || true)
  printf '%s\t%s\t%s\t%s\n' "$round" "$name" "$(tail -n 1 "$out.time" | tr ' ' '\t')" "${reused:-NA}" >>"$results"
}

# edit ROUND KIND : 10 page bodies or 1 title, different pages each round
edit() {
  python3 - "$site/src" "$1" "$2" <<'PY'
import pathlib, sys
root, round_, kind = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
pages = sorted(p for p in root.rglob("*.md") if p.name not in ("SUMMARY.md", "README.md"))
if kind == "bodies":
    for k in range(10):
        page = pages[(round_ * 10 + k) * 97 % len(pages)]
        page.write_text(page.read_text() + f"\nEdited in round {round_}: a new paragraph.\n")
else:
    page = pages[(round_ * 7919) % len(pages)]
    lines = page.read_text().split("\n")
    lines = [f"title: Renamed in round {round_}" if l.startswith("title:") else l for l in lines]
    page.write_text("\n".join(lines))
PY
}

log "priming the cache ($PAGES pages)"
build 0 prime
for round in $(seq 1 "$RUNS"); do
  log "round $round of $RUNS"
  build "$round" cold --no-cache
  edit "$round" bodies
  build "$round" bodies
  edit "$round" title
  build "$round" title
done

python3 - "$results" "$PAGES" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if r["build"] != "prime"]
med = lambda name, key: statistics.median(float(r[key]) for r in rows if r["build"] == name)
cold = med("cold", "wall_s")
print(f"{int(sys.argv[2]):,} pages, {len(rows) // 3} rounds (medians)")
print(f"{'build':<28}{'wall s':>8}{'peak MiB':>10}{'ratio':>8}  reused")
for name, label in [("cold", "cold (--no-cache)"), ("bodies", "warm, 10 bodies changed"), ("title", "warm, 1 title changed")]:
    reused = [r["reused"] for r in rows if r["build"] == name]
    print(f"{label:<28}{med(name, 'wall_s'):>8.2f}{med(name, 'peak_kb') / 1024:>10.0f}{med(name, 'wall_s') / cold:>8.3f}  {reused[0]}")
print("budgets (DESIGN.md): 10 bodies <= 0.25 x cold, 1 title <= 0.40 x cold")
PY
