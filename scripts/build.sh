#!/usr/bin/env bash
# build.sh [BUILD_DIR] [--fresh] [CMAKE_ARGS...] - install what is missing,
# configure and build (Release, with tests).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
bash scripts/install-deps.sh
if [ "${1:-}" = "--fresh" ]; then rm -rf "$dir"; shift; fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON "$@"
cmake --build "$dir" -j "$(nproc)"
