#!/usr/bin/env bash
# test.sh - set everything up, build from scratch, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/build.sh build-test --fresh
cd build-test
ctest --output-on-failure -j "$(nproc)" --timeout 900
echo "test.sh: all tests passed in $(( $(date +%s) - start )) s"
