#!/usr/bin/env bash
# 99-summary.sh - the headline ratios over every workload. scripts/bench.sh
# runs summary sections last (they read the other sections' results) and
# puts their output right after the header.
source "$(dirname "$0")/../lib.sh"
report summary
cat <<'MD'
Where gradc misses a target, the target tables say so with the reason found
by profiling; the details are in [Analysis](#analysis). The peers:
**hand-written** C++ gradients (`bench/workloads/*/hand.cpp`), **ADOL-C**
taped reverse mode with the tape reused (*taped*) or recorded again at each
call (*re-taped*), **Ceres** `Jet` forward-mode dual numbers, **SymPy**
`diff` + `cse` + `ccode` compiled with the same g++ flags, and **central
finite differences** on gradc's forward kernel (2k + 1 calls). The harness
is `bench/harness/`.

MD
