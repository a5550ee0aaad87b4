#!/usr/bin/env bash
# 40-arrays.sh - workload 4: array programs, a small MLP and the ADBench GMM.
source "$(dirname "$0")/../lib.sh"
N=1000
configs=("2 5" "2 25" "10 5" "10 25")  # D K

compile_program mlp "$BENCH/workloads/mlp/mlp.expr"
gmm_progs=() gmm_compiled=()
for c in "${configs[@]}"; do
  read -r d k <<<"$c"
  "$PY" "$BENCH/workloads/gmm/gen_gmm.py" "$d" "$k" "$N" "$SRC"
  compile_program "gmm_point_${d}_$k" "$SRC/gmm_point_${d}_$k.expr"
  compile_program "gmm_rest_${d}_$k" "$SRC/gmm_rest_${d}_$k.expr"
  gmm_progs+=("gmm_${d}_$k")
  gmm_compiled+=("gmm_point_${d}_$k" "gmm_rest_${d}_$k")
done
kernel_objects mlp "${gmm_compiled[@]}"
pool cxx "$OBJ/hand_mlp.o" -c "$BENCH/workloads/mlp/hand.cpp"
pool_wait

objs=("$OBJ/mlp.o" "$OBJ/hand_mlp.o")
defs=(-DMODEL=models::MLP -DKNAME=mlp -DHAVE_HAND)
if [ -f "$OBJ/mlp_sympy.o" ]; then objs+=("$OBJ/mlp_sympy.o"); defs+=(-DHAVE_SYMPY); fi
pool cxx "$BIN/bench_mlp" $PEER_FLAGS -include "$BENCH/workloads/mlp/model.hpp" "${defs[@]}" \
  "$BENCH/harness/main_single.cpp" "${objs[@]}" $PEER_LIBS
for c in "${configs[@]}"; do
  read -r d k <<<"$c"
  pt=gmm_point_${d}_$k rs=gmm_rest_${d}_$k
  objs=("$OBJ/$pt.o" "$OBJ/$rs.o")
  defs=(-DGMM_D="$d" -DGMM_K="$k" -DGMM_N="$N" -DPOINT="$pt" -DREST="$rs")
  if [ -f "$OBJ/${pt}_sympy.o" ] && [ -f "$OBJ/${rs}_sympy.o" ]; then
    objs+=("$OBJ/${pt}_sympy.o" "$OBJ/${rs}_sympy.o")
    defs+=(-DHAVE_SYMPY)
  fi
  pool cxx "$BIN/bench_gmm_${d}_$k" $PEER_FLAGS -I"$BENCH/workloads/gmm" "${defs[@]}" \
    "$BENCH/workloads/gmm/main_gmm.cpp" "${objs[@]}" $PEER_LIBS
done
pool_wait
run_bench mlp "$BIN/bench_mlp" 10000
for p in "${gmm_progs[@]}"; do run_bench "$p" "$BIN/bench_$p"; done

cat <<'MD'
<a id="arrays"></a>

## Workload 4: array programs

### A small MLP

`workloads/mlp/mlp.expr`: 8 features, 16 tanh units, 4 classes,
softmax cross-entropy (`logsumexp(z) - dot(y, z)`) against a one-hot label;
the gradient with respect to the 212 weights and biases, written with `@`,
`tanh`, `logsumexp` and `dot` and unrolled by gradc. 10,000 varied inputs
(weights uniform in [-0.5, 0.5], features in [-2, 2], random labels). The
hand-written code is textbook backpropagation (`workloads/mlp/hand.cpp`).

MD
report runtime --id mlp --title "MLP" --programs mlp
cat <<MD
<a id="gmm"></a>

### Gaussian mixture (ADBench GMM)

ADBench's GMM objective (\`gmm_objective\`: weights \`alphas\`, means,
\`icf\` = log-diagonal and strict lower triangle of each inverse Cholesky
factor, \`logsumexp\` over the K components, the Wishart prior with ADBench's
gamma = 1, m = 0) for D = 2 and 10 dimensions, K = 5 and 25 components,
N = $N points, gradient with respect to all K(1 + D + D(D+1)/2) parameters.
Unrolled over all N points the program would have up to 3 million
operations (D = 10, K = 25), far beyond what g++ compiles in reasonable
time, so it is split the way ADBench's own C++ is organised
(\`workloads/gmm/gen_gmm.py\`): the preprocessing once (Qdiag = exp of the
log-diagonal, \`alphas + sum_qs\`), **one kernel per point** that the harness
calls N times and sums, and one kernel for the terms without points. Every
peer gets the same split, the same harness loop (copy the point, call the
kernel, add its P entries into the sum) and the same chain rule for the
preprocessing (\`workloads/gmm/main_gmm.cpp\`). ADOL-C tapes the per-point
function once and reuses it for every point (taped) or tapes it for each
point (re-taped); Ceres seeds one \`Jet<double, P>\` per parameter. The time
is that of one objective gradient: N × (per-point call) + the rest. grad ÷
fwd compares gradc's per-point kernels alone (the sum adds P additions per
point to the gradient).

MD
report runtime --id gmm --title "GMM" --programs "$(IFS=,; echo "${gmm_progs[*]}")" \
  --compile "$(IFS=,; echo "${gmm_compiled[*]}")" \
  --per "per objective gradient (N = $N points)"
