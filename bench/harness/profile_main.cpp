// profile_main.cpp - call one kernel many times, for profilers (valgrind
// --tool=cachegrind / callgrind, perf record). Built like main_single.cpp:
//   g++ -O2 -std=c++17 -g -Ibench/harness -I/usr/include/eigen3 -include MODEL.hpp
//       -DMODEL=Type -DKNAME=name [-DHAVE_HAND] profile_main.cpp kernels... -ladolc
//   ./prof WHICH CALLS [COUNT]   WHICH = fwd | grad | hand_fwd | hand_grad
// The inputs (COUNT of them, default 1000) are made before the loop; divide
// a profiler's totals for the kernel functions by CALLS.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "peers.hpp"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

extern "C" {
void KNAME(const double* in, double* out);
void CAT(KNAME, _grad)(const double* in, double* out, double* jac);
#ifdef HAVE_HAND
void CAT(hand_, KNAME)(const double* in, double* out);
void CAT(CAT(hand_, KNAME), _grad)(const double* in, double* out, double* jac);
#endif
}

int main(int argc, char** argv) {
  using M = MODEL;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s fwd|grad|hand_fwd|hand_grad CALLS [COUNT]\n", argv[0]);
    return 2;
  }
  const long calls = std::atol(argv[2]), count = argc > 3 ? std::atol(argv[3]) : 1000;
  std::vector<double> in(count * M::n_in), out(M::n_out), jac(M::n_out * M::n_wrt);
  bench::Rng rng(42);
  for (long i = 0; i < count; ++i) M::gen_input(rng, &in[i * M::n_in]);
  bench::Fwd f = nullptr;
  bench::Grad g = nullptr;
  if (!std::strcmp(argv[1], "fwd")) f = KNAME;
  if (!std::strcmp(argv[1], "grad")) g = CAT(KNAME, _grad);
#ifdef HAVE_HAND
  if (!std::strcmp(argv[1], "hand_fwd")) f = CAT(hand_, KNAME);
  if (!std::strcmp(argv[1], "hand_grad")) g = CAT(CAT(hand_, KNAME), _grad);
#endif
  if (!f && !g) return 2;
  double sink = 0;
  for (long c = 0, i = 0; c < calls; ++c, i = i + 1 == count ? 0 : i + 1) {
    if (f) f(&in[i * M::n_in], out.data());
    else g(&in[i * M::n_in], out.data(), jac.data());
    sink += out[0];
  }
  std::printf("%g\n", sink);
  return 0;
}
