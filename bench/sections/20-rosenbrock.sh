#!/usr/bin/env bash
# 20-rosenbrock.sh - workload 2: the extended Rosenbrock function, n = 100 and 1000.
source "$(dirname "$0")/../lib.sh"
ns=(100 1000)
for n in "${ns[@]}"; do
  "$PY" "$BENCH/workloads/rosenbrock/gen_rosenbrock.py" "$n" > "$SRC/rosenbrock_$n.expr"
  compile_program "rosenbrock_$n" "$SRC/rosenbrock_$n.expr"
done
kernel_objects rosenbrock_100 rosenbrock_1000
for n in "${ns[@]}"; do
  pool cxx "$OBJ/hand_rosenbrock_$n.o" -c -DROSEN_N="$n" "$BENCH/workloads/rosenbrock/hand.cpp"
done
pool_wait
for n in "${ns[@]}"; do
  p=rosenbrock_$n
  objs=("$OBJ/$p.o" "$OBJ/hand_$p.o")
  defs=(-DMODEL="models::Rosenbrock<$n>" -DKNAME="$p" -DHAVE_HAND)
  if [ -f "$OBJ/${p}_sympy.o" ]; then objs+=("$OBJ/${p}_sympy.o"); defs+=(-DHAVE_SYMPY); fi
  pool cxx "$BIN/bench_$p" $PEER_FLAGS -include "$BENCH/workloads/rosenbrock/model.hpp" "${defs[@]}" \
    "$BENCH/harness/main_single.cpp" "${objs[@]}" $PEER_LIBS
done
pool_wait
for n in "${ns[@]}"; do run_bench "rosenbrock_$n" "$BIN/bench_rosenbrock_$n" 1000; done

cat <<'MD'
<a id="rosenbrock"></a>

## Workload 2: the extended Rosenbrock function

`f(x) = sum_{i<n/2} 100 (x[2i+1] - x[2i]^2)^2 + (1 - x[2i])^2` (Moré, Garbow
and Hillstrom's test function 21), n = 100 and n = 1000 scalar inputs,
gradient only (`workloads/rosenbrock/gen_rosenbrock.py` writes it as n/2
statements and a `sum`). 1,000 varied inputs, uniform in [-2, 2]. The
hand-written gradient is the obvious loop; Ceres uses one
`Jet<double, n>` per input (what `ceres::AutoDiffFirstOrderFunction` does
for a parameter block of size n).

MD
report runtime --id rosenbrock --title "Extended Rosenbrock" --programs rosenbrock_100,rosenbrock_1000
cat <<'MD'
Forward mode pays n-wide Jets on every operation, so Ceres's cost grows
with n² here; so does that of central differences.

MD
