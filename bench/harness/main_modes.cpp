// main_modes.cpp - one program compiled by gradc in several Jacobian modes
// (--mode=forward, reverse, auto): the kernels NAME and NAME_grad of each,
// checked against each other and timed side by side (harness.hpp).
//
// Compiled once per program with
//   -DPROG=pendulum_100 -DN_IN=3 -DN_OUT=100 -DN_WRT=1
//   [-DHAVE_FORWARD] [-DHAVE_REVERSE] [-DHAVE_AUTO]
// and linked with the kernels PROG_forward, PROG_reverse, PROG_auto (each
// with its _grad), the modes that were compiled. The first present mode is
// the reference of the check.
//
//   bench_modes_X [COUNT [SEED]]   COUNT varied inputs (default 1000):
//   the pendulum's c in [0.5, 2], th0 and w0 in [-1, 1].
#include <cstdio>
#include <cstdlib>

#include "harness.hpp"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)
#define DECLARE(name)                                 \
  extern "C" void name(const double* in, double* out); \
  extern "C" void CAT(name, _grad)(const double* in, double* out, double* jac);

#ifdef HAVE_FORWARD
DECLARE(CAT(PROG, _forward))
#endif
#ifdef HAVE_REVERSE
DECLARE(CAT(PROG, _reverse))
#endif
#ifdef HAVE_AUTO
DECLARE(CAT(PROG, _auto))
#endif

int main(int argc, char** argv) {
  bench::Problem p;
  p.name = STR(PROG);
  p.n_in = N_IN;
  p.n_out = N_OUT;
  p.n_wrt = N_WRT;
  p.count = argc > 1 ? std::atol(argv[1]) : 1000;
  p.verify_count = 20;
  bench::Rng rng(argc > 2 ? std::atol(argv[2]) : 42);
  p.inputs.resize(p.count * p.n_in);
  for (long i = 0; i < p.count; ++i) {
    double* in = &p.inputs[i * p.n_in];
    in[0] = rng.uniform(0.5, 2.0);
    for (int j = 1; j < p.n_in; ++j) in[j] = rng.uniform(-1.0, 1.0);
  }
  std::vector<bench::Peer> peers;
#ifdef HAVE_FORWARD
  peers.push_back({"forward", CAT(PROG, _forward), CAT(CAT(PROG, _forward), _grad)});
#endif
#ifdef HAVE_REVERSE
  peers.push_back({"reverse", CAT(PROG, _reverse), CAT(CAT(PROG, _reverse), _grad)});
#endif
#ifdef HAVE_AUTO
  peers.push_back({"auto", CAT(PROG, _auto), CAT(CAT(PROG, _auto), _grad)});
#endif
  std::printf("%s\n", bench::run(p, peers).c_str());
  return 0;
}
