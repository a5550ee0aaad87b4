// main_single.cpp - benchmark one program against every peer.
//
// Compiled once per program with
//   -include MODEL.hpp -DMODEL=Type -DKNAME=name [-DHAVE_HAND] [-DHAVE_SYMPY]
//   [-DVARIANT=name2]
// and linked with gradc's kernels (KNAME, KNAME_grad), SymPy's
// (sympy_KNAME, sympy_KNAME_grad) and the hand-written ones
// (hand_KNAME, hand_KNAME_grad), and optionally a second gradc program for
// the same function (VARIANT, VARIANT_grad; BA without its theta = 0 branch).
//
//   bench_X [COUNT [SEED]]   COUNT varied inputs (default 10000)
//
// Environment: BENCH_MIN_CALLS (default 1; BA uses 100000, one full pass
// over the observations per repetition), BENCH_REPS, BENCH_REP_SECONDS,
// BENCH_ONLY=gradc,hand (time only these peers, e.g. under perf).
#include <cstdio>
#include <cstdlib>

#include "harness.hpp"
#include "peers.hpp"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

extern "C" {
void KNAME(const double* in, double* out);
void CAT(KNAME, _grad)(const double* in, double* out, double* jac);
#ifdef HAVE_SYMPY
void CAT(sympy_, KNAME)(const double* in, double* out);
void CAT(CAT(sympy_, KNAME), _grad)(const double* in, double* out, double* jac);
#endif
#ifdef VARIANT
void VARIANT(const double* in, double* out);
void CAT(VARIANT, _grad)(const double* in, double* out, double* jac);
#endif
#ifdef HAVE_HAND
void CAT(hand_, KNAME)(const double* in, double* out);
void CAT(CAT(hand_, KNAME), _grad)(const double* in, double* out, double* jac);
#endif
}

int main(int argc, char** argv) {
  using M = MODEL;
  bench::Problem p;
  p.name = M::name;
  p.n_in = M::n_in;
  p.n_out = M::n_out;
  p.n_wrt = M::n_wrt;
  p.count = argc > 1 ? std::atol(argv[1]) : 10000;
  p.min_calls = bench::env_int("BENCH_MIN_CALLS", 1);
  bench::Rng rng(argc > 2 ? std::atol(argv[2]) : 42);
  p.inputs.resize(p.count * p.n_in);
  for (long i = 0; i < p.count; ++i) M::gen_input(rng, &p.inputs[i * p.n_in]);

  bench::Adolc<M>::setup(&p.inputs[0]);
  std::vector<bench::Peer> peers;
  peers.push_back({"gradc", KNAME, CAT(KNAME, _grad)});
#ifdef VARIANT
  peers.push_back({"gradc_variant", VARIANT, CAT(VARIANT, _grad)});
#endif
#ifdef HAVE_HAND
  peers.push_back({"hand", CAT(hand_, KNAME), CAT(CAT(hand_, KNAME), _grad)});
#endif
  peers.push_back({"adolc_tape", nullptr, bench::Adolc<M>::grad_tape});
  peers.push_back({"adolc_retape", nullptr, bench::Adolc<M>::grad_retape});
  peers.push_back({"ceres", nullptr, bench::Ceres<M>::grad});
  peers.push_back({"template", bench::template_fwd<M>, nullptr});
#ifdef HAVE_SYMPY
  peers.push_back({"sympy", CAT(sympy_, KNAME), CAT(CAT(sympy_, KNAME), _grad)});
#endif
  bench::Peer fd{"fd", nullptr, bench::FiniteDiff<M, KNAME>::grad};
  fd.tolerance = 1e-3;
  peers.push_back(fd);
  std::printf("%s\n", bench::run(p, peers).c_str());
  return 0;
}
