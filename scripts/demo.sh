#!/usr/bin/env bash
# demo.sh - set everything up, then run gradc on the design card's example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build
set -x
cat examples/card.expr
build/gradc examples/card.expr --print
build/gradc examples/card.expr --eval x=1,y=2,z=3
build/gradc examples/card.expr --check
build/gradc examples/card.expr -o build/card.cpp
head -40 build/card.cpp
