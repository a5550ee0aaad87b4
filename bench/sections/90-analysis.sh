#!/usr/bin/env bash
# 90-analysis.sh - the hand-written analysis (bench/analysis/analysis.md),
# checked in, so regenerating the report never loses it.
source "$(dirname "$0")/../lib.sh"
echo '<a id="analysis"></a>'
echo
cat "$BENCH/analysis/analysis.md"
echo
