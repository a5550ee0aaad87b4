// models.hpp - the course programs of examples/ as C++ templates, for the
// ADOL-C and Ceres peers (bench/harness/peers.hpp). Each mirrors its .expr
// file line by line; the harness checks that they agree with gradc.
#pragma once
#include <array>
#include <cmath>

#include "peers.hpp"

namespace models {
using bench::Ops;
using bench::Rng;

// examples/card.expr: a = x*y + z; b = a*(x+x); w = a*b + b
struct Card {
  static constexpr const char* name = "card";
  static constexpr int n_in = 3, n_out = 1, n_wrt = 3;
  static constexpr std::array<int, n_wrt> wrt = {0, 1, 2};
  template <class T>
  static void eval(const T* in, T* out) {
    const T &x = in[0], &y = in[1], &z = in[2];
    T a = x * y + z;
    T b = a * (x + x);
    out[0] = a * b + b;
  }
  static void gen_input(Rng& r, double* in) {
    for (int i = 0; i < n_in; ++i) in[i] = r.uniform(-2, 2);
  }
};

// examples/relu_net.expr: three ReLU units on a scalar x, linear output.
struct ReluNet {
  static constexpr const char* name = "relu_net";
  static constexpr int n_in = 11, n_out = 1, n_wrt = 11;
  static constexpr std::array<int, n_wrt> wrt = bench::all_inputs<ReluNet>();
  template <class T>
  static void eval(const T* in, T* out) {
    // x, W1_0, b1_0, W1_1, b1_1, W1_2, b1_2, W2_0, W2_1, W2_2, b2
    const T& x = in[0];
    T h0 = Ops<T>::relu(in[1] * x + in[2]);
    T h1 = Ops<T>::relu(in[3] * x + in[4]);
    T h2 = Ops<T>::relu(in[5] * x + in[6]);
    out[0] = in[7] * h0 + in[8] * h1 + in[9] * h2 + in[10];
  }
  static void gen_input(Rng& r, double* in) {
    for (int i = 0; i < n_in; ++i) in[i] = r.uniform(-2, 2);
  }
};

// examples/two_unit_bce.expr: two ReLU units, sigmoid output, BCE loss.
struct TwoUnitBce {
  static constexpr const char* name = "two_unit_bce";
  static constexpr int n_in = 9, n_out = 1, n_wrt = 9;
  static constexpr std::array<int, n_wrt> wrt = bench::all_inputs<TwoUnitBce>();
  template <class T>
  static void eval(const T* in, T* out) {
    using std::log;
    // x, w1, b1, w2, b2, v1, v2, c, y
    const T &x = in[0], &y = in[8];
    T h1 = Ops<T>::relu(in[1] * x + in[2]);
    T h2 = Ops<T>::relu(in[3] * x + in[4]);
    T z = in[5] * h1 + in[6] * h2 + in[7];
    T yhat = Ops<T>::sigmoid(z);
    out[0] = -(y * log(yhat) + (1.0 - y) * log(1.0 - yhat));
  }
  static void gen_input(Rng& r, double* in) {
    for (int i = 0; i < n_in; ++i) in[i] = r.uniform(-2, 2);
    in[8] = r.uniform(0, 1);
  }
};

// examples/skip_bce.expr: a ReLU unit with a skip connection, sigmoid, BCE;
// outputs J and z2.
struct SkipBce {
  static constexpr const char* name = "skip_bce";
  static constexpr int n_in = 6, n_out = 2, n_wrt = 6;
  static constexpr std::array<int, n_wrt> wrt = bench::all_inputs<SkipBce>();
  template <class T>
  static void eval(const T* in, T* out) {
    using std::log;
    // x, W1, b1, W2, b2, y
    const T &x = in[0], &y = in[5];
    T z1 = in[1] * x + in[2];
    T z2 = in[3] * Ops<T>::relu(z1) + in[4] + x;
    T yhat = Ops<T>::sigmoid(z2);
    out[0] = -(y * log(yhat) + (1.0 - y) * log(1.0 - yhat));
    out[1] = z2;
  }
  static void gen_input(Rng& r, double* in) {
    for (int i = 0; i < n_in; ++i) in[i] = r.uniform(-2, 2);
    in[5] = r.uniform(0, 1);
  }
};

// examples/regression_net.expr: W1[3,4] b1[3] x[4] W2[2,3] b2[2] y[2];
// s1 = W1 @ x + b1, a1 = 3*relu(s1), yhat = W2 @ a1 + b2,
// C = 0.5*sum((yhat - y)^2).
struct RegressionNet {
  static constexpr const char* name = "regression_net";
  static constexpr int n_in = 29, n_out = 1, n_wrt = 29;
  static constexpr std::array<int, n_wrt> wrt = bench::all_inputs<RegressionNet>();
  template <class T>
  static void eval(const T* in, T* out) {
    const T *W1 = in, *b1 = in + 12, *x = in + 15, *W2 = in + 19, *b2 = in + 25, *y = in + 27;
    T a1[3];
    for (int i = 0; i < 3; ++i) {
      T s = b1[i];
      for (int j = 0; j < 4; ++j) s += W1[i * 4 + j] * x[j];
      a1[i] = 3.0 * Ops<T>::relu(s);
    }
    T c(0.0);
    for (int i = 0; i < 2; ++i) {
      T yhat = b2[i];
      for (int j = 0; j < 3; ++j) yhat += W2[i * 3 + j] * a1[j];
      T e = yhat - y[i];
      c += e * e;
    }
    out[0] = 0.5 * c;
  }
  static void gen_input(Rng& r, double* in) {
    for (int i = 0; i < n_in; ++i) in[i] = r.uniform(-1, 1);
  }
};

}  // namespace models
