// main_throughput.cpp - nanoseconds per point of gradc's kernels over many
// points (bench/sections/88-throughput.sh): NAME and NAME_grad called once
// per point, NAME_batch and NAME_grad_batch from an LLVM object (KL) and
// from C++ built by clang++ with the flags the source names (KC), and the
// peers' gradients called once per point: hand-written (HAVE_HAND),
// ADOL-C with its tape reused, Ceres Jets, SymPy's C (HAVE_SYMPY). Every
// batch result is checked against NAME_grad first. Build with
//   -include workloads/W/model.hpp -DMODEL=models::X -DKL=w_llvm -DKC=w_cpp
// Prints one line per (kernel, count): "kernel count ns_per_point".
//
//   bench_throughput                     the table's measurements
//   bench_throughput profile KERNEL N R  only KERNEL (f, grad,
//       grad_batch_llvm, grad_batch_cpp) over N points, R times: run under
//       valgrind --tool=cachegrind with R and with 0 for its instructions
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"
#include "peers.hpp"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

extern "C" {
void KL(const double* in, double* out);
void CAT(KL, _grad)(const double* in, double* out, double* jac);
void CAT(KL, _batch)(size_t count, const double* in, double* out);
void CAT(KL, _grad_batch)(size_t count, const double* in, double* out, double* jac);
void CAT(KC, _batch)(size_t count, const double* in, double* out);
void CAT(KC, _grad_batch)(size_t count, const double* in, double* out, double* jac);
#ifdef HAVE_HAND
void CAT(hand_, CAT(NAME_OF_HAND, _grad))(const double* in, double* out, double* jac);
#endif
#ifdef HAVE_SYMPY
void CAT(sympy_, CAT(NAME_OF_SYMPY, _grad))(const double* in, double* out, double* jac);
#endif
}

namespace {

constexpr int n = MODEL::n_in, m = MODEL::n_out, k = MODEL::n_wrt;

// How many calls of `call(count)` take about 0.05 s.
template <class Call>
long calls_for(size_t count, Call call) {
  long calls = 1;
  for (;;) {
    double t0 = bench::now();
    for (long c = 0; c < calls; ++c) call(count);
    if (bench::now() - t0 > 0.05) return calls;
    calls *= 4;
  }
}

// Nanoseconds per point of `calls` calls of `call(count)`.
template <class Call>
double timed(size_t count, long calls, Call call) {
  double t0 = bench::now();
  for (long c = 0; c < calls; ++c) call(count);
  return (bench::now() - t0) / double(calls * count) * 1e9;
}

// Median over 5 repetitions of the nanoseconds per point of `call(count)`
// run over the first `count` points of `points` (each about 0.05 s).
template <class Call>
double ns_per_point(size_t count, Call call) {
  const long calls = calls_for(count, call);
  std::vector<double> reps;
  for (int r = 0; r < 5; ++r) reps.push_back(timed(count, calls, call));
  std::sort(reps.begin(), reps.end());
  return reps[2];
}

// a's time over b's, the two timed alternately, repetition by repetition,
// so that a change in the shared machine's speed during the run falls on
// both: the median of 9 paired ratios.
template <class A, class B>
double paired_ratio(size_t count, A a, B b) {
  const long calls_a = calls_for(count, a), calls_b = calls_for(count, b);
  std::vector<double> ratios;
  for (int r = 0; r < 9; ++r) ratios.push_back(timed(count, calls_a, a) / timed(count, calls_b, b));
  std::sort(ratios.begin(), ratios.end());
  return ratios[4];
}

}  // namespace

// `profile KERNEL N R`: KERNEL over N points, R times, and nothing else.
int profile(const char* kernel, size_t count, long reps) {
  std::vector<double> in(count * n), out(count * m), jac(count * m * k);
  bench::Rng rng(42);
  for (size_t p = 0; p < count; ++p) MODEL::gen_input(rng, &in[p * n]);
  const std::string which = kernel;
  for (long r = 0; r < reps; ++r) {
    if (which == "f") {
      for (size_t p = 0; p < count; ++p) KL(&in[p * n], &out[p * m]);
    } else if (which == "grad") {
      for (size_t p = 0; p < count; ++p) CAT(KL, _grad)(&in[p * n], &out[p * m], &jac[p * m * k]);
    } else if (which == "grad_batch_llvm") {
      CAT(KL, _grad_batch)(count, in.data(), out.data(), jac.data());
    } else if (which == "grad_batch_cpp") {
      CAT(KC, _grad_batch)(count, in.data(), out.data(), jac.data());
    } else {
      std::fprintf(stderr, "profile: unknown kernel %s\n", kernel);
      return 2;
    }
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "profile")
    return profile(argv[2], std::strtoul(argv[3], nullptr, 10), std::atol(argv[4]));
  const size_t most = 100000;
  std::vector<double> in(most * n), out(most * m), jac(most * m * k), out2(most * m),
      jac2(most * m * k);
  bench::Rng rng(42);
  for (size_t p = 0; p < most; ++p) MODEL::gen_input(rng, &in[p * n]);
  bench::Adolc<MODEL>::setup(in.data());

  // Check: every batch kernel against NAME_grad at 1,000 points.
  const size_t checked = 1000;
  for (size_t p = 0; p < checked; ++p) CAT(KL, _grad)(&in[p * n], &out[p * m], &jac[p * m * k]);
  auto worst = [&](auto batch) {
    batch(checked, in.data(), out2.data(), jac2.data());
    double w = 0;
    for (size_t i = 0; i < checked * m * k; ++i)
      w = std::max(w, std::abs(jac2[i] - jac[i]) / (1 + std::abs(jac[i])));
    return w;
  };
  std::printf("check grad_batch_llvm %.3g\n", worst(CAT(KL, _grad_batch)));
  std::printf("check grad_batch_cpp %.3g\n", worst(CAT(KC, _grad_batch)));

  std::map<std::string, double> peer_ns;  // by peer: ns per point at the last count
  for (size_t count : {size_t(1), size_t(7), size_t(1000), most}) {
    auto looped = [&](auto fn, bool grad) {
      return ns_per_point(count, [&](size_t c) {
        for (size_t p = 0; p < c; ++p) {
          if (grad) fn(&in[p * n], &out[p * m], &jac[p * m * k]);
        }
      });
    };
    double f = ns_per_point(count, [&](size_t c) {
      for (size_t p = 0; p < c; ++p) KL(&in[p * n], &out[p * m]);
    });
    double g = looped(CAT(KL, _grad), true);
    double fb = ns_per_point(count, [&](size_t c) { CAT(KL, _batch)(c, in.data(), out.data()); });
    double gb = ns_per_point(count, [&](size_t c) {
      CAT(KL, _grad_batch)(c, in.data(), out.data(), jac.data());
    });
    double fbc = ns_per_point(count, [&](size_t c) { CAT(KC, _batch)(c, in.data(), out.data()); });
    double gbc = ns_per_point(count, [&](size_t c) {
      CAT(KC, _grad_batch)(c, in.data(), out.data(), jac.data());
    });
    const double g_over_gb = paired_ratio(
        count,
        [&](size_t c) {
          for (size_t p = 0; p < c; ++p) CAT(KL, _grad)(&in[p * n], &out[p * m], &jac[p * m * k]);
        },
        [&](size_t c) { CAT(KL, _grad_batch)(c, in.data(), out.data(), jac.data()); });
    std::printf("f %zu %.2f\ngrad %zu %.2f\nbatch_llvm %zu %.2f\ngrad_batch_llvm %zu %.2f\n"
                "batch_cpp %zu %.2f\ngrad_batch_cpp %zu %.2f\ngrad_over_grad_batch %zu %.4f\n",
                count, f, count, g, count, fb, count, gb, count, fbc, count, gbc, count, g_over_gb);
#ifdef HAVE_HAND
    std::printf("hand_grad %zu %.2f\n", count, looped(CAT(hand_, CAT(NAME_OF_HAND, _grad)), true));
#endif
    // A peer slower than 2 us per point at 1,000 points is not timed at
    // 100,000 (6 calls of several seconds each; its time per point is the same).
    auto peer = [&](const char* name, auto fn) {
      double& before = peer_ns[name];
      if (count == most && before > 2000) return;
      before = looped(fn, true);
      std::printf("%s %zu %.2f\n", name, count, before);
    };
    peer("adolc_grad", bench::Adolc<MODEL>::grad_tape);
    peer("ceres_grad", bench::Ceres<MODEL>::grad);
#ifdef HAVE_SYMPY
    peer("sympy_grad", CAT(sympy_, CAT(NAME_OF_SYMPY, _grad)));
#endif
  }
}
