#!/usr/bin/env bash
# demo.sh - set everything up, then run gradc on the design card's example.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what gradc itself needs (no test tools), and only the gradc target.
bash scripts/install-deps.sh cmake ninja-build g++ libfmt-dev llvm-19-dev
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)" --target gradc
set -x
cat examples/card.expr
build/gradc examples/card.expr --print
build/gradc examples/card.expr --eval x=1,y=2,z=3
build/gradc examples/card.expr --check
build/gradc examples/card.expr -o build/card.cpp
head -40 build/card.cpp
