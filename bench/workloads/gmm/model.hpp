// model.hpp - ADBench's GMM objective (gmm.h) split as gen_gmm.py describes,
// as C++ templates for the peers: the per-point term and the terms without
// points. The code follows ADBench's (Qtimesx, logsumexp, log_wishart_prior).
#pragma once
#include <array>
#include <cmath>

#include "peers.hpp"

namespace models {

template <int D, int K>
struct GmmPoint {
  static constexpr int NL = D * (D - 1) / 2, NLS = NL > 0 ? NL : 1;  // ltri[K, max(NL, 1)]
  static constexpr const char* name = "gmm_point";
  // in = c[K], means[K*D], qdiag[K*D], ltri[K*NLS], x[D]
  static constexpr int n_wrt = K + 2 * K * D + K * NLS, n_in = n_wrt + D, n_out = 1;
  static constexpr std::array<int, n_wrt> wrt = [] {
    std::array<int, n_wrt> a{};
    for (int i = 0; i < n_wrt; ++i) a[i] = i;
    return a;
  }();
  template <class T>
  static void eval(const T* in, T* out) {
    using std::exp;
    using std::log;
    const T *c = in, *means = c + K, *qdiag = means + K * D, *ltri = qdiag + K * D,
            *x = ltri + K * NLS;
    T main_term[K];
    for (int k = 0; k < K; ++k) {
      T xc[D], Qx[D];
      for (int j = 0; j < D; ++j) xc[j] = x[j] - means[k * D + j];
      // Qtimesx: the diagonal, then the lower triangle column by column
      for (int j = 0; j < D; ++j) Qx[j] = qdiag[k * D + j] * xc[j];
      int l = 0;
      for (int i = 0; i < D; ++i)
        for (int j = i + 1; j < D; ++j) Qx[j] += ltri[k * NLS + l++] * xc[i];
      T sq = Qx[0] * Qx[0];
      for (int j = 1; j < D; ++j) sq += Qx[j] * Qx[j];
      main_term[k] = c[k] - 0.5 * sq;
    }
    T m = main_term[0];  // logsumexp, shifted by the maximum
    for (int k = 1; k < K; ++k) m = bench::Ops<T>::max(m, main_term[k]);
    T s = exp(main_term[0] - m);
    for (int k = 1; k < K; ++k) s += exp(main_term[k] - m);
    out[0] = m + log(s);
  }
  // main_gmm.cpp builds its own inputs; this one is for profile_main.cpp.
  static void gen_input(bench::Rng& r, double* in) {
    for (int i = 0; i < K; ++i) in[i] = r.uniform(-1, 1);                        // c
    for (int i = K; i < K + K * D; ++i) in[i] = r.uniform(0, 1);                // means
    for (int i = K + K * D; i < K + 2 * K * D; ++i) in[i] = r.uniform(0.6, 1.6);  // qdiag
    for (int i = K + 2 * K * D; i < n_in - D; ++i) in[i] = r.uniform(-0.3, 0.3);  // ltri
    for (int i = n_in - D; i < n_in; ++i) in[i] = r.uniform(0, 1);              // x
  }
};

template <int D, int K, int N>
struct GmmRest {
  static constexpr int ICF = D * (D + 1) / 2;
  static constexpr const char* name = "gmm_rest";
  static constexpr int n_wrt = K + K * ICF, n_in = n_wrt, n_out = 1;  // alphas[K], icf[K*ICF]
  static constexpr std::array<int, n_wrt> wrt = [] {
    std::array<int, n_wrt> a{};
    for (int i = 0; i < n_wrt; ++i) a[i] = i;
    return a;
  }();
  static double log_gamma_distrib(double a, int p) {
    double out = 0.25 * p * (p - 1) * std::log(M_PI);
    for (int j = 1; j <= p; ++j) out += std::lgamma(a + 0.5 * (1 - j));
    return out;
  }
  template <class T>
  static void eval(const T* in, T* out) {
    using std::exp;
    using std::log;
    const T *alphas = in, *icf = in + K;
    const double gamma = 1.0, m_w = 0.0;  // ADBench's Wishart defaults
    const int n = D + (int)m_w + 1;
    const double C = n * D * (std::log(gamma) - 0.5 * std::log(2.0)) - log_gamma_distrib(0.5 * n, D);
    T prior(0.0);
    for (int k = 0; k < K; ++k) {
      T frob(0.0), sum_q(0.0);
      for (int j = 0; j < D; ++j) {
        T q = exp(icf[k * ICF + j]);
        frob += q * q;
        sum_q += icf[k * ICF + j];
      }
      for (int j = D; j < ICF; ++j) frob += icf[k * ICF + j] * icf[k * ICF + j];
      prior += 0.5 * gamma * gamma * frob - m_w * sum_q;
    }
    T mx = alphas[0];
    for (int k = 1; k < K; ++k) mx = bench::Ops<T>::max(mx, alphas[k]);
    T s(0.0);
    for (int k = 0; k < K; ++k) s += exp(alphas[k] - mx);
    const double CONSTANT = -N * D * 0.5 * std::log(2 * M_PI);
    out[0] = CONSTANT - double(N) * (mx + log(s)) + prior - K * C;
  }
  static void gen_input(bench::Rng&, double*) {}
};

}  // namespace models
