#!/usr/bin/env bash
# 60-chain.sh - a chain of 1,000,000 statements v_i = f(v_{i-1}).
source "$(dirname "$0")/../lib.sh"
"$PY" "$BENCH/gen_program.py" chain 1000000 > "$SRC/chain.expr"
gradc_program chain "$SRC/chain.expr"
cat <<MD
<a id="chain"></a>

## Chain of 1,000,000 statements: \`v_i = f(v_{i-1})\`

No recursion anywhere in gradc (parser, differentiation and emission are
loops), so a million-deep dependency chain works. Median of $GRADC_REPS runs.

MD
"$PY" - "$BENCH_OUT/compile/chain.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = r["gradc"]
print("| statements | time (s) | passes (s) | peak memory (MB) | `NAME_grad` / `NAME` nodes |")
print("|---:|---:|---:|---:|---:|")
print(f"| {r['statements']:,} | {g['median_s']:.2f} | {g['median_internal_s']:.2f} | {g['peak_mb']:.0f} | {g['node_ratio']} |")
print()
PY
