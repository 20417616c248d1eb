#!/usr/bin/env bash
# run-fuzzer.sh BINARY SEED_CORPUS SECONDS
# Runs a libFuzzer target for a bounded time over a scratch copy of the seed
# corpus (the repo's corpus is never written). Non-zero exit on any crash,
# leak or sanitizer report.
set -euo pipefail
bin=$1 seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" 2>"$work/log" || {
  tail -n 60 "$work/log"
  for f in "$work"/artifacts/*; do [ -f "$f" ] && { echo "crash input ($f):"; xxd "$f" | head -40; }; done
  exit 1
}
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "$work/log" || true
