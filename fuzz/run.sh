#!/usr/bin/env bash
# Runs lore's fuzz targets (cargo-fuzz, nightly toolchain), each for SECONDS (default 600),
# seeding each corpus from the repository's fixtures and example site. Crashes and timeouts
# land in fuzz/artifacts/<target>/; keep each one as a regression input under
# fuzz/regressions/<target>/ once it is fixed (`cargo test` replays them on stable).
#
#   fuzz/run.sh [SECONDS] [TARGET…]      e.g. fuzz/run.sh 600 page markdown
#
# Needs: `rustup toolchain install nightly` and `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(page adr markdown book_toml summary http alert_rules)

seed() {
  local target=$1 dir=corpus/$1
  mkdir -p "$dir" "artifacts/$target"
  case $target in
    page|adr|markdown) find ../tests/fixtures ../content-example -name '*.md' ! -name SUMMARY.md ;;
    book_toml) find ../tests/fixtures ../content-example .. -maxdepth 4 -name book.toml ;;
    summary) find ../tests/fixtures ../content-example -name SUMMARY.md ;;
    http) find regressions/http -type f ! -name '.*' ;;
    search_stats) find regressions/search_stats -type f ! -name '.*' ;;
    search_ledger) find regressions/search_ledger -type f ! -name '.*' ;;
    words_memo) find regressions/words_memo -type f ! -name '.*' ;;
    alert_rules) find ../tests/fixtures ../monitoring -name '*.yml' -o -name '*.yaml' ;;
  esac | while read -r f; do cp "$f" "$dir/$(sha1sum "$f" | cut -c1-16)"; done
  if [ -d "regressions/$target" ]; then cp regressions/"$target"/* "$dir/" 2>/dev/null || true; fi
}

for target in "${targets[@]}"; do
  seed "$target"
  echo "== $target: ${seconds}s"
  cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)' || true
done
