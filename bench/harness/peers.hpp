// peers.hpp - ADOL-C, Ceres Jet and finite-difference peers, as kernels with
// gradc's ABI, for any model written once as a C++ template:
//
//   struct Model {
//     static constexpr const char* name;
//     static constexpr int n_in, n_out, n_wrt;
//     static constexpr std::array<int, n_wrt> wrt;   // input indices, ascending
//     template <class T> static void eval(const T* in, T* out);
//     static void gen_input(bench::Rng&, double* in);
//   };
//
// eval is the function written the way a user of these tools writes it
// (ADBench style): plain C++ over a scalar type T. Branches that depend on
// values use Ops<T> (below) so ADOL-C can record them as conditional
// assignments and a reused tape stays right at other inputs.
#pragma once

#include <adolc/adolc.h>
#include <ceres/jet.h>

#include <array>
#include <cmath>
#include <memory>
#include <vector>

#include "harness.hpp"

namespace bench {

// ---- value-dependent helpers ------------------------------------------------

template <class T>
struct Ops {  // double and ceres::Jet
  static T relu(const T& x) { return x > 0.0 ? x : T(0.0); }
  static T select(const T& c, const T& a, const T& b) { return c > 0.0 ? a : b; }  // c > 0 ? a : b
  static T max(const T& a, const T& b) { return a > b ? a : b; }
  static T sigmoid(const T& x) {
    using std::exp;
    return 1.0 / (1.0 + exp(-x));
  }
};

template <>
struct Ops<adouble> {  // taped conditional assignments
  static adouble relu(const adouble& x) {
    adouble r, zero = 0.0;
    condassign(r, x, x, zero);
    return r;
  }
  static adouble select(const adouble& c, const adouble& a, const adouble& b) {
    adouble r;
    condassign(r, c, a, b);
    return r;
  }
  static adouble max(const adouble& a, const adouble& b) {
    adouble r, d = a - b;
    condassign(r, d, a, b);
    return r;
  }
  static adouble sigmoid(const adouble& x) { return 1.0 / (1.0 + exp(-x)); }
};

// ---- ADOL-C ------------------------------------------------------------------
//
// adolc_tape:   the function is taped once (at the first input, outside the
//               timing); each call is zos_forward (values, keep = 1) and one
//               reverse sweep: fos_reverse for one output, fov_reverse with
//               the identity for several (what ADOL-C's gradient() and
//               jacobian() drivers do). Reusing a tape is valid while the
//               control flow does not change; Ops<adouble> records the
//               value-dependent choices as condassign, so it does not.
// adolc_retape: each call tapes anew (trace_on(tag, keep = 1), so the
//               Taylor values are kept) and runs the reverse sweep at once -
//               what a user does when control flow depends on the inputs.
// All inputs are ADOL-C independents (ADOL-C has no cheap way to feed new
// passive data to a reused tape); the columns of non-wrt inputs are dropped.
template <class M, short Tag = 1>  // tapes Tag and Tag + 1
struct Adolc {
  static constexpr short tag_tape = Tag, tag_retape = Tag + 1;
  static constexpr int n = M::n_in, m = M::n_out;

  static void record(short tag, const double* in, double* out, int keep) {
    trace_on(tag, keep);
    std::vector<adouble> x(n), y(m);
    for (int i = 0; i < n; ++i) x[i] <<= in[i];
    M::template eval<adouble>(x.data(), y.data());
    for (int i = 0; i < m; ++i) y[i] >>= out[i];
    trace_off();
  }
  static double** U() {
    static double** u = [] {
      double** a = myalloc2(m, m);
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) a[i][j] = i == j;
      return a;
    }();
    return u;
  }
  static void reverse(short tag, double* jac) {
    static std::vector<double> z(n);
    if (m == 1) {
      double u = 1.0;
      fos_reverse(tag, m, n, &u, z.data());
      for (int j = 0; j < M::n_wrt; ++j) jac[j] = z[M::wrt[j]];
    } else {
      static double** Z = myalloc2(m, n);
      fov_reverse(tag, m, n, m, U(), Z);
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < M::n_wrt; ++j) jac[i * M::n_wrt + j] = Z[i][M::wrt[j]];
    }
  }
  static void setup(const double* in) {
    std::vector<double> out(m);
    record(tag_tape, in, out.data(), 0);
  }
  static void grad_tape(const double* in, double* out, double* jac) {
    if (zos_forward(tag_tape, m, n, 1, in, out) < 0) {
      std::fprintf(stderr, "ADOL-C: the taped control flow does not hold at this input\n");
      std::abort();
    }
    reverse(tag_tape, jac);
  }
  static void grad_retape(const double* in, double* out, double* jac) {
    record(tag_retape, in, out, 1);
    reverse(tag_retape, jac);
  }
};

// ---- Ceres Jet -----------------------------------------------------------------
//
// Forward mode with ceres::Jet<double, n_wrt>: every wrt input is seeded with
// its unit vector, the others are constants, one evaluation gives the whole
// Jacobian - what ceres::AutoDiffCostFunction and AutoDiffFirstOrderFunction
// do inside (a parameter block is the wrt inputs).
template <class M>
struct Ceres {
  using J = ceres::Jet<double, M::n_wrt>;
  static void grad(const double* in, double* out, double* jac) {
    static std::vector<J> x(M::n_in), y(M::n_out);
    for (int i = 0; i < M::n_in; ++i) x[i] = J(in[i]);
    for (int j = 0; j < M::n_wrt; ++j) x[M::wrt[j]].v[j] = 1.0;
    M::template eval<J>(x.data(), y.data());
    for (int i = 0; i < M::n_out; ++i) {
      out[i] = y[i].a;
      for (int j = 0; j < M::n_wrt; ++j) jac[i * M::n_wrt + j] = y[i].v[j];
    }
  }
};

// ---- finite differences ---------------------------------------------------------
//
// Central differences on a forward kernel: 2k + 1 calls of it for the
// outputs and the full Jacobian, step h = cbrt(eps) * max(1, |x_j|).
template <class M, Fwd F>
struct FiniteDiff {
  static void grad(const double* in, double* out, double* jac) {
    static std::vector<double> x(M::n_in), fp(M::n_out), fm(M::n_out);
    std::copy(in, in + M::n_in, x.begin());
    F(in, out);
    for (int j = 0; j < M::n_wrt; ++j) {
      const int w = M::wrt[j];
      const double h = 6.0554544523933395e-06 * std::max(1.0, std::fabs(in[w]));
      x[w] = in[w] + h;
      F(x.data(), fp.data());
      x[w] = in[w] - h;
      F(x.data(), fm.data());
      x[w] = in[w];
      const double inv = 1.0 / (2 * h);
      for (int i = 0; i < M::n_out; ++i) jac[i * M::n_wrt + j] = (fp[i] - fm[i]) * inv;
    }
  }
};

// The model's own template instantiated with double: a sanity check that the
// template and the .expr program compute the same function.
template <class M>
void template_fwd(const double* in, double* out) {
  M::template eval<double>(in, out);
}

template <class M>
constexpr std::array<int, M::n_in> all_inputs() {
  std::array<int, M::n_in> a{};
  for (int i = 0; i < M::n_in; ++i) a[i] = i;
  return a;
}

}  // namespace bench
