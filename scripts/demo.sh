#!/usr/bin/env bash
# The README's main command. Until the lab domain and the daemon land, it
# builds the tools and shows what exists.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
build/src/bin/gmsa --help
