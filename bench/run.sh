#!/usr/bin/env bash
# run.sh - kept for old habits: the benchmarks are now run by scripts/bench.sh,
# which builds gradc (Release), runs bench/sections/*.sh and regenerates
# bench/README.md and bench/compile_time.png.
exec bash "$(dirname "$0")/../scripts/bench.sh" "$@"
