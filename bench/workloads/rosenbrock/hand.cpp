// hand.cpp - hand-written extended Rosenbrock function and gradient, gradc's ABI.
// One loop over the pairs: f += 100 t^2 + u^2 with t = x1 - x0^2, u = 1 - x0;
// df/dx0 = -400 t x0 - 2 u, df/dx1 = 200 t.
#ifndef ROSEN_N
#error "compile with -DROSEN_N=100 or 1000"
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FWD CAT(hand_rosenbrock_, ROSEN_N)
#define GRAD CAT(FWD, _grad)

extern "C" void FWD(const double* x, double* out) {
  double f = 0.0;
  for (int i = 0; i < ROSEN_N; i += 2) {
    const double t = x[i + 1] - x[i] * x[i], u = 1.0 - x[i];
    f += 100.0 * t * t + u * u;
  }
  out[0] = f;
}

extern "C" void GRAD(const double* x, double* out, double* g) {
  double f = 0.0;
  for (int i = 0; i < ROSEN_N; i += 2) {
    const double t = x[i + 1] - x[i] * x[i], u = 1.0 - x[i];
    f += 100.0 * t * t + u * u;
    g[i] = -400.0 * t * x[i] - 2.0 * u;
    g[i + 1] = 200.0 * t;
  }
  out[0] = f;
}
