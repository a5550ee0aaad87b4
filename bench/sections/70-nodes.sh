#!/usr/bin/env bash
# 70-nodes.sh - the cheap-gradient ratio in operations, on every example.
source "$(dirname "$0")/../lib.sh"
cat <<'MD'
<a id="nodes"></a>

## Cheap-gradient ratio in operations, every example

Nodes (operations + inputs) of the fused `NAME_grad` kernel over those of
`NAME`, from `gradc --stats`; the reverse-mode bound is 4 per output, the aim
under 3. (The timed ratio is in the workload tables above.)

| example | `NAME` nodes | `NAME_grad` nodes | ratio |
|---|---:|---:|---:|
MD
for f in "$BENCH_ROOT"/examples/*.expr; do
  line=$("$GRADC" "$f" --print --stats 2>&1 >/dev/null | grep 'kernel nodes')
  fwd=$(sed -E 's/.*forward ([0-9]+),.*/\1/' <<<"$line")
  grad=$(sed -E 's/.*gradient ([0-9]+).*/\1/' <<<"$line")
  ratio=$(grep -o 'ratio [0-9.]*' <<<"$line" | cut -d' ' -f2)
  echo "| $(basename "$f") | $fwd | $grad | $ratio |"
done
echo
