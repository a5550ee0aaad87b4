#!/usr/bin/env bash
# install-bench-deps.sh - install the Debian packages the benchmarks need
# (the peers gradc is compared with, and the plot), if missing.
set -euo pipefail
exec bash "$(dirname "$0")/install-deps.sh" libadolc-dev libceres-dev libeigen3-dev python3-sympy \
  python3-numpy python3-matplotlib time
