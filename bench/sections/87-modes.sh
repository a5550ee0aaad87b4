#!/usr/bin/env bash
# 87-modes.sh - Jacobian modes (--mode=forward|reverse|auto) and second
# derivatives (NAME_hess, NAME_hvp): the pendulum rollout (one wrt, N
# outputs), a program of 10^5 outputs of 2 inputs, and the Hessian and H v
# of Rosenbrock, the MLP and the GMM against ADOL-C and SymPy. Figures are
# reported, never asserted. Its files live in bench/out/modes/
# (workloads/modes/modes.py keeps the records and prints the tables).
#
# Environment (besides lib.sh's): BENCH_MODES_GXX_TIMEOUT (120 s per g++ run),
# BENCH_MODES_SYMPY_TIMEOUT (60 s per SymPy Hessian), BENCH_MODES_JIT_TIMEOUT
# (60 s for the -O2 JIT of 10^5 outputs), BENCH_MODES_GRADC_TIMEOUT (300 s);
# BENCH_MODES_REPORT_ONLY=1 prints the tables from the last run's records
# without measuring anything again.
source "$(dirname "$0")/../lib.sh"
W=$BENCH/workloads/modes
MODES=$BENCH_OUT/modes
SRC=$MODES/src OBJ=$MODES/obj BIN=$MODES/bin RES=$MODES/results
[ -n "${BENCH_MODES_REPORT_ONLY:-}" ] || rm -rf "$MODES"
mkdir -p "$SRC" "$OBJ" "$BIN" "$RES"
GXX_TIMEOUT=${BENCH_MODES_GXX_TIMEOUT:-120}
MSYMPY_TIMEOUT=${BENCH_MODES_SYMPY_TIMEOUT:-60}
JIT_TIMEOUT=${BENCH_MODES_JIT_TIMEOUT:-60}
GRADC_TIMEOUT=${BENCH_MODES_GRADC_TIMEOUT:-300}
WIDE=100000
WIDE_S=$("$PY" -c "print(f'{$WIDE:,}')")
t_start=$(date +%s)
modes() { "$PY" "$W/modes.py" "$@" > /dev/null; }
# mgradc NAME KERNEL_NAME EXPR [GRADC_ARGS...]: $SRC/NAME.cpp, its record NAME.
mgradc() {
  local name=$1 cname=$2 expr=$3
  shift 3
  log "gradc $name $*"
  modes gradc "$name" "$expr" "$SRC/$name.cpp" --gradc "$GRADC" --reps "$GRADC_REPS" \
    --timeout "$GRADC_TIMEOUT" --args="--name $cname $*" || log "gradc $name failed"
}
# mgxx NAME KEY CPP [--predict-from NAME:KEY]: $OBJ/NAME.o if g++ makes it in time.
mgxx() {
  local name=$1 key=$2 cpp=$3
  shift 3
  [ -f "$cpp" ] || return 0
  log "g++ $(basename "$cpp") ($(du -h "$cpp" | cut -f1))"
  modes gxx "$name" "$key" "$cpp" "$OBJ/$(basename "$cpp" .cpp).o" --timeout "$GXX_TIMEOUT" "$@" ||
    log "g++ $cpp failed"
}
meval() {  # meval NAME KEY [--ref FILE] [GRADC_ARGS as one string]
  local name=$1 key=$2 args=$3
  shift 3
  log "gradc --eval $name $key $args"
  modes eval "$name" "$key" "$SRC/wide.expr" --gradc "$GRADC" --inputs a=1,b=2 --args="$args" "$@" ||
    log "eval $name $key failed"
}

pend_ns=(100 300 1000)
modes_list=(forward reverse auto)
hess_progs=(rosenbrock_100 rosenbrock_1000 mlp gmm_point_2_5)
if [ -z "${BENCH_MODES_REPORT_ONLY:-}" ]; then
# ---- 1. programs, and gradc (two jobs at a time; the slowest first) ---------
for n in "${pend_ns[@]}"; do "$PY" "$W/gen_modes.py" pendulum "$n" > "$SRC/pendulum_$n.expr"; done
"$PY" "$W/gen_modes.py" wide "$WIDE" > "$SRC/wide.expr"
for n in 100 1000; do "$PY" "$BENCH/workloads/rosenbrock/gen_rosenbrock.py" "$n" > "$SRC/rosenbrock_$n.expr"; done
cp "$BENCH/workloads/mlp/mlp.expr" "$SRC/mlp.expr"
"$PY" "$BENCH/workloads/gmm/gen_gmm.py" 2 5 1000 "$SRC"

pool mgradc pendulum_1000_reverse pendulum_1000_reverse "$SRC/pendulum_1000.expr" --mode=reverse
# The reference of the 10^5-output check: forward mode, the interpreter.
meval wide_forward interp "--mode=forward --interp"
ref=$MODES/eval/wide_forward.interp.json
for n in "${pend_ns[@]}"; do
  for m in "${modes_list[@]}"; do
    if [ "$n.$m" != 1000.reverse ]; then pool mgradc "pendulum_${n}_$m" "pendulum_${n}_$m" "$SRC/pendulum_$n.expr" --mode="$m"; fi
  done
done
for m in "${modes_list[@]}"; do
  pool mgradc "wide_$m" "wide_$m" "$SRC/wide.expr" --mode="$m"
  if [ "$m" != forward ]; then pool meval "wide_$m" interp "--mode=$m --interp" --ref "$ref"; fi
  pool meval "wide_$m" jit_O0 "--mode=$m -O0" --ref "$ref"
done
# The JIT at its default -O2, for the mode auto picks only (it is slow on
# 500,000 operations; the other modes' code is the same size).
pool meval wide_auto jit "--mode=auto" --ref "$ref" --timeout "$JIT_TIMEOUT"
for p in "${hess_progs[@]}"; do
  pool mgradc "${p}_k" "$p" "$SRC/$p.expr" --kernels=f,grad,hvp
  pool mgradc "${p}_hess" "$p" "$SRC/$p.expr" --kernels=hess
done
for p in rosenbrock_100 gmm_point_2_5 mlp; do
  log "sympy Hessian $p (limit ${MSYMPY_TIMEOUT} s)"
  pool modes sympy "$p" "$SRC/$p.expr" "$SRC/${p}_sympy.cpp" --cname "$p" --timeout "$MSYMPY_TIMEOUT"
done
pool_wait

# ---- 2. g++ -O2 of the kernels (two at a time; the longest first) -----------
same=()
for n in "${pend_ns[@]}"; do
  if [ -f "$SRC/pendulum_${n}_auto.cpp" ] && [ -f "$SRC/pendulum_${n}_forward.cpp" ] &&
    "$PY" "$W/modes.py" same "pendulum_${n}_auto" "$SRC/pendulum_${n}_auto.cpp" "pendulum_${n}_auto" \
      forward "$SRC/pendulum_${n}_forward.cpp" "pendulum_${n}_forward" > /dev/null 2>&1; then
    same+=("$n")
  fi
done
is_same() { [[ " ${same[*]} " == *" $1 "* ]]; }
pool mgxx mlp_hess gxx "$SRC/mlp_hess.cpp"
pool mgxx rosenbrock_1000_k gxx "$SRC/rosenbrock_1000_k.cpp"
pool mgxx rosenbrock_100_hess gxx "$SRC/rosenbrock_100_hess.cpp"
pool mgxx pendulum_100_reverse gxx "$SRC/pendulum_100_reverse.cpp"
for n in 1000 300 100; do
  pool mgxx "pendulum_${n}_forward" gxx "$SRC/pendulum_${n}_forward.cpp"
  is_same "$n" || pool mgxx "pendulum_${n}_auto" gxx "$SRC/pendulum_${n}_auto.cpp"
done
for p in mlp gmm_point_2_5 rosenbrock_100; do pool mgxx "${p}_k" gxx "$SRC/${p}_k.cpp"; done
pool mgxx gmm_point_2_5_hess gxx "$SRC/gmm_point_2_5_hess.cpp"
for p in rosenbrock_100 gmm_point_2_5 mlp; do pool mgxx "$p" gxx_sympy "$SRC/${p}_sympy.cpp"; done
pool_wait
# Not tried when the same kind of file, compiled above, says g++ would run
# past the limit.
for n in 300 1000; do
  pool mgxx "pendulum_${n}_reverse" gxx "$SRC/pendulum_${n}_reverse.cpp" --predict-from pendulum_100_reverse:gxx
done
pool mgxx rosenbrock_1000_hess gxx "$SRC/rosenbrock_1000_hess.cpp" --predict-from rosenbrock_100_hess:gxx
pool_wait

# ---- 3. harnesses, then the timed runs one at a time ------------------------
for n in "${pend_ns[@]}"; do
  objs=() defs=(-DPROG="pendulum_$n" -DN_IN=3 -DN_OUT="$n" -DN_WRT=1)
  for m in "${modes_list[@]}"; do
    if [ -f "$OBJ/pendulum_${n}_$m.o" ]; then
      objs+=("$OBJ/pendulum_${n}_$m.o")
      defs+=(-DHAVE_"${m^^}")
    fi
  done
  [ ${#objs[@]} -gt 0 ] && pool cxx "$BIN/bench_pendulum_$n" -I"$BENCH/harness" "${defs[@]}" \
    "$BENCH/harness/main_modes.cpp" "${objs[@]}"
done
model_of() {
  case $1 in
    rosenbrock_*) echo "-include $BENCH/workloads/rosenbrock/model.hpp -DMODEL=models::Rosenbrock<${1#rosenbrock_}>" ;;
    mlp) echo "-include $BENCH/workloads/mlp/model.hpp -DMODEL=models::MLP" ;;
    gmm_point_*) local dk=${1#gmm_point_}
      echo "-I$BENCH/workloads/gmm -include $BENCH/workloads/gmm/model.hpp -DMODEL=models::GmmPoint<${dk%_*},${dk#*_}>" ;;
  esac
}
for p in "${hess_progs[@]}"; do
  [ -f "$OBJ/${p}_k.o" ] || continue
  objs=("$OBJ/${p}_k.o") defs=(-DKNAME="$p")
  if [ -f "$OBJ/${p}_hess.o" ]; then objs+=("$OBJ/${p}_hess.o"); defs+=(-DHAVE_HESS); fi
  if [ -f "$OBJ/${p}_sympy.o" ]; then objs+=("$OBJ/${p}_sympy.o"); defs+=(-DHAVE_SYMPY_HESS); fi
  # shellcheck disable=SC2046
  pool cxx "$BIN/bench_hess_$p" $PEER_FLAGS $(model_of "$p") "${defs[@]}" "$BENCH/harness/main_hess.cpp" \
    "${objs[@]}" $PEER_LIBS
done
pool_wait
for n in "${pend_ns[@]}"; do run_bench "pendulum_$n" "$BIN/bench_pendulum_$n" 1000; done
for p in "${hess_progs[@]}"; do run_bench "$p" "$BIN/bench_hess_$p" 100; done
# The biggest files are of no further use (records keep their figures).
find "$SRC" -name '*.cpp' -size +32M -delete
rm -rf "$MODES/eval"
echo $(( $(date +%s) - t_start )) > "$MODES/elapsed"
fi
elapsed=$(cat "$MODES/elapsed" 2>/dev/null || echo "?")

# ---- the report ---------------------------------------------------------------
report_modes() { "$PY" "$W/modes.py" report "$@"; }
cat <<MD
<a id="modes"></a>

## Modes and second order

How gradc accumulates Jacobians (\`--mode=forward\`: one tangent sweep per
wrt scalar; \`reverse\`: one adjoint sweep per output scalar; \`auto\`, the
default: builds both within a budget and keeps the one with fewer operations)
and what second derivatives cost (\`--kernels=hess,hvp\`). Operation counts
are gradc's \`--stats\` (\`mode:\` line: the \`NAME_grad\` kernel's
operations in each mode, or why that mode was not built; \`kernel nodes\`);
gradc and g++ times are whole processes, median of up to $GRADC_REPS runs
(one for the slow ones), two jobs at a time on the machine's $(nproc) cores;
g++ is \`$CXX $BENCH_CXXFLAGS -c\`, stopped at ${GXX_TIMEOUT} s. Kernel times: the
shared harness (median of ${BENCH_REPS:-7} repetitions, varied inputs). The
programs: \`workloads/modes/gen_modes.py\`; the harnesses:
\`harness/main_modes.cpp\` and \`harness/main_hess.cpp\`.

<a id="modes-pendulum"></a>

### The pendulum rollout: one wrt scalar, N outputs

N explicit Euler steps, \`th{i} = th{i-1} + h*w{i-1}; w{i} = w{i-1} - h*(c*sin(th{i}))\`
(h = 0.01), inputs \`c, th0, w0\`, \`wrt c\`, every angle \`th1..thN\` an
output: a 1-column Jacobian of N rows. Forward mode is one tangent sweep;
reverse mode is one adjoint sweep per output, each over the steps before it,
so O(N²) operations. Kernel times over 1,000 inputs (c in [0.5, 2], th0 and
w0 in [-1, 1]); where auto's C++ is forward's but for the kernels' names, it
is not compiled again and its figures are forward's.

MD
report_modes pendulum --programs "$(IFS=,; echo "${pend_ns[*]}")"
cat <<MD
Reverse mode's C++ grows as N²: g++ is tried on N = 300 and 1,000 only
when a linear extrapolation of its time on the N = 100 file (g++ is at
best linear in the size) stays within the limit. Auto stops building the
reverse sweeps once they have more than twice the forward sweep's nodes
("stopped"), so it costs about what forward mode does.

<a id="modes-wide"></a>

### $WIDE_S outputs of 2 inputs

\`y{i} = sin(a*{i+1}) + b*{i%7+1}\` for i < $WIDE_S, all outputs
(\`gen_modes.py wide\`): every output depends on both inputs, so both modes
cost the same here (two tangent sweeps against $WIDE_S one-step
adjoint sweeps). gradc \`-o wide.cpp\`, and \`--eval a=1,b=2\` with the
reference interpreter (\`--interp\`) and with the LLVM JIT at -O0 and at the
default -O2 (the latter for auto only, stopped at ${JIT_TIMEOUT} s): whole
process, one run each (in brackets: gradc's \`eval\` pass, which includes
the JIT's compilation). Max rel. difference: the derivatives printed by
every evaluation of that row against forward mode's interpreter.

MD
report_modes wide --programs wide
cat <<MD
<a id="modes-hessian"></a>

### Second derivatives: \`NAME_hvp\` and \`NAME_hess\` against ADOL-C and SymPy

gradc's \`NAME_hess(in, out, jac, hess)\` (every second derivative,
symmetric pairs computed once, the k² entries stored) and
\`NAME_hvp(in, v, out, jac, hv)\` (H v in one forward sweep over the
gradient), against ADOL-C's drivers on a tape recorded once and reused
(\`gradient()\` as zos_forward + fos_reverse, \`hess_vec()\`, \`hessian()\`:
the lower triangle, k Hessian-vector sweeps) and SymPy's Hessian
(\`diff\` of each gradient entry, \`cse\`, \`ccode\`; stopped at
${MSYMPY_TIMEOUT} s, not run on Rosenbrock n = 1,000). The programs: the extended Rosenbrock function
(workload 2) with n = 100 and n = 1,000 (its full Hessian is a million
entries, almost all zero, which gradc stores one by one), the MLP loss
(workload 4, 212 wrt of 224 inputs: ADOL-C differentiates all 224) and the
GMM per-point term with D = 2, K = 5 (workload 4, 30 wrt). 100 varied
inputs, one random direction v each; ADOL-C's \`hessian()\` and
\`hess_vec()\` return neither the value nor the gradient that gradc's
kernels also write.

MD
report_modes hessian --programs "$(IFS=,; echo "${hess_progs[*]}")"
cat <<MD
\`NAME_hess\` writes all k² entries: the extended Rosenbrock Hessian has
2n nonzeros, so at n = 1,000 the kernel sets its 10^6 entries to zero in
one loop and then stores the 2,000 that are not structurally zero
(docs/semantics.md); its time is that of writing 8 MB.
\`NAME_hvp\` is one sweep over the gradient's DAG whatever k is, so it
scales like \`NAME_grad\`. ADOL-C's \`hessian()\` interprets its tape with k
directions at second order, which costs orders of magnitude more than a
compiled kernel; its \`hess_vec()\` is one such sweep, also interpreted.

MD
cat <<MD
*This section took $elapsed s on the machine above.*

MD
