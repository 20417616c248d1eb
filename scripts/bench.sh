#!/usr/bin/env bash
# The benchmark suite (docs/benchmarks.md): builds lease_suite and the
# binaries, runs it against a private lab (root; its own netns gmsa-prove),
# then writes the results table into docs/benchmarks.md and the plot
# docs/benchmarks.png (gnuplot, scripts/deps/prove.txt).
#   scripts/bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" -j2 --target lease_suite gmsa gmsa-brokerd
out="$BUILD/bench-results.json"
"$BUILD/bench/suite/lease_suite" "$@" --out "$out" > /dev/null
python3 scripts/bench_report.py "$out" docs/benchmarks.md "$BUILD/bench-plot.dat"
gnuplot -e "datafile='$BUILD/bench-plot.dat'; outfile='docs/benchmarks.png'" scripts/bench_plot.gp
echo "bench: results in $out, docs/benchmarks.md and docs/benchmarks.png"
