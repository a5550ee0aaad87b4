#!/usr/bin/env bash
# install-deps.sh [PACKAGE...] - install the Debian packages gradc needs
# (or the ones named), if missing. Needs root (or sudo) only when something
# is missing.
set -euo pipefail
packages=(cmake ninja-build g++ python3 libfmt-dev doctest-dev llvm-19-dev clang-19 llvm-19-tools)
[ $# -eq 0 ] || packages=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
