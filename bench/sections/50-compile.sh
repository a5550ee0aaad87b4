#!/usr/bin/env bash
# 50-compile.sh - workload 5: compile time and memory on random DAG programs,
# gradc against SymPy, and the plot bench/compile_time.png.
source "$(dirname "$0")/../lib.sh"
sizes=(10 30 100 300 1000 10000 100000 1000000)
sympy_max=10000  # SymPy is not tried beyond this size
names=()
sympy_failed_at=""
for n in "${sizes[@]}"; do
  name=random_$n
  names+=("$name")
  "$PY" "$BENCH/gen_program.py" random "$n" > "$SRC/$name.expr"
  rm -f "$BENCH_OUT/compile/$name.json"
  # 10^6 random statements: 8.6 million nodes with their derivatives,
  # within the default --max-nodes of 10^7 (bench/analysis#random-million).
  gradc_program "$name" "$SRC/$name.expr"
  if [ "$n" -gt "$sympy_max" ]; then
    continue
  elif [ -n "$sympy_failed_at" ] && [ "$n" -ne 10000 ]; then
    # Not worth the time limit once a smaller program did not finish; 10^4
    # (the size of the target) is always tried.
    "$PY" - "$BENCH_OUT/compile/$name.json" "$sympy_failed_at" <<'PY'
import json, sys
p = sys.argv[1]
r = json.load(open(p))
r["sympy"] = {"status": "skipped", "why": f"not run ({sys.argv[2]} statements did not finish)"}
json.dump(r, open(p, "w"), indent=1, sort_keys=True)
PY
  else
    sympy_program "$name" "$SRC/$name.expr"
    if ! have_sympy "$name" && [ -z "$sympy_failed_at" ]; then sympy_failed_at=$n; fi
  fi
done
list=$(IFS=,; echo "${names[*]}")
# The second panel: the runtime workloads' programs compiled by sections 10 to 40.
workloads=$(cd "$BENCH_OUT/compile" && ls -- *.json 2>/dev/null | sed 's/\.json$//' |
  grep -vE '^(random_|chain$|matvec$|ba_nobranch$)' | paste -sd, -) || workloads=""
report plot --programs "$list" --workloads "$workloads" --out "$BENCH/compile_time.png"

cat <<MD
<a id="compile-time"></a>

## Workload 5: compile time and memory, random DAG programs

\`bench/gen_program.py random N\` (seeded, so the same programs every time):
N statements over 16 inputs, each drawing its operands from the last 64
names (values are reused and fan out, as in real models) and mixing
arithmetic, \`max\` and smooth built-ins. gradc: \`gradc prog.expr -o
prog.cpp\`, median of $GRADC_REPS runs, whole process (in brackets: the sum of
its passes from \`--stats\`), peak resident memory from \`/usr/bin/time\`.
SymPy: the same program through \`workloads/sympy_gen.py\` under a
${SYMPY_TIMEOUT} s limit (in brackets: without \`import sympy\`).

![compile time against program size](compile_time.png)

Left: the random programs below. Right: every program of the runtime
workloads above (tables there), by the size of its forward kernel.

MD
report compile-table --programs "$list"
cat <<'MD'
SymPy's expressions are trees: a statement that uses a value twice holds
two references to the same subtree, but `diff`, the automatic
simplification on construction and `cse` walk every path, and the number of
paths through a random DAG grows exponentially with its depth. gradc keeps
one hash-consed DAG, so each pass is one loop over the nodes.

MD
