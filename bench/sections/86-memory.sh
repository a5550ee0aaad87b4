#!/usr/bin/env bash
# 86-memory.sh - gradc's own memory and time on large unrolled programs:
# peak resident memory per DAG node (program + derivatives) for C++ and for
# object output, on y = sum(relu(W @ x)) with W n x n. Reported, never
# asserted; --max-nodes (default 10^7) bounds the DAG and so the memory.
source "$(dirname "$0")/../lib.sh"
cd "$BENCH_ROOT"
out=$BENCH_OUT/memory
mkdir -p "$out"

echo '<a id="memory"></a>'
echo
echo "## Memory: bytes per DAG node"
echo
echo "\`gradc prog.expr --stats -o prog.cpp\` (and \`-o prog.o\`) on \`y = sum(relu(W @ x))\`, \`W\` n x n,"
echo "one run each: peak resident memory (\`/usr/bin/time -f %M\`) over the nodes of the forward and"
echo "derivative DAG (\`--stats\`). A DAG node itself takes about 40 bytes (16 for the node, the"
echo "hash-cons table, growth); the rest is the schedule, names and the output text or LLVM IR."
echo "\`--max-nodes\` (default 10,000,000) bounds the DAG, so the C++ path stays under about"
echo "1.5 GB whatever the program; the object path needs several times more per node."
echo
echo "| n | output | DAG nodes | gradc (s) | peak memory (MB) | bytes per node |"
echo "|---:|---|---:|---:|---:|---:|"
measure() {  # measure N EXT
  local n=$1 ext=$2 file=$out/mv$1.expr
  printf 'input W[%d,%d], x[%d]\ny = sum(relu(W @ x))\n' "$n" "$n" "$n" > "$file"
  log "memory: n = $n, .$ext"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$out/mv$n.$ext.rss" "$GRADC" "$file" --stats -o "$out/mv$n.$ext" \
    2> "$out/mv$n.$ext.stats"
  end=$(date +%s.%N)
  local nodes kb
  nodes=$(sed -n 's/.*forward+derivative DAG: *\([0-9]*\) nodes.*/\1/p' "$out/mv$n.$ext.stats")
  kb=$(tail -1 "$out/mv$n.$ext.rss")
  python3 -c "print(f'| $n | .$ext | {$nodes:,} | {$end - $start:.1f} | {$kb / 1024:.0f} | {$kb * 1024 / $nodes:.0f} |')"
  rm -f "$out/mv$n.$ext" "$out/mv$n.hpp"
}
for n in 100 300 1000; do measure $n cpp; done
for n in 100 300; do measure $n o; done
echo
