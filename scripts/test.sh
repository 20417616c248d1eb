#!/usr/bin/env bash
# The project's test command (README): installs dependencies, builds, and runs
# the whole suite twice — once optimised (g++), once under ASan+UBSan (clang),
# which also runs every fuzz target for GMSA_FUZZ_SECONDS (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "build (release)"
scripts/build.sh release
step "tests (release)"
ctest --test-dir build --output-on-failure -j2 --timeout 600

step "build (ASan+UBSan, fuzzers)"
scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "tests (ASan+UBSan)"
ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 -LE fuzz
# Every fuzz target at once: each runs GMSA_FUZZ_SECONDS of wall time (the
# targets share the cores), so the whole step takes about that long.
step "fuzzers (${GMSA_FUZZ_SECONDS:-60} s each, all at once)"
ctest --test-dir build-asan --output-on-failure -j16 --timeout 900 -L fuzz
