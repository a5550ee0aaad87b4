// model.hpp - the extended Rosenbrock function as a C++ template (peers).
#pragma once
#include <array>

#include "peers.hpp"

namespace models {
template <int N>
struct Rosenbrock {
  static constexpr const char* name = N == 100 ? "rosenbrock_100" : "rosenbrock_1000";
  static constexpr int n_in = N, n_out = 1, n_wrt = N;
  static constexpr std::array<int, n_wrt> wrt = bench::all_inputs<Rosenbrock>();
  template <class T>
  static void eval(const T* x, T* out) {
    T f(0.0);
    for (int i = 0; i < N; i += 2) {
      T t = x[i + 1] - x[i] * x[i];
      T u = 1.0 - x[i];
      f += 100.0 * t * t + u * u;
    }
    out[0] = f;
  }
  static void gen_input(bench::Rng& r, double* in) {
    for (int i = 0; i < N; ++i) in[i] = r.uniform(-2, 2);
  }
};
}  // namespace models
