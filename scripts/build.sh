#!/usr/bin/env bash
# build.sh [BUILD_DIR] [--fresh] - install what is missing, configure and build.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
bash scripts/install-deps.sh
if [ "${2:-}" = "--fresh" ]; then rm -rf "$dir"; fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON
cmake --build "$dir" -j "$(nproc)"
