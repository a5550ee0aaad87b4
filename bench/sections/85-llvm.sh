#!/usr/bin/env bash
# 85-llvm.sh - the LLVM backend: JIT compile time by kernel size at -O0 and
# -O2, and NAME_grad run time of the JIT's code against gradc's C++ under
# g++ -O2 (bench/llvm/jit_bench.cpp). Figures are reported, never asserted.
source "$(dirname "$0")/../lib.sh"
cd "$BENCH_ROOT"
build=$(dirname "$GRADC")  # libgradc_runtime.so is built beside gradc
out=$BENCH_OUT/llvm
mkdir -p "$out"
log "building jit_bench"
g++ -std=c++17 -O2 -o "$out/jit_bench" bench/llvm/jit_bench.cpp -Iruntime \
  -L"$build" -lgradc_runtime -Wl,-rpath,"$(realpath "$build")" -ldl

echo '<a id="llvm"></a>'
echo
echo "## LLVM backend: JIT compile time and kernel speed"
echo
echo "\`gradc::jit_compile\` (runtime/gradc_runtime.h) on random programs and the course examples:"
echo "seconds from source text to callable machine code (parse, differentiate, build IR, optimize,"
echo "code generation; median of 3, one run for the largest). Kernel time: nanoseconds per"
echo "\`NAME_grad\` call (median of 5 repetitions of at least 0.2 s, 64 varied inputs), JIT at -O2"
echo "(this machine's CPU) against gradc's C++ under \`g++ -O2\` (generic x86-64). Target: within 10%."
echo
echo "| program | NAME_grad nodes | JIT -O0 (s) | JIT -O2 (s) | g++ -O2 of the C++ (s) | LLVM -O2 (ns/call) | g++ -O2 (ns/call) | LLVM / g++ | max rel. difference |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
run() {  # run LABEL FILE.expr
  local label=$1 file=$2 name=k
  local nodes
  log "llvm: $label"
  nodes=$("$GRADC" "$file" --stats -o "$out/$label.cpp" --name=$name 2>&1 \
          | sed -n 's/.*gradient \([0-9]*\) (ratio.*/\1/p')
  local start end
  start=$(date +%s.%N)
  g++ -std=c++17 -O2 -fPIC -shared -o "$out/$label.so" "$out/$label.cpp"
  end=$(date +%s.%N)
  local gxx_s
  gxx_s=$(python3 -c "print(f'{$end - $start:.2f}')")
  read -r o0 o2 llvm_ns gxx_ns diff < <("$out/jit_bench" "$file" "$(realpath "$out/$label.so")" $name)
  local ratio
  ratio=$(python3 -c "print(f'{$llvm_ns / $gxx_ns:.2f}')")
  echo "| $label | $nodes | $o0 | $o2 | $gxx_s | $llvm_ns | $gxx_ns | $ratio | $diff |"
}
for ex in card relu_net skip_bce regression_net softmax_ce; do
  run "$ex" "examples/$ex.expr"
done
for n in 300 3000 30000; do
  python3 bench/gen_program.py random $n > "$out/random_$n.expr"
  run "random, $n statements" "$out/random_$n.expr"
done
cat <<'MD'

Where LLVM / g++ is above 1.10 the kernels take 5 to 25 ns, so a few
instructions and the machine's load move the ratio by 10-20% between runs.
Profiled with callgrind (no hardware counters on this VM): `relu_net`'s
LLVM kernel executes fewer instructions than g++'s (80 against 85 per
call), so its ratio there is noise; `regression_net`'s executes 310 against
289 and spills 90 values to the stack where g++ spills none: LLVM keeps the
weights loaded for the reverse sweep instead of reloading them (the inputs
are marked invariant, but the register allocator does not rematerialize
them). Larger kernels run faster under LLVM than under g++ (0.5x to 0.9x),
partly because the JIT targets this machine's CPU.

MD
