#!/usr/bin/env bash
# test.sh - set everything up, build from scratch, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/build.sh build-test --fresh
(cd build-test && ctest --output-on-failure -j "$(nproc)" --timeout 900)
plain=$(date +%s)
# The same suite again with AddressSanitizer and UBSan on gradc itself, but
# names.reserved, which exercises g++ and clang++ on generated code rather
# than gradc (and takes a minute).
bash scripts/build.sh build-test-asan --fresh -DGRADC_SANITIZE=ON
(cd build-test-asan && ctest --output-on-failure -j "$(nproc)" --timeout 900 -E '^names\.reserved$')
asan=$(date +%s)
# A libFuzzer smoke run (docs/fuzzing.md): clang-19 builds only gradc_core
# and the fuzz targets, sanitized; each target runs 10 s from fresh seeds.
rm -rf build-test-fuzz
FUZZ_BUILD=build-test-fuzz bash scripts/fuzz.sh 10
end=$(date +%s)
echo "test.sh: all tests passed (plain, sanitized, fuzz smoke) in $((end - start)) s" \
     "(plain $((plain - start)) s, sanitized $((asan - plain)) s, fuzz $((end - asan)) s)"
