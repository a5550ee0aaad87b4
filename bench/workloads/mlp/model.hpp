// model.hpp - the small MLP loss (mlp.expr) as a C++ template for the peers.
// in = W1[16,8], b1[16], W2[4,16], b2[4], x[8], y[4]; wrt the first 212.
#pragma once
#include <array>
#include <cmath>

#include "peers.hpp"

namespace models {
struct MLP {
  static constexpr int D = 8, H = 16, C = 4;
  static constexpr const char* name = "mlp";
  static constexpr int n_wrt = H * D + H + C * H + C;
  static constexpr int n_in = n_wrt + D + C, n_out = 1;
  static constexpr std::array<int, n_wrt> wrt = [] {
    std::array<int, n_wrt> a{};
    for (int i = 0; i < n_wrt; ++i) a[i] = i;
    return a;
  }();
  template <class T>
  static void eval(const T* in, T* out) {
    using std::exp;
    using std::log;
    using std::tanh;
    const T *W1 = in, *b1 = W1 + H * D, *W2 = b1 + H, *b2 = W2 + C * H, *x = b2 + C, *y = x + D;
    T h[H], z[C];
    for (int i = 0; i < H; ++i) {
      T s = b1[i];
      for (int j = 0; j < D; ++j) s += W1[i * D + j] * x[j];
      h[i] = tanh(s);
    }
    for (int c = 0; c < C; ++c) {
      z[c] = b2[c];
      for (int i = 0; i < H; ++i) z[c] += W2[c * H + i] * h[i];
    }
    T m = z[0];  // logsumexp shifted by the maximum
    for (int c = 1; c < C; ++c) m = bench::Ops<T>::max(m, z[c]);
    T se(0.0), yz(0.0);
    for (int c = 0; c < C; ++c) {
      se += exp(z[c] - m);
      yz += y[c] * z[c];
    }
    out[0] = m + log(se) - yz;
  }
  static void gen_input(bench::Rng& r, double* in) {
    for (int i = 0; i < n_wrt; ++i) in[i] = r.uniform(-0.5, 0.5);
    for (int i = 0; i < D; ++i) in[n_wrt + i] = r.uniform(-2, 2);
    const int label = (int)r.uniform(0, C);
    for (int c = 0; c < C; ++c) in[n_wrt + D + c] = c == label;
  }
};
}  // namespace models
