// main_gmm.cpp - the GMM objective gradient (ADBench) over N points, every
// peer side by side. See gen_gmm.py for the split into a per-point kernel
// and the terms without points; here the two are put together the same way
// for every peer:
//
//   preprocess:  c = alphas + sum_qs, qdiag = exp(log-diagonal), ltri    (once)
//   points:      for each x_i: point_grad([c, means, qdiag, ltri, x_i]) summed
//   rest:        rest_grad([alphas, icf])
//   chain rule:  d/dalphas = sum d/dc + rest;  d/dlogdiag = sum (d/dc + d/dqdiag*qdiag) + rest;
//                d/dmeans = sum d/dmeans;  d/dltri = sum d/dltri + rest
//
// Timing: the per-point call (copy x_i, the kernel, accumulate the P
// entries) cycles through the points, median of BENCH_REPS repetitions
// interleaved across peers (bench::time_all); the rest (preprocess, rest
// kernel, chain rule) likewise; one objective gradient = N * point + rest. Correctness: the full gradient over the first
// BENCH_GMM_VERIFY_POINTS points (default 100) of every peer against gradc's.
//
// Compile with -DGMM_D=.. -DGMM_K=.. -DGMM_N=.. -DPOINT=gmm_point_D_K
// -DREST=gmm_rest_D_K [-DHAVE_SYMPY].
#include <cstdio>
#include <cstring>
#include <memory>

#include "harness.hpp"
#include "model.hpp"
#include "peers.hpp"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

extern "C" {
void POINT(const double*, double*);
void CAT(POINT, _grad)(const double*, double*, double*);
void REST(const double*, double*);
void CAT(REST, _grad)(const double*, double*, double*);
#ifdef HAVE_SYMPY
void CAT(sympy_, POINT)(const double*, double*);
void CAT(CAT(sympy_, POINT), _grad)(const double*, double*, double*);
void CAT(sympy_, REST)(const double*, double*);
void CAT(CAT(sympy_, REST), _grad)(const double*, double*, double*);
#endif
}

namespace {
constexpr int D = GMM_D, K = GMM_K, N = GMM_N;
using Pt = models::GmmPoint<D, K>;
using Rs = models::GmmRest<D, K, N>;
constexpr int ICF = D * (D + 1) / 2, NL = Pt::NL, NLS = Pt::NLS;
constexpr int P = K + K * D + K * ICF;  // ADBench's parameters: alphas, means, icf
constexpr int PP = Pt::n_wrt;           // the point kernel's wrt: c, means, qdiag, ltri

struct Impl {
  const char* name;
  bench::Fwd pf;
  bench::Grad pg;
  bench::Fwd rf;
  bench::Grad rg;
  double tolerance;
};

std::vector<double> data;  // N * D points
// The point kernel's input buffer [c, means, qdiag, ltri, x] and the rest's [alphas, icf].
double pbuf[Pt::n_in], rbuf[Rs::n_in];
double gsum[PP], pjac[PP], rjac[Rs::n_wrt];
double obj_sum;

void preprocess(const double* params) {
  const double *alphas = params, *means = params + K, *icf = means + K * D;
  double *c = pbuf, *pm = c + K, *qd = pm + K * D, *lt = qd + K * D;
  for (int k = 0; k < K; ++k) {
    double s = 0;
    for (int j = 0; j < D; ++j) {
      s += icf[k * ICF + j];
      qd[k * D + j] = std::exp(icf[k * ICF + j]);
    }
    c[k] = alphas[k] + s;
    for (int j = 0; j < NLS; ++j) lt[k * NLS + j] = j < NL ? icf[k * ICF + D + j] : 0.0;
  }
  std::memcpy(pm, means, sizeof(double) * K * D);
  std::memcpy(rbuf, alphas, sizeof(double) * K);
  std::memcpy(rbuf + K, icf, sizeof(double) * K * ICF);
}

inline void point_grad(const Impl& m, long i) {
  std::memcpy(pbuf + PP, &data[i * D], sizeof(double) * D);
  double o;
  m.pg(pbuf, &o, pjac);
  obj_sum += o;
  for (int j = 0; j < PP; ++j) gsum[j] += pjac[j];
}
inline void point_fwd(const Impl& m, long i) {
  std::memcpy(pbuf + PP, &data[i * D], sizeof(double) * D);
  double o;
  m.pf(pbuf, &o);
  obj_sum += o;
}

// The rest: the rest kernel's gradient and the chain rule into g[P].
double rest_grad(const Impl& m, const double* params, double* g) {
  preprocess(params);
  double o;
  m.rg(rbuf, &o, rjac);
  const double* qd = pbuf + K + K * D;
  const double *gc = gsum, *gm = gc + K, *gq = gm + K * D, *gl = gq + K * D;
  for (int k = 0; k < K; ++k) {
    g[k] = gc[k] + rjac[k];
    for (int j = 0; j < D; ++j) {
      g[K + k * D + j] = gm[k * D + j];
      g[K + K * D + k * ICF + j] = gc[k] + gq[k * D + j] * qd[k * D + j] + rjac[K + k * ICF + j];
    }
    for (int j = 0; j < NL; ++j)
      g[K + K * D + k * ICF + D + j] = gl[k * NLS + j] + rjac[K + k * ICF + D + j];
  }
  return o;
}

// The objective and its gradient over the first n points.
double full_grad(const Impl& m, const double* params, long n, double* g) {
  preprocess(params);
  obj_sum = 0;
  std::fill(gsum, gsum + PP, 0.0);
  for (long i = 0; i < n; ++i) point_grad(m, i);
  const double pts = obj_sum;
  return pts + rest_grad(m, params, g);
}
double full_fwd(const Impl& m, const double* params, long n) {
  preprocess(params);
  obj_sum = 0;
  for (long i = 0; i < n; ++i) point_fwd(m, i);
  double o;
  m.rf(rbuf, &o);
  return obj_sum + o;
}

// Central differences on gradc's forward kernels, as FiniteDiff in peers.hpp.
void fd_point_grad(const double* in, double* out, double* jac) {
  bench::FiniteDiff<Pt, POINT>::grad(in, out, jac);
}
void fd_rest_grad(const double* in, double* out, double* jac) {
  bench::FiniteDiff<Rs, REST>::grad(in, out, jac);
}
}  // namespace

int main() {
  bench::Rng rng(7);
  std::vector<double> params(P);
  for (int k = 0; k < K; ++k) params[k] = rng.uniform(-1, 1);                  // alphas
  for (int i = K; i < K + K * D; ++i) params[i] = rng.uniform(0, 1);           // means
  for (int k = 0; k < K; ++k)                                                   // icf
    for (int j = 0; j < ICF; ++j)
      params[K + K * D + k * ICF + j] = j < D ? rng.uniform(-0.5, 0.5) : rng.uniform(-0.3, 0.3);
  data.resize(N * D);
  for (auto& v : data) v = rng.uniform(0, 1);

  // ADOL-C tapes: at the first point, every input an independent.
  preprocess(params.data());
  std::memcpy(pbuf + PP, &data[0], sizeof(double) * D);
  bench::Adolc<Pt, 1>::setup(pbuf);
  bench::Adolc<Rs, 3>::setup(rbuf);

  std::vector<Impl> impls = {
      {"gradc", POINT, CAT(POINT, _grad), REST, CAT(REST, _grad), 1e-9},
      {"adolc_tape", nullptr, bench::Adolc<Pt, 1>::grad_tape, nullptr, bench::Adolc<Rs, 3>::grad_tape,
       1e-9},
      {"adolc_retape", nullptr, bench::Adolc<Pt, 1>::grad_retape, nullptr,
       bench::Adolc<Rs, 3>::grad_retape, 1e-9},
      {"ceres", nullptr, bench::Ceres<Pt>::grad, nullptr, bench::Ceres<Rs>::grad, 1e-9},
      {"template", bench::template_fwd<Pt>, nullptr, bench::template_fwd<Rs>, nullptr, 1e-9},
#ifdef HAVE_SYMPY
      {"sympy", CAT(sympy_, POINT), CAT(CAT(sympy_, POINT), _grad), CAT(sympy_, REST),
       CAT(CAT(sympy_, REST), _grad), 1e-9},
#endif
      {"fd", nullptr, fd_point_grad, nullptr, fd_rest_grad, 1e-3},
  };

  const long nv = std::min<long>(N, bench::env_int("BENCH_GMM_VERIFY_POINTS", 100));
  std::vector<double> ref(P), g(P);
  const double ref_obj = full_grad(impls[0], params.data(), nv, ref.data());
  const double ref_full = full_fwd(impls[0], params.data(), N);

  bench::Json top;
  char name[64];
  std::snprintf(name, sizeof name, "gmm_%d_%d", D, K);
  top.str("program", name);
  top.num("n_in", P);
  top.num("n_out", 1);
  top.num("n_wrt", P);
  top.num("inputs", N);
  top.num("verified_on", (double)nv);
  top.num("objective", ref_full);
  bool all_ok = true;
  const char* only = std::getenv("BENCH_ONLY");  // time only these peers (profiling)
  struct Entry {
    const Impl* m;
    bench::Json json;
    bench::Task point_grad, rest_grad, point_fwd, rest_fwd, kernel_grad, kernel_fwd;
  };
  std::vector<std::unique_ptr<Entry>> entries;
  std::vector<bench::Task*> tasks;
  double kout;
  for (const Impl& m : impls) {
    if (only && *only &&
        ("," + std::string(only) + ",").find("," + std::string(m.name) + ",") == std::string::npos)
      continue;
    auto e = std::make_unique<Entry>();
    e->m = &m;
    double djac = 0, dout = 0;
    if (m.pg) {
      const double o = full_grad(m, params.data(), nv, g.data());
      djac = bench::rel_diff(g.data(), ref.data(), 1, P);
      dout = std::fabs(o - ref_obj) / std::fabs(ref_obj);
    }
    if (m.pf) {
      const double o = full_fwd(m, params.data(), N);
      dout = std::max(dout, std::fabs(o - ref_full) / std::fabs(ref_full));
    }
    const bool ok = djac <= m.tolerance && dout <= 1e-9;
    all_ok = all_ok && ok;
    std::fprintf(stderr, "  %-14s check: jac %.2e out %.2e %s\n", m.name, djac, dout,
                 ok ? "ok" : "MISMATCH");
    e->json.num("max_rel_diff_jac", djac);
    e->json.num("max_rel_diff_out", dout);
    e->json.raw("ok", ok ? "true" : "false");
    e->json.num("tolerance", m.tolerance);
    const Impl* mp = &m;
    const double* prm = params.data();
    double* gp = g.data();
    if (m.pg) {
      e->point_grad = bench::make_task([mp](long i) { point_grad(*mp, i); }, N);
      e->rest_grad = bench::make_task([mp, prm, gp](long) { rest_grad(*mp, prm, gp); }, 1);
      tasks.push_back(&e->point_grad);
      tasks.push_back(&e->rest_grad);
    }
    if (m.pf) {
      e->point_fwd = bench::make_task([mp](long i) { point_fwd(*mp, i); }, N);
      e->rest_fwd = bench::make_task(
          [mp, prm](long) {
            preprocess(prm);
            double o;
            mp->rf(rbuf, &o);
          },
          1);
      tasks.push_back(&e->point_fwd);
      tasks.push_back(&e->rest_fwd);
    }
    if (m.pf && m.pg) {
      // The point kernels alone (no accumulation): the cheap-gradient ratio.
      double* ko = &kout;
      e->kernel_grad = bench::make_task(
          [mp, ko](long i) {
            std::memcpy(pbuf + PP, &data[i * D], sizeof(double) * D);
            mp->pg(pbuf, ko, pjac);
          },
          N);
      e->kernel_fwd = bench::make_task(
          [mp, ko](long i) {
            std::memcpy(pbuf + PP, &data[i * D], sizeof(double) * D);
            mp->pf(pbuf, ko);
          },
          N);
      tasks.push_back(&e->kernel_grad);
      tasks.push_back(&e->kernel_fwd);
    }
    entries.push_back(std::move(e));
  }
  // All peers' tasks, repetitions interleaved (every call of a point task
  // uses the same preprocessed parameters; rest_grad redoes the preprocessing).
  preprocess(params.data());
  std::fill(gsum, gsum + PP, 0.0);
  bench::time_all(tasks);

  auto combine = [](const bench::Task& point, const bench::Task& rest) {
    bench::Timing tp = bench::timing_of(point), tr = bench::timing_of(rest), t = tp;
    t.median = N * tp.median + tr.median;
    t.min = N * tp.min + tr.min;
    t.max = N * tp.max + tr.max;
    return t;
  };
  bench::Json all;
  for (auto& e : entries) {
    const Impl& m = *e->m;
    if (m.pg) {
      bench::Timing t = combine(e->point_grad, e->rest_grad);
      e->json.raw("grad", bench::timing_json(t));
      e->json.raw("grad_point", bench::timing_json(bench::timing_of(e->point_grad)));
      e->json.raw("grad_rest", bench::timing_json(bench::timing_of(e->rest_grad)));
      std::fprintf(stderr, "  %-14s grad %12.1f us (point %.1f ns x %d + rest %.1f ns)\n", m.name,
                   t.median * 1e6, bench::timing_of(e->point_grad).median * 1e9, N,
                   bench::timing_of(e->rest_grad).median * 1e9);
    }
    if (m.pf && m.pg) {
      e->json.raw("kernel_grad", bench::timing_json(bench::timing_of(e->kernel_grad)));
      e->json.raw("kernel_fwd", bench::timing_json(bench::timing_of(e->kernel_fwd)));
    }
    if (m.pf) {
      bench::Timing t = combine(e->point_fwd, e->rest_fwd);
      e->json.raw("fwd", bench::timing_json(t));
      std::fprintf(stderr, "  %-14s fwd  %12.1f us\n", m.name, t.median * 1e6);
    }
    all.raw(m.name, e->json.done());
  }
  top.raw("peers", all.done());
  top.raw("all_ok", all_ok ? "true" : "false");
  std::printf("%s\n", top.done().c_str());
  return 0;
}
