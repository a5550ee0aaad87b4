// jit14 - a C++14 target that links gradc::runtime (whose header needs
// C++17: the target gets it from gradc::runtime) and JIT-compiles a program.
#include <cstdio>

#include "gradc_runtime.h"

int main() {
  gradc::Kernel k = gradc::jit_compile("input x, y\nf = x*y + y\n");
  gradc::Kernel::Result r = k.grad({3.0, 4.0});
  std::printf("f = %g, df/dx = %g, df/dy = %g\n", r.out[0], r.jac[0], r.jac[1]);
  return r.out[0] == 16 && r.jac[0] == 4 && r.jac[1] == 4 ? 0 : 1;
}
