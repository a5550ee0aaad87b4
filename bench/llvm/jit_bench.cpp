// jit_bench.cpp - the LLVM backend's benchmark (bench/README.md, "LLVM JIT"):
//   jit_bench PROGRAM.expr CPP_KERNELS.so NAME
// prints one tab-separated line:
//   jit_O0_s  jit_O2_s  llvm_grad_ns  gxx_grad_ns  max_rel_diff
// jit_Ox_s: seconds for gradc::jit_compile at -O0 and -O2 (parse,
// differentiate, build IR, optimize, machine code), median of 3 (1 for big
// programs). *_grad_ns: nanoseconds per NAME_grad call, median of 5
// repetitions, for the JIT's -O2 code and for gradc's C++ compiled by
// g++ -O2 (CPP_KERNELS.so, NAME_grad), on the same varied inputs.
// max_rel_diff: the largest relative difference between the two Jacobians.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gradc_runtime.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double jit_seconds(const std::string& source, int opt_level, int reps) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    gradc::JitOptions o;
    o.opt_level = opt_level;
    double start = now();
    gradc::Kernel k = gradc::jit_compile(source, o);
    t.push_back(now() - start);
  }
  return median(t);
}

// Nanoseconds per call of `f`, cycling through `inputs`: median of 5
// repetitions of at least 0.2 s each.
double ns_per_call(gradc_grad_fn f, const std::vector<std::vector<double>>& inputs, size_t m,
                   size_t k) {
  std::vector<double> out(m), jac(m * k);
  long calls = 1;
  for (;;) {  // calibrate
    double start = now();
    for (long c = 0; c < calls; ++c) f(inputs[c % inputs.size()].data(), out.data(), jac.data());
    if (now() - start > 0.2) break;
    calls *= 2;
  }
  std::vector<double> t;
  for (int r = 0; r < 5; ++r) {
    double start = now();
    for (long c = 0; c < calls; ++c) f(inputs[c % inputs.size()].data(), out.data(), jac.data());
    t.push_back((now() - start) / double(calls) * 1e9);
  }
  return median(t);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: jit_bench PROGRAM.expr CPP_KERNELS.so NAME\n");
    return 2;
  }
  std::ifstream file(argv[1]);
  std::stringstream text;
  text << file.rdbuf();
  const std::string source = text.str();
  void* so = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
  if (!so) {
    std::fprintf(stderr, "jit_bench: %s\n", dlerror());
    return 1;
  }
  auto gxx = reinterpret_cast<gradc_grad_fn>(dlsym(so, (std::string(argv[3]) + "_grad").c_str()));
  if (!gxx) {
    std::fprintf(stderr, "jit_bench: no %s_grad in %s\n", argv[3], argv[2]);
    return 1;
  }

  gradc::Kernel kernel = gradc::jit_compile(source);  // -O2, also warms up LLVM
  const size_t n = kernel.num_inputs(), m = kernel.num_outputs(), k = kernel.num_wrt();
  int reps = n + m * k > 20000 || source.size() > 200000 ? 1 : 3;
  double o0 = jit_seconds(source, 0, reps), o2 = jit_seconds(source, 2, reps);

  std::vector<std::vector<double>> inputs(64, std::vector<double>(n));
  uint64_t state = 12345;
  for (auto& in : inputs)
    for (double& x : in) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      x = 0.5 + double(state >> 11) * 0x1.0p-53;  // [0.5, 1.5)
    }
  double worst = 0;
  for (const auto& in : inputs) {
    std::vector<double> o1(m), j1(m * k), o2v(m), j2(m * k);
    kernel.grad(in.data(), o1.data(), j1.data());
    gxx(in.data(), o2v.data(), j2.data());
    for (size_t i = 0; i < j1.size(); ++i)
      if (std::isfinite(j1[i]) || std::isfinite(j2[i]))
        worst = std::max(worst, std::fabs(j1[i] - j2[i]) /
                                    std::max({std::fabs(j1[i]), std::fabs(j2[i]), 1e-300}));
  }
  double llvm_ns = ns_per_call(kernel.grad_function(), inputs, m, k);
  double gxx_ns = ns_per_call(gxx, inputs, m, k);
  std::printf("%.4f\t%.4f\t%.1f\t%.1f\t%.2g\n", o0, o2, llvm_ns, gxx_ns, worst);
  return 0;
}
