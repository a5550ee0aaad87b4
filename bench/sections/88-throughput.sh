#!/usr/bin/env bash
# 88-throughput.sh - issue 11's throughput: nanoseconds per point of gradc's
# kernels over many points (1, 7, 1,000 and 100,000 per call) on the
# bundle-adjustment Jacobian and the MLP loss gradient: NAME and NAME_grad
# once per point, the batch kernels from an LLVM object (--cpu=native) and
# from C++ built by clang++ with the flags its source names, and the
# hand-written gradient once per point. Reported, never asserted.
source "$(dirname "$0")/../lib.sh"
cd "$BENCH_ROOT"
out=$BENCH_OUT/throughput
mkdir -p "$out"
CLANGXX=${CLANGXX:-clang++-19}
VEC_FLAGS="-O3 -march=native -fveclib=libmvec -fno-math-errno"

echo '<a id="throughput"></a>'
echo
echo "## Throughput: many points per call (batch kernels)"
echo
echo "Nanoseconds per point (median of 5 runs, each about 0.05 s or more). \`NAME\` and \`NAME_grad\`: the LLVM"
echo "object's one-point kernels in a loop; \`_batch\` (LLVM): \`gradc --kernels=f,grad,batch --cpu=native -o k.o\`,"
echo "4 points per AVX2 vector with glibc's libmvec; \`_batch\` (C++): the generated C++ built by"
echo "\`clang++ $VEC_FLAGS\` (what its comment says); hand-written: the workload's \`hand.cpp\` gradient"
echo "with \`g++ $BENCH_CXXFLAGS\`, once per point. Before timing, each batch gradient is compared with"
echo "\`NAME_grad\` at 1,000 points (largest difference relative to 1 + |entry|, in the table's last column)."
echo "The target of issue 11: \`NAME_grad_batch\` on bundle adjustment at 0.75× the scalar \`NAME\` or less."
echo
echo "| workload | points per call | \`NAME\` | \`NAME_grad\` | \`NAME_batch\` (LLVM) | \`NAME_grad_batch\` (LLVM) | \`NAME_batch\` (C++) | \`NAME_grad_batch\` (C++) | hand-written grad | grad_batch (LLVM) ÷ \`NAME\` | largest difference |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
measure() {  # measure NAME EXPR MODEL
  local w=$1 expr=$2 model=$3 dir=$out/$1
  mkdir -p "$dir"
  log "throughput: $w"
  "$GRADC" "$expr" --name "${w}_llvm" --kernels=f,grad,batch --cpu=native -o "$dir/${w}_llvm.o" &&
    "$GRADC" "$expr" --name "${w}_cpp" --kernels=f,grad,batch -o "$dir/${w}_cpp.cpp" &&
    $CLANGXX -std=c++17 $VEC_FLAGS -c "$dir/${w}_cpp.cpp" -o "$dir/${w}_cpp.o" &&
    $CXX $BENCH_CXXFLAGS -c "$BENCH/workloads/$w/hand.cpp" -o "$dir/hand.o" &&
    $CXX $BENCH_CXXFLAGS $PEER_FLAGS -include "$BENCH/workloads/$w/model.hpp" \
      -DMODEL="$model" -DKL="${w}_llvm" -DKC="${w}_cpp" -DHAVE_HAND -DNAME_OF_HAND="$w" \
      "$BENCH/harness/main_throughput.cpp" "$dir/${w}_llvm.o" "$dir/${w}_cpp.o" "$dir/hand.o" \
      -lmvec -lm -o "$dir/bench" > "$dir/build.log" 2>&1 || { log "throughput: $w did not build"; return 0; }
  "$dir/bench" > "$dir/results.txt" 2> "$dir/run.log" || { log "throughput: $w failed"; return 0; }
  python3 - "$w" "$dir/results.txt" <<'EOF'
import sys
w, path = sys.argv[1], sys.argv[2]
rows, check = {}, {}
for line in open(path):
    parts = line.split()
    if parts[0] == "check":
        check[parts[1]] = float(parts[2])
        continue
    kernel, count, ns = parts[0], int(parts[1]), float(parts[2])
    rows.setdefault(count, {})[kernel] = ns
def ns(v):
    return f"{v:.1f}" if v >= 1 else f"{v:.2f}"
worst = max(check.values()) if check else float("nan")
for count in sorted(rows):
    r = rows[count]
    cells = [ns(r[k]) for k in ("f", "grad", "batch_llvm", "grad_batch_llvm", "batch_cpp",
                                "grad_batch_cpp", "hand_grad")]
    print(f"| `{w}` | {count:,} | " + " | ".join(cells) +
          f" | {r['grad_batch_llvm'] / r['f']:.2f}× | {worst:.1e} |")
EOF
}
measure ba "$BENCH/workloads/ba/ba.expr" models::BA
measure mlp "$BENCH/workloads/mlp/mlp.expr" models::MLP
echo
