# lib.sh - settings and helpers shared by the benchmark sections
# (bench/sections/*.sh). Sourced; scripts/bench.sh exports the settings, and
# a section run on its own gets the same defaults:
#   GRADC=build-bench/gradc bash bench/sections/30-ba.sh > /tmp/ba.md
set -euo pipefail

BENCH_ROOT=${BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BENCH=$BENCH_ROOT/bench
BENCH_OUT=${BENCH_OUT:-$BENCH/out}
GRADC=${GRADC:-$BENCH_ROOT/build-bench/gradc}
PY=${PY:-/usr/bin/python3}  # Debian's python3 (python3-sympy, python3-matplotlib)
CXX=${CXX:-g++}
# Every C++ file of the benchmarks (generated kernels, hand-written code,
# ADOL-C and Ceres drivers) is compiled with these flags.
BENCH_CXXFLAGS=${BENCH_CXXFLAGS:--O2 -std=c++17}
PEER_FLAGS="-I$BENCH/harness -I/usr/include/eigen3"
PEER_LIBS="-ladolc"
SYMPY_TIMEOUT=${BENCH_SYMPY_TIMEOUT:-120}
GRADC_REPS=${BENCH_GRADC_REPS:-5}
export BENCH_ROOT BENCH_OUT GRADC PY BENCH_CXXFLAGS SYMPY_TIMEOUT GRADC_REPS

SRC=$BENCH_OUT/src    # .expr programs, gradc's and SymPy's C++
OBJ=$BENCH_OUT/obj
BIN=$BENCH_OUT/bin
RES=$BENCH_OUT/results  # harness JSON, one per program
LOG=$BENCH_OUT/logs
mkdir -p "$SRC" "$OBJ" "$BIN" "$RES" "$LOG" "$BENCH_OUT/compile"

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# gradc_program NAME EXPR [GRADC_ARGS...]: $SRC/NAME.cpp with gradc, timed
# (median of GRADC_REPS runs) into $BENCH_OUT/compile/NAME.json.
gradc_program() {
  local name=$1 expr=$2
  shift 2
  log "gradc $name"
  "$PY" "$BENCH/tools.py" gradc "$name" "$expr" "$SRC/$name.cpp" --gradc "$GRADC" \
    --reps "$GRADC_REPS" --gradc-args "--name $name $*" > /dev/null
}

# sympy_program NAME EXPR: $SRC/NAME_sympy.cpp with the SymPy peer, under
# the time limit; no file when it does not finish.
sympy_program() {
  local name=$1 expr=$2
  log "sympy $name (limit ${SYMPY_TIMEOUT} s)"
  "$PY" "$BENCH/tools.py" sympy "$name" "$expr" "$SRC/${name}_sympy.cpp" \
    --timeout "$SYMPY_TIMEOUT" > /dev/null || log "sympy $name: did not finish"
}

# compile_program NAME EXPR: both, and the size of the generated code.
compile_program() {
  gradc_program "$1" "$2"
  sympy_program "$1" "$2"
  local s=()
  [ -f "$SRC/${1}_sympy.cpp" ] && s=(--sympy-cpp "$SRC/${1}_sympy.cpp")
  "$PY" "$BENCH/tools.py" size "$1" --gradc-cpp "$SRC/$1.cpp" "${s[@]}" > /dev/null
}

have_sympy() { [ -f "$SRC/${1}_sympy.cpp" ]; }

# A pool of background g++ jobs, nproc at a time: pool CMD...; pool_wait.
pool() {
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  "$@" &
}
pool_wait() { wait || true; }

# cxx OUTPUT ARGS...: $CXX $BENCH_CXXFLAGS ARGS -o OUTPUT, log in $LOG.
cxx() {
  local out=$1
  shift
  if ! $CXX $BENCH_CXXFLAGS "$@" -o "$out" > "$LOG/$(basename "$out").log" 2>&1; then
    log "g++ failed for $out (see $LOG/$(basename "$out").log)"
    rm -f "$out"
    return 1
  fi
}

# kernel_objects NAME...: compile gradc's (and SymPy's) kernels to $OBJ.
kernel_objects() {
  local n
  for n in "$@"; do
    pool cxx "$OBJ/$n.o" -c "$SRC/$n.cpp"
    if have_sympy "$n"; then pool cxx "$OBJ/${n}_sympy.o" -c "$SRC/${n}_sympy.cpp"; fi
  done
}

# run_bench NAME BINARY ARGS...: run a harness binary BENCH_PROCESSES times
# (default 3; each process places its stack and arrays anew, which moves a
# few-nanosecond kernel's time by up to half), JSON merged by merge_runs.py
# to $RES/NAME.json.
run_bench() {
  local name=$1 bin=$2 procs=${BENCH_PROCESSES:-3} k
  shift 2
  if [ ! -x "$bin" ]; then
    log "no binary for $name"
    return 0
  fi
  log "run $name ($procs processes)"
  local parts=()
  : > "$LOG/$name.run.log"
  for ((k = 0; k < procs; k++)); do
    if ! "$bin" "$@" > "$RES/$name.$k.part" 2>> "$LOG/$name.run.log"; then
      log "$name failed (see $LOG/$name.run.log)"
      rm -f "$RES/$name.json" "$RES/$name".*.part
      return 0
    fi
    parts+=("$RES/$name.$k.part")
  done
  "$PY" "$BENCH/merge_runs.py" "$RES/$name.json" "${parts[@]}"
  rm -f "${parts[@]}"
}

report() { "$PY" "$BENCH/report.py" "$@"; }
