#!/usr/bin/env bash
# run.sh - compile-time, memory and gradient-size benchmarks for gradc.
# Builds gradc (Release) into build-bench/, generates programs with
# gen_program.py into bench/out/, and prints a Markdown report on stdout:
#   bash bench/run.sh > bench/results.md
# Figures are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build-bench >/dev/null
gradc=build-bench/gradc
out=bench/out
mkdir -p "$out"

echo "# gradc compile-time benchmark"
echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;"
echo "gradc $($gradc --version | cut -d' ' -f2), $(g++ --version | head -1); $(date -u +%Y-%m-%d)."
echo

# time_run FILE ARGS...: prints "seconds peak_MB grad_ratio", median of 3 runs
time_run() {
  local file=$1; shift
  local times=() mem="" ratio=""
  for rep in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$gradc" "$file" "$@" --stats 2> "$out/stats.txt" >/dev/null
    times+=("$(cut -d' ' -f1 "$out/time.txt")")
    mem=$(( $(cut -d' ' -f2 "$out/time.txt") / 1024 ))
    ratio=$(grep -o 'ratio [0-9.]*' "$out/stats.txt" | cut -d' ' -f2)
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  echo "$median $mem $ratio"
}

echo "## Random DAG programs: \`gradc prog.expr -o grad.cpp\`"
echo
echo "| statements | file size | time (s, median of 3) | peak memory (MB) | NAME_grad / NAME nodes |"
echo "|---:|---:|---:|---:|---:|"
for n in 10000 100000 1000000; do
  python3 bench/gen_program.py random $n > "$out/random_$n.expr"
  read -r t mem ratio < <(time_run "$out/random_$n.expr" -o "$out/random_$n.cpp")
  size=$(du -h "$out/random_$n.expr" | cut -f1)
  echo "| $n | $size | $t | $mem | $ratio |"
done
echo

echo "## Chain of 1,000,000 statements: \`v_i = f(v_{i-1})\`"
echo
python3 bench/gen_program.py chain 1000000 > "$out/chain.expr"
read -r t mem ratio < <(time_run "$out/chain.expr" -o "$out/chain.cpp")
echo "| statements | time (s) | peak memory (MB) | NAME_grad / NAME nodes |"
echo "|---:|---:|---:|---:|"
echo "| 1000000 | $t | $mem | $ratio |"
echo

echo "## Cheap-gradient ratio on the examples"
echo
echo "Nodes (operations + inputs) of the fused \`NAME_grad\` kernel over those of \`NAME\`; the"
echo "reverse-mode bound is 4, the aim under 3."
echo
echo "| example | NAME nodes | NAME_grad nodes | ratio |"
echo "|---|---:|---:|---:|"
for f in examples/*.expr; do
  line=$("$gradc" "$f" --print --stats 2>&1 >/dev/null | grep 'kernel nodes')
  fwd=$(sed -E 's/.*forward ([0-9]+),.*/\1/' <<<"$line")
  grad=$(sed -E 's/.*gradient ([0-9]+).*/\1/' <<<"$line")
  ratio=$(grep -o 'ratio [0-9.]*' <<<"$line" | cut -d' ' -f2)
  echo "| $(basename "$f") | $fwd | $grad | $ratio |"
done

echo
echo "## Arrays: a 256x256 matrix-vector product inside a loss"
echo
echo "\`input W[256,256], x[256], y[256]; L = sum((W @ x - y)^2)\`, unrolled to scalars."
echo
python3 - > "$out/matvec.expr" <<'PY'
n = 256
print(f"input W[{n},{n}], x[{n}], y[{n}]")
print("L = sum((W @ x - y)^2)")
PY
read -r t mem ratio < <(time_run "$out/matvec.expr" -o "$out/matvec.cpp")
lines=$(wc -l < "$out/matvec.cpp")
gxx=$( { /usr/bin/time -f "%e %M" g++ -O2 -std=c++17 -c "$out/matvec.cpp" -o "$out/matvec.o"; } 2>&1 | tail -1)
echo "| step | time (s) | peak memory (MB) |"
echo "|---|---:|---:|"
echo "| gradc -o matvec.cpp ($lines lines, NAME_grad / NAME nodes $ratio) | $t | $mem |"
echo "| g++ -O2 -c matvec.cpp | $(cut -d' ' -f1 <<<"$gxx") | $(( $(cut -d' ' -f2 <<<"$gxx") / 1024 )) |"
