#!/usr/bin/env bash
# 10-examples.sh - workload 1: the course programs of examples/.
source "$(dirname "$0")/../lib.sh"
progs=(card relu_net two_unit_bce regression_net skip_bce)
types=(models::Card models::ReluNet models::TwoUnitBce models::RegressionNet models::SkipBce)

for p in "${progs[@]}"; do compile_program "$p" "$BENCH_ROOT/examples/$p.expr"; done
kernel_objects "${progs[@]}"
pool cxx "$OBJ/hand_examples.o" -c "$BENCH/workloads/examples/hand.cpp"
pool_wait
for i in "${!progs[@]}"; do
  p=${progs[$i]}
  objs=("$OBJ/$p.o" "$OBJ/hand_examples.o")
  defs=(-DMODEL="${types[$i]}" -DKNAME="$p" -DHAVE_HAND)
  if [ -f "$OBJ/${p}_sympy.o" ]; then objs+=("$OBJ/${p}_sympy.o"); defs+=(-DHAVE_SYMPY); fi
  pool cxx "$BIN/bench_$p" $PEER_FLAGS -include "$BENCH/workloads/examples/models.hpp" "${defs[@]}" \
    "$BENCH/harness/main_single.cpp" "${objs[@]}" $PEER_LIBS
done
pool_wait
for p in "${progs[@]}"; do run_bench "$p" "$BIN/bench_$p" 10000; done

cat <<'MD'
<a id="examples"></a>

## Workload 1: the course programs

The programs of `examples/` that the course works by hand: the design card
(`card`), the ReLU nets (`relu_net`: three units on a scalar;
`two_unit_bce`: two units, a sigmoid and binary cross-entropy;
`regression_net`: Linear(4→3) → 3·ReLU → Linear(3→2), squared loss) and the
skip connection with BCE (`skip_bce`, two outputs, so a 2×6 Jacobian). Each
call gets one of 10,000 varied inputs (uniform in [-2, 2], labels in [0, 1]).
Peers: the hand-written gradients in `workloads/examples/hand.cpp` (the
closed forms of the examples' comments); ADOL-C and Ceres evaluate the same
functions written once as C++ templates (`workloads/examples/models.hpp`);
SymPy's C comes from the same `.expr` files; central differences call gradc's
`NAME` 2k + 1 times.

MD
report runtime --id examples --title "Course programs" --programs "$(IFS=,; echo "${progs[*]}")"
cat <<'MD'
These kernels do 10 to 200 operations, so a call costs a few nanoseconds and
the figures are throughput over independent calls (the loop, the indirect
call and the loads of the input are part of every peer's time alike). At
this size the fixed cost of a tool is what shows: ADOL-C spends about 2 µs
per call opening its tape, whatever the function.

MD
