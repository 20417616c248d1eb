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
step "tests (ASan+UBSan) and fuzzers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 900
