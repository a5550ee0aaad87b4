#!/usr/bin/env bash
# install-bench-deps.sh - install the Debian packages the benchmarks need
# (the peers gradc is compared with, and the plot), if missing. Needs root
# (or sudo) only when something is missing.
set -euo pipefail
packages=(libadolc-dev libceres-dev libeigen3-dev python3-sympy python3-numpy python3-matplotlib time)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-bench-deps: all packages present"
  exit 0
fi
echo "install-bench-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
