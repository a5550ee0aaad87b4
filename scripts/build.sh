#!/usr/bin/env bash
# build.sh [BUILD_DIR] [--fresh] [--target T] [CMAKE_ARGS...] - install what
# is missing (apt-get runs only then), configure and build: Release, with the
# tests and -Werror (the developer build); --target builds only T (e.g. gradc).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
bash scripts/install-deps.sh
if [ "${1:-}" = "--fresh" ]; then rm -rf "$dir"; shift; fi
target=()
if [ "${1:-}" = "--target" ]; then target=(--target "$2"); shift 2; fi
# Compiles through ccache: the same source with the same flags in another
# build tree (scripts/test.sh's plain and sanitized builds share their test
# objects) is compiled once. Paths under the checkout are hashed relative
# to it, so build trees side by side share. Depend mode: a miss costs no
# extra preprocessor run (the compiler's own -MD output lists the headers).
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 CCACHE_DEPEND=1
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON -DGRADC_WERROR=ON \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@"
cmake --build "$dir" -j "$(nproc)" "${target[@]}"
