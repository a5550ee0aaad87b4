#!/usr/bin/env bash
# test.sh - set everything up, build from scratch, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/build.sh build-test --fresh
(cd build-test && ctest --output-on-failure -j "$(nproc)" --timeout 900)
# The same suite again with AddressSanitizer and UBSan on gradc itself.
bash scripts/build.sh build-test-asan --fresh -DGRADC_SANITIZE=ON
(cd build-test-asan && ctest --output-on-failure -j "$(nproc)" --timeout 900)
echo "test.sh: all tests passed (plain and sanitized) in $(( $(date +%s) - start )) s"
