#!/usr/bin/env bash
# 86-memory.sh - gradc's own memory and time on large unrolled programs:
# peak resident memory per DAG node (program + derivatives) for C++ and for
# object output, on y = sum(relu(W @ x)) (W n x n) and w = sum(A @ A)
# (A n x n), and what g++ -O2 then takes on the C++ where that is affordable.
# Reported, never asserted; --max-nodes (default 10^7) bounds the DAG and so
# the memory.
source "$(dirname "$0")/../lib.sh"
cd "$BENCH_ROOT"
out=$BENCH_OUT/memory
mkdir -p "$out"

echo '<a id="memory"></a>'
echo
echo "## Memory: bytes per DAG node"
echo
echo "\`gradc prog.expr --stats -o prog.cpp\` (and \`-o prog.o\`, default \`-O2\`), one run each: peak"
echo "resident memory (\`/usr/bin/time -f %M\`) over the nodes of the forward and derivative DAG"
echo "(\`--stats\`). A DAG node itself takes about 40 bytes (16 for the node, the hash-cons table,"
echo "growth); the rest is the schedule, names and the output text or LLVM IR. For the smaller"
echo "programs, the last column is what \`g++ -O2 -c\` then needs for the C++ file, so the two rows"
echo "of a program compare the two ways to an object end to end. A kernel split into parts (more"
echo "than 1,000 nodes) is optimized by LLVM with a lean pipeline (EarlyCSE, InstCombine: the DAG is"
echo "already simplified and shared) and FastISel; \`-O0\` is about three times faster again."
echo "\`--max-nodes\` (default 10,000,000) bounds the DAG, and so gradc's memory: at the rates below"
echo "about 1.5 GB for C++ and 8 GB for an object."
echo
echo "| program | output | DAG nodes | gradc (s) | peak memory (MB) | bytes per node | then g++ -O2 (s) |"
echo "|---|---|---:|---:|---:|---:|---:|"
measure() {  # measure NAME LABEL EXT GXX(yes|no); the program is $out/NAME.expr
  local name=$1 label=$2 ext=$3 gxx=$4 file=$out/$1.expr
  log "memory: $name, .$ext"
  local start end gxx_s="-"
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$out/$name.$ext.rss" "$GRADC" "$file" --stats -o "$out/$name.$ext" \
    2> "$out/$name.$ext.stats"
  end=$(date +%s.%N)
  if [ "$gxx" = yes ]; then
    local g0 g1
    g0=$(date +%s.%N)
    $CXX $BENCH_CXXFLAGS -c "$out/$name.$ext" -o "$out/$name.gxx.o"
    g1=$(date +%s.%N)
    gxx_s=$(python3 -c "print(f'{$g1 - $g0:.1f}')")
    rm -f "$out/$name.gxx.o"
  fi
  local nodes kb
  nodes=$(sed -n 's/.*forward+derivative DAG: *\([0-9]*\) nodes.*/\1/p' "$out/$name.$ext.stats")
  kb=$(tail -1 "$out/$name.$ext.rss")
  python3 -c "print(f'| $label | .$ext | {$nodes:,} | {$end - $start:.1f} | {$kb / 1024:.0f} | {$kb * 1024 / $nodes:.0f} | $gxx_s |')"
  rm -f "$out/$name.$ext" "$out/$name.hpp"
}
for n in 100 300 1000; do
  printf 'input W[%d,%d], x[%d]\ny = sum(relu(W @ x))\n' "$n" "$n" "$n" > "$out/mv$n.expr"
done
for n in 30 100; do printf 'input A[%d,%d]\nw = sum(A @ A)\n' "$n" "$n" > "$out/mm$n.expr"; done
measure mv100 "\`sum(relu(W @ x))\`, n = 100" cpp yes
measure mv100 "\`sum(relu(W @ x))\`, n = 100" o no
measure mv300 "\`sum(relu(W @ x))\`, n = 300" cpp no
measure mv300 "\`sum(relu(W @ x))\`, n = 300" o no
measure mv1000 "\`sum(relu(W @ x))\`, n = 1000" cpp no
measure mm30 "\`sum(A @ A)\`, n = 30" cpp yes
measure mm30 "\`sum(A @ A)\`, n = 30" o no
measure mm100 "\`sum(A @ A)\`, n = 100" cpp no
measure mm100 "\`sum(A @ A)\`, n = 100" o no
echo
