#!/usr/bin/env bash
# cmake_app.sh BUILD_DIR EXAMPLES_DIR TMP - install gradc from BUILD_DIR to a
# temporary prefix; build examples/cmake_app and examples/jit_app against
# it; run them; change a .expr and check that the kernels are regenerated;
# build cmake_app against the build tree (gradc_DIR=BUILD_DIR) as well;
# build tests/integration/c_app (C, objects, a relative OUTPUT_DIR, C++14)
# and see a kernel-name clash refused.
set -euo pipefail
build=$1 examples=$2 tmp=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$tmp" && mkdir -p "$tmp"

# No binary of the build tree or of the install may search the current
# directory for libraries: an empty RUNPATH entry (CMake pads build RPATHs
# with them) means '.', ahead of the system's directories.
check_runpath() {
  local runpath entry
  runpath=$(readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  [[ -z "$runpath" ]] && return 0
  while IFS= read -r entry; do
    if [[ "$entry" != /* && "$entry" != '$ORIGIN'* ]]; then
      echo "$1: RUNPATH '$runpath' has the entry '$entry': the current directory"
      exit 1
    fi
  done < <(printf '%s\n' "$runpath" | tr ':' '\n')
}
check_runpath "$build/gradc"
check_runpath "$(readlink -f "$build/libgradc_runtime.so")"
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
"$prefix/bin/gradc" --version
check_runpath "$prefix/bin/gradc"
check_runpath "$(readlink -f "$prefix/lib/libgradc_runtime.so")"
# The installed command loads LLVM from the installed runtime library, and
# only when it needs it (the JIT of --check here).
if readelf -d "$prefix/bin/gradc" | grep -q libLLVM; then echo "installed gradc links libLLVM"; exit 1; fi
"$prefix/bin/gradc" "$examples/relu_net.expr" --check | grep -q '^check: .*all match central differences'

# A copy of the app's sources, so that editing model.expr leaves the repo alone.
cp -r "$examples/cmake_app" "$tmp/src"
cmake -S "$tmp/src" -B "$tmp/app" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > "$tmp/configure.log"
cmake --build "$tmp/app" > "$tmp/build.log"
"$tmp/app/cmake_app" | tee "$tmp/run1.txt"
grep -q '^model: .*all match central differences' "$tmp/run1.txt"
grep -q '^loss: .*all match central differences' "$tmp/run1.txt"

# Editing a .expr regenerates its kernel: scale the model's output by 0.5.
sed -i 's/^p = sigmoid(\(.*\))$/p = 0.5*sigmoid(\1)/' "$tmp/src/model.expr"
grep -q '0.5\*sigmoid' "$tmp/src/model.expr"
cmake --build "$tmp/app" | tee "$tmp/rebuild.log"
grep -q 'gradc: model.expr -> model.cpp' "$tmp/rebuild.log"
if grep -q 'gradc: loss.expr' "$tmp/rebuild.log"; then echo "loss.o regenerated needlessly"; exit 1; fi
"$tmp/app/cmake_app" > "$tmp/run2.txt"
p1=$(sed -n 's/^p = //p' "$tmp/run1.txt") p2=$(sed -n 's/^p = //p' "$tmp/run2.txt")
python3 -c "import sys; p1, p2 = float('$p1'), float('$p2'); sys.exit(0 if abs(p2 - 0.5*p1) < 1e-15 else 1)" \
  || { echo "after the edit p = $p2, expected half of $p1"; exit 1; }

# The same app against the build tree, which is a package too (no install).
rm -rf "$tmp/src-build-tree" && cp -r "$examples/cmake_app" "$tmp/src-build-tree"
cmake -S "$tmp/src-build-tree" -B "$tmp/app-build-tree" -G Ninja -Dgradc_DIR="$build" \
  > "$tmp/configure-build-tree.log"
cmake --build "$tmp/app-build-tree" > "$tmp/build-build-tree.log"
"$tmp/app-build-tree/cmake_app" > "$tmp/run-build-tree.txt"
grep -q '^model: .*all match central differences' "$tmp/run-build-tree.txt"
cmp <(sed -n 's/^p = //p' "$tmp/run-build-tree.txt") <(sed -n 's/^p = //p' "$tmp/run1.txt")

# The JIT example against the installed runtime.
cmake -S "$examples/jit_app" -B "$tmp/jit_app" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > "$tmp/jit-configure.log"
cmake --build "$tmp/jit_app" > "$tmp/jit-build.log"
"$tmp/jit_app/jit_app" 'x*y + sin(x)' x=1 y=2 | tee "$tmp/jit.txt"
grep -q '^df/dx = 2.5403023058681398$' "$tmp/jit.txt"
# A C project calling objects (libm linked for it), kernels in a relative
# OUTPUT_DIR, and a C++14 target given C++17 by gradc::runtime.
cp -r "$here/c_app" "$tmp/c_src"
cmake -S "$tmp/c_src" -B "$tmp/c_app" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > "$tmp/c-configure.log"
cmake --build "$tmp/c_app" > "$tmp/c-build.log"
test -f "$tmp/c_app/gen/model.o" && test -f "$tmp/c_app/gen/model.hpp"
if [[ -e "$tmp/c_src/gen" ]]; then echo "OUTPUT_DIR gen was made in the source tree"; exit 1; fi
"$tmp/c_app/c_app" | tee "$tmp/c.txt"
grep -q '^batch: 5 points agree$' "$tmp/c.txt"
"$tmp/c_app/jit14" | tee "$tmp/jit14.txt"
grep -q '^f = 16, df/dx = 4, df/dy = 4$' "$tmp/jit14.txt"
# model.expr and model_grad.expr would both define model_grad,
# model_info.expr a function where model.hpp has its namespace model_info,
# and _model.expr the kernels of model.expr (gradc drops the leading '_'):
# refused when configuring, naming both files, rather than at link time.
# model.v2.expr (kernels model_v2) clashes with neither.
mkdir -p "$tmp/c_src/clash"
for extra in model_grad model_info _model model.v2; do
  cp "$tmp/c_src/model.expr" "$tmp/c_src/clash/$extra.expr"
done
for extra in model_grad model_info _model; do
  rm -rf "$tmp/c_clash"
  if cmake -S "$tmp/c_src" -B "$tmp/c_clash" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
       -DEXTRA="clash/$extra.expr" > "$tmp/clash.log" 2>&1; then
    echo "the clash of clash/$extra.expr with model.expr was not refused"; exit 1
  fi
  want=$([ $extra = _model ] && echo model || echo $extra)
  tr -s ' \n' '  ' < "$tmp/clash.log" | grep -q "would both define the name '$want'"  # CMake wraps
done
rm -rf "$tmp/c_clash"
cmake -S "$tmp/c_src" -B "$tmp/c_clash" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DEXTRA="clash/model.v2.expr" > "$tmp/clash.log" 2>&1 \
  || { echo "model.v2.expr was refused beside model.expr"; cat "$tmp/clash.log"; exit 1; }
cmake --build "$tmp/c_clash" > "$tmp/clash-build.log"  # links: model_v2* beside model*

echo "cmake_app.sh: installed package and build tree, gradc_add_kernels (cpp and obj), the LLVM backend loaded on demand, regeneration, jit_app, a C app, a C++14 app, name clashes and RUNPATHs all work"
