#!/usr/bin/env bash
# install-deps.sh [PACKAGE...] - install the Debian packages gradc needs
# (or the ones named; texlive-latex-base only for the tests), if missing, and generate the de_DE.UTF-8 locale the
# locale-independence tests use (tests/unit/comma_locale.h). Needs root (or
# sudo) only when something is missing.
set -euo pipefail
packages=(cmake ninja-build g++ ccache python3 libfmt-dev doctest-dev llvm-19-dev clang-19
          llvm-19-tools locales texlive-latex-base)
[ $# -eq 0 ] || packages=("$@")
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  # TeX (pdflatex and amsmath, for the test that the LaTeX gradc writes
  # compiles) without its recommends, which would pull in much more.
  tex=() other=()
  for p in "${missing[@]}"; do
    case $p in texlive-*) tex+=("$p") ;; *) other+=("$p") ;; esac
  done
  [ ${#other[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${other[@]}"
  [ ${#tex[@]} -eq 0 ] ||
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${tex[@]}"
fi
# A locale whose decimal point is ',' (an app may set it before calling gradc).
if [ $# -eq 0 ] && ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
  echo "install-deps: generating the de_DE.UTF-8 locale"
  $sudo sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
  $sudo locale-gen
fi
