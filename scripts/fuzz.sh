#!/usr/bin/env bash
# fuzz.sh [SECONDS] [TARGET...] - build the libFuzzer targets of tests/fuzz
# (clang-19, ASan + UBSan) in build-fuzz and run each for SECONDS (default
# 30: a smoke run; `scripts/fuzz.sh 3600` is the long run, docs/fuzzing.md).
# Targets: compile eval_input interp (default: all). Replays the saved
# findings (tests/fuzz/regressions/TARGET) first. Fails on any finding: the
# input is kept in build-fuzz/findings/TARGET/ and the commands to reproduce
# and minimize it are printed.
#
# Environment: FUZZ_BUILD (default build-fuzz); FUZZ_CORPUS (default
# $FUZZ_BUILD/corpus), where each target's corpus grows from run to run;
# FUZZ_JOBS (default 1), parallel fuzzing processes per target; FUZZ_ARGS,
# more libFuzzer flags.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(compile eval_input interp)
build=$(realpath -m "${FUZZ_BUILD:-build-fuzz}")
corpus_root=$(realpath -m "${FUZZ_CORPUS:-$build/corpus}")
jobs=${FUZZ_JOBS:-1}
start=$(date +%s)

bash scripts/install-deps.sh
bash scripts/install-deps.sh clang-19 libclang-rt-19-dev  # libFuzzer's runtime

# Only gradc_core and the targets: no tests, runtime or command.
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    -DCMAKE_CXX_COMPILER=clang++-19 -DGRADC_FUZZ=ON
fi
cmake --build "$build" -j "$(nproc)" --target fuzzers
built=$(date +%s)
echo "fuzz.sh: build took $((built - start)) s"

# A smaller quarantine than ASan's 256 MB: short runs spend less time
# faulting in fresh pages.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
[ -x /usr/lib/llvm-19/bin/llvm-symbolizer ] &&
  export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-19/bin/llvm-symbolizer}

# Seeds, rebuilt each run from the programs in the tree (two option bytes,
# then the program: tests/fuzz/fuzz_input.h), with three option sets for the
# examples: defaults; forward mode, --hessian and every kernel; reverse mode,
# LaTeX/DOT, --dump-after and LLVM at -O2.
make_program_seeds() {
  local dir=$1 i=0 f
  rm -rf "$dir" && mkdir -p "$dir"
  for f in examples/*.expr; do
    for prefix in '\x00\x00' '\x06\x7f' '\x89\x80'; do
      { printf "$prefix"; cat "$f"; } > "$dir/$(basename "$f" .expr)-$((i++))"
    done
  done
  while IFS= read -r f; do
    local prefixes=('\x00\x00' '\x06\x7f' '\x89\x80')
    { printf "${prefixes[i % 3]}"; cat "$f"; } > "$dir/$(basename "$f" .expr)-$((i++))"
  done < <(find tests/golden -name '*.expr' | sort)
}

status=0
summary=()
for target in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$target
  [ -x "$bin" ] || { echo "fuzz.sh: no target '$target' (compile, eval_input, interp)"; exit 2; }
  dict=$root/tests/fuzz/gradc.dict seeds=$root/tests/fuzz/seeds/$target
  if [ "$target" = eval_input ]; then
    dict=$root/tests/fuzz/eval.dict
  else
    seeds=$build/seeds/$target
    make_program_seeds "$seeds"
  fi
  corpus=$corpus_root/$target findings=$build/findings/$target logs=$build/logs/$target
  mkdir -p "$corpus" "$findings" "$logs"
  rm -f "$logs"/*.log

  regressions=(tests/fuzz/regressions/$target/*)
  if [ -e "${regressions[0]}" ]; then
    echo "fuzz.sh: $target: replaying ${#regressions[@]} saved findings"
    if ! "$bin" "${regressions[@]}" > "$logs/regressions.log" 2>&1; then
      tail -50 "$logs/regressions.log"
      echo "fuzz.sh: $target: a saved finding fails again (log: $logs/regressions.log)"
      status=1
      summary+=("$target: a saved finding in tests/fuzz/regressions/$target fails again")
      continue
    fi
  fi

  echo "fuzz.sh: $target: fuzzing for $seconds s ($jobs job(s)), corpus $corpus"
  flags=(-max_total_time="$seconds" -max_len=4096 -timeout=30 -rss_limit_mb=2560
         -dict="$dict" -artifact_prefix="$findings/" -print_final_stats=1)
  [ "$jobs" -le 1 ] || flags+=(-jobs="$jobs" -workers="$jobs")
  set +e
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
  (cd "$logs" && "$bin" "${flags[@]}" ${FUZZ_ARGS:-} "$corpus" "$seeds" \
     > fuzz.log 2>&1)
  rc=$?
  set -e
  cat "$logs"/*.log > "$logs/all.txt"
  runs=$( (grep -h 'stat::number_of_executed_units' "$logs/all.txt" || true) | awk '{s += $2} END {print s + 0}')
  cov=$(grep -ohE 'cov: [0-9]+ ft: [0-9]+' "$logs/all.txt" | tail -1 || true)
  line="$target: $runs runs, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs"
  artifacts=$( (grep -ohE "Test unit written to [^ ]+" "$logs/all.txt" || true) | awk '{print $5}' | sort -u)
  if [ $rc -ne 0 ] || [ -n "$artifacts" ]; then
    status=1
    grep -hE 'ERROR: |SUMMARY: |runtime error|fuzz_(compile|interp|eval_input): ' "$logs/all.txt" | head -20 || true
    line+=", FINDING (exit $rc; log $logs/)"
    for a in $artifacts; do
      echo "fuzz.sh: $target: finding kept in $a"
      echo "  reproduce: $bin $a"
      echo "  minimize:  $bin -minimize_crash=1 -max_total_time=120 -exact_artifact_path=$a.min $a"
      echo "  then add it to tests/fuzz/regressions/$target/ (docs/fuzzing.md)"
    done
  else
    line+=", no findings"
  fi
  summary+=("$line")
done

echo "fuzz.sh: summary (build $((built - start)) s, total $(( $(date +%s) - start )) s)"
printf '  %s\n' "${summary[@]}"
exit $status
