#!/usr/bin/env bash
# 30-ba.sh - workload 3: the bundle-adjustment reprojection error (ADBench).
source "$(dirname "$0")/../lib.sh"
compile_program ba "$BENCH/workloads/ba/ba.expr"
gradc_program ba_nobranch "$BENCH/workloads/ba/ba_nobranch.expr"
"$PY" "$BENCH/tools.py" size ba_nobranch --gradc-cpp "$SRC/ba_nobranch.cpp" > /dev/null
kernel_objects ba ba_nobranch
pool cxx "$OBJ/hand_ba.o" -c "$BENCH/workloads/ba/hand.cpp"
pool_wait
objs=("$OBJ/ba.o" "$OBJ/ba_nobranch.o" "$OBJ/hand_ba.o")
defs=(-DMODEL=models::BA -DKNAME=ba -DVARIANT=ba_nobranch -DHAVE_HAND)
if [ -f "$OBJ/ba_sympy.o" ]; then objs+=("$OBJ/ba_sympy.o"); defs+=(-DHAVE_SYMPY); fi
cxx "$BIN/bench_ba" $PEER_FLAGS -include "$BENCH/workloads/ba/model.hpp" "${defs[@]}" \
  "$BENCH/harness/main_single.cpp" "${objs[@]}" $PEER_LIBS || true
# Every repetition is one full pass over the 100,000 observations.
BENCH_MIN_CALLS=100000 run_bench ba "$BIN/bench_ba" 100000

cat <<'MD'
<a id="ba"></a>

## Workload 3: bundle adjustment (ADBench reprojection error)

ADBench's `computeReprojError` (`workloads/ba/ba.expr`, and the same code as
a C++ template in `workloads/ba/model.hpp`): camera = Rodrigues rotation,
centre, focal length, principal point, radial distortion k1, k2 (11
parameters); a 3-D point (3) and a weight w (1): 15 inputs, 2 outputs
`w*(proj - feat)`, a 2×15 Jacobian. The observed feature `feat` is an input
of the kernel but not differentiated. Every repetition evaluates the
Jacobian at all 100,000 observations, each with its own camera, point,
weight and feature (a deterministic generator: rotations up to 1.7 rad,
points 2 to 6 units in front of the camera). ADBench's branch for a zero
rotation (`sqtheta != 0`, then `X + r × X`) is in every peer: the C++ peers
use `if` as ADBench does, gradc and SymPy a `where(sqtheta > 0, ...)` (the
same test, as `sqtheta >= 0`), which computes both sides.
The *variant* column is gradc on `ba_nobranch.expr`, the same function
without that branch, to show what the branch costs.

MD
report runtime --id ba --title "Bundle adjustment" --programs ba --compile ba,ba_nobranch \
  --per "per observation (×100,000 for one Jacobian evaluation of the whole set)"
