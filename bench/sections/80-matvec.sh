#!/usr/bin/env bash
# 80-matvec.sh - arrays: a 256x256 matrix-vector product inside a loss, and
# what g++ makes of the unrolled C++.
source "$(dirname "$0")/../lib.sh"
n=256
printf 'input W[%d,%d], x[%d], y[%d]\nL = sum((W @ x - y)^2)\n' $n $n $n $n > "$SRC/matvec.expr"
gradc_program matvec "$SRC/matvec.expr"
"$PY" "$BENCH/tools.py" size matvec --gradc-cpp "$SRC/matvec.cpp" > /dev/null
log "g++ matvec"
gxx=$( { /usr/bin/time -f "%e %M" $CXX $BENCH_CXXFLAGS -c "$SRC/matvec.cpp" -o "$OBJ/matvec.o"; } 2>&1 | tail -1)
cat <<MD
<a id="matvec"></a>

## Arrays: a 256x256 matrix-vector product inside a loss

\`input W[256,256], x[256], y[256]; L = sum((W @ x - y)^2)\`, unrolled to scalars.

MD
"$PY" - "$BENCH_OUT/compile/matvec.json" "$gxx" "$BENCH_CXXFLAGS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = r["gradc"]
t, kb = sys.argv[2].split()
print("| step | time (s) | peak memory (MB) |")
print("|---|---:|---:|")
print(f"| gradc -o matvec.cpp ({r['gradc_code']['lines']:,} lines, `NAME_grad` / `NAME` nodes {g['node_ratio']}) "
      f"| {g['median_s']:.2f} | {g['peak_mb']:.0f} |")
print(f"| g++ {sys.argv[3]} -c matvec.cpp | {float(t):.1f} | {int(kb) / 1024:.0f} |")
print()
PY
cat <<'MD'
Large kernels are split into static part functions of 250 statements
(values crossing parts go through a scratch array on the kernel's stack),
because g++'s register allocation is superlinear in the size of one
function. Before the split the same file took more than 10 minutes.

MD
