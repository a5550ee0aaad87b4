#!/usr/bin/env bash
# bench.sh - benchmark gradc against the tools users would pick instead, and
# regenerate bench/README.md and bench/compile_time.png.
#
#   bash scripts/bench.sh              build gradc (Release, build-bench/), run every section
#   bash scripts/bench.sh 30 50        run only the sections whose names start with 30 and 50;
#                                      the report is assembled from the latest output of all
#   GRADC=build-bench/gradc bash scripts/bench.sh 99
#                                      reassemble the report (e.g. after editing
#                                      bench/analysis/), measuring nothing again
#
# Steps: install the peers' Debian packages if missing
# (scripts/install-bench-deps.sh), build gradc in Release, run every
# bench/sections/NN-name.sh in order (each prints one Markdown section and
# leaves its measurements in bench/out/), then concatenate the sections into
# bench/README.md: the header (00-*), the summary (*summary*, run last because
# it reads the others' results), then the rest in order. To add a section,
# add a script there; bench/lib.sh has the shared helpers.
#
# Environment: GRADC=path uses that gradc instead of building one;
# BENCH_REPS (default 7), BENCH_REP_SECONDS (0.05), BENCH_GRADC_REPS (5),
# BENCH_SYMPY_TIMEOUT (120 s), BENCH_CXXFLAGS (-O2 -std=c++17).
# The whole run takes about 30 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)
out=$root/bench/out
mkdir -p "$out/md" "$out/logs"

bash scripts/install-bench-deps.sh >&2
if [ -z "${GRADC:-}" ]; then
  echo "[bench] building gradc (Release) in build-bench/" >&2
  bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF > "$out/logs/build.log" 2>&1 ||
    { tail -30 "$out/logs/build.log" >&2; echo "[bench] build failed (log: $out/logs/build.log)" >&2; exit 1; }
  GRADC=$root/build-bench/gradc
fi
export GRADC BENCH_ROOT=$root BENCH_OUT=$out

sections=()
for s in bench/sections/*.sh; do sections+=("$(basename "$s" .sh)"); done
selected=()
if [ $# -eq 0 ]; then
  selected=("${sections[@]}")
  rm -rf "$out/md" "$out/results" "$out/compile" "$out/sections"
  mkdir -p "$out/md"
else
  for s in "${sections[@]}"; do
    for prefix in "$@"; do [[ $s == "$prefix"* ]] && selected+=("$s"); done
  done
fi

run_section() {
  local s=$1 t0
  t0=$(date +%s)
  echo "[bench] section $s" >&2
  if bash "bench/sections/$s.sh" > "$out/md/$s.md.tmp" 2> >(tee "$out/logs/$s.log" >&2); then
    mv "$out/md/$s.md.tmp" "$out/md/$s.md"
  else
    { cat "$out/md/$s.md.tmp"; echo; echo "**Section $s failed** (log: bench/out/logs/$s.log)."; echo; } > "$out/md/$s.md"
    rm -f "$out/md/$s.md.tmp"
  fi
  echo "[bench] section $s took $(( $(date +%s) - t0 )) s" >&2
}
for s in "${selected[@]}"; do if [[ $s != *summary* ]]; then run_section "$s"; fi; done
for s in "${selected[@]}"; do if [[ $s == *summary* ]]; then run_section "$s"; fi; done

# Assemble: header, summary, the rest.
tmp=bench/README.md.tmp
: > "$tmp"
for s in "${sections[@]}"; do if [[ $s == 00-* && -f $out/md/$s.md ]]; then cat "$out/md/$s.md" >> "$tmp"; fi; done
echo >> "$tmp"
for s in "${sections[@]}"; do if [[ $s == *summary* && -f $out/md/$s.md ]]; then cat "$out/md/$s.md" >> "$tmp"; fi; done
for s in "${sections[@]}"; do
  if [[ $s == 00-* || $s == *summary* ]]; then continue; fi
  if [ -f "$out/md/$s.md" ]; then cat "$out/md/$s.md" >> "$tmp"; fi
done
elapsed=$(( $(date +%s) - start ))
# The footer names the last full run; a partial run keeps it and says so.
if [ $# -eq 0 ]; then
  printf -- '---\n\n*This report is from one full run of `scripts/bench.sh`, which took %d min %d s on the machine above.*\n' \
    $(( elapsed / 60 )) $(( elapsed % 60 )) > "$out/md/footer.md"
fi
[ -f "$out/md/footer.md" ] && cat "$out/md/footer.md" >> "$tmp"
if [ $# -gt 0 ]; then
  printf '\n*Sections %s were run again afterwards (%d s).*\n' "${selected[*]}" "$elapsed" >> "$tmp"
fi
# Reasons of missed targets come from bench/analysis/reasons.tsv, filled in now.
"${PY:-/usr/bin/python3}" bench/report.py resolve < "$tmp" > bench/README.md
rm -f "$tmp"
echo "[bench] wrote bench/README.md and bench/compile_time.png in $(( elapsed / 60 )) min $(( elapsed % 60 )) s" >&2
