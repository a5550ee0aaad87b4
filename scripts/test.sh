#!/usr/bin/env bash
# test.sh - set everything up, build from scratch, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# A compiler cache of this run's own (scripts/build.sh): the sanitized build
# reuses the plain build's test objects, and nothing from earlier runs.
export CCACHE_DIR=$PWD/build-test-ccache
rm -rf "$CCACHE_DIR"
bash scripts/build.sh build-test --fresh
(cd build-test && ctest --output-on-failure -j "$(nproc)" --timeout 900)
plain=$(date +%s)
# The same suite again with AddressSanitizer and UBSan on gradc itself, but
# the tests whose time goes to other programs on gradc's output rather than
# to gradc: names.reserved and unit.batch_kernels (g++ and clang++ on
# generated code), unit.llvm_verify (opt-19 on generated modules) and
# latex.compiles (pdflatex). The code that writes that output runs under
# the sanitizers in the other tests (goldens, unit.batch, unit.property).
bash scripts/build.sh build-test-asan --fresh -DGRADC_SANITIZE=ON
(cd build-test-asan && ctest --output-on-failure -j "$(nproc)" --timeout 900 \
   -E '^(names\.reserved|unit\.batch_kernels|unit\.llvm_verify|latex\.compiles)$')
asan=$(date +%s)
# A libFuzzer smoke run (docs/fuzzing.md): clang-19 builds only gradc_core
# and the fuzz targets, sanitized; each target runs 6 s from fresh seeds
# (the long runs are scripts/fuzz.sh 3600, docs/fuzzing.md).
rm -rf build-test-fuzz
FUZZ_BUILD=build-test-fuzz bash scripts/fuzz.sh 6
end=$(date +%s)
echo "test.sh: all tests passed (plain, sanitized, fuzz smoke) in $((end - start)) s" \
     "(plain $((plain - start)) s, sanitized $((asan - plain)) s, fuzz $((end - asan)) s)"
