#!/usr/bin/env bash
# build.sh [release|asan] — configures and builds one tree.
#   release: g++, RelWithDebInfo, in build/
#   asan:    clang, AddressSanitizer + UndefinedBehaviorSanitizer + libFuzzer targets, in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
# ccache (scripts/deps/build.txt) makes rebuilds on the same machine cheap.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout, so another clone of the repo hits the cache too.
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
fi
case "$kind" in
  release)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
    cmake --build build ;;
  asan)
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug "${launcher[@]}" \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
      -DGMSA_SANITIZE=ON -DGMSA_FUZZ=ON -DGMSA_BENCH=OFF \
      -DGMSA_FUZZ_SECONDS="${GMSA_FUZZ_SECONDS:-60}" >/dev/null
    cmake --build build-asan ;;
  *) echo "usage: build.sh [release|asan]" >&2; exit 2 ;;
esac
