// main_hess.cpp - second derivatives of one program with a scalar output:
// gradc's NAME, NAME_grad, NAME_hvp and NAME_hess against ADOL-C's drivers
// gradient(), hess_vec() and hessian() on one reused tape, and SymPy's
// Hessian kernel (workloads/modes/sympy_hess.py).
//
// Compiled once per program with
//   -include MODEL.hpp -DMODEL=Type -DKNAME=name [-DHAVE_HESS] [-DHAVE_SYMPY_HESS]
// and linked with gradc's kernels KNAME, KNAME_grad, KNAME_hvp (always) and
// KNAME_hess (when it was compiled), and SymPy's sympy_KNAME_hess.
//
//   bench_hess_X [COUNT [SEED]]   COUNT varied inputs (default 100), one
//                                 direction v per input, uniform in [-1, 1]
//
// Check (before timing, on the first inputs): the reference Hessian is
// gradc's NAME_hess, or, without it, k calls of NAME_hvp with the unit
// vectors (then NAME_hess's own row is "-"). Every other Hessian, H v and
// gradient is compared with it entry by entry (rel_diff, row by row).
// ADOL-C: all inputs are independents (as in peers.hpp), so hessian() and
// hess_vec() work on n_in >= k variables; v is zero on the inputs that are
// not wrt, and the k x k block is read. hessian() fills the lower triangle
// only (ADOL-C's convention); that is what is timed, the check mirrors it.
//
// Environment: BENCH_REPS, BENCH_REP_SECONDS (harness.hpp).
#include <cstdio>
#include <cstdlib>

#include "harness.hpp"
#include "peers.hpp"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

extern "C" {
void KNAME(const double* in, double* out);
void CAT(KNAME, _grad)(const double* in, double* out, double* jac);
void CAT(KNAME, _hvp)(const double* in, const double* v, double* out, double* jac, double* hv);
#ifdef HAVE_HESS
void CAT(KNAME, _hess)(const double* in, double* out, double* jac, double* hess);
#endif
#ifdef HAVE_SYMPY_HESS
void CAT(CAT(sympy_, KNAME), _hess)(const double* in, double* out, double* jac, double* hess);
#endif
}

namespace {

using M = MODEL;
constexpr int n = M::n_in, k = M::n_wrt;

struct Check {
  std::string what;
  double diff = 0;
  double tolerance = 1e-9;
  void add(double d) { diff = std::isnan(d) || std::isnan(diff) ? NAN : std::max(diff, d); }
  bool ok() const { return diff <= tolerance; }
};

}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::atol(argv[1]) : 100;
  bench::Rng rng(argc > 2 ? std::atol(argv[2]) : 42);
  std::vector<double> inputs(count * n), dirs(count * k), dirs_full(count * n, 0.0);
  for (long i = 0; i < count; ++i) {
    M::gen_input(rng, &inputs[i * n]);
    for (int j = 0; j < k; ++j) {
      dirs[i * k + j] = rng.uniform(-1, 1);
      dirs_full[i * n + M::wrt[j]] = dirs[i * k + j];
    }
  }
  bench::Adolc<M>::setup(&inputs[0]);
  const short tag = bench::Adolc<M>::tag_tape;
  double** H = myalloc2(n, n);

  // ---- check ----------------------------------------------------------------
  const long nv = std::min<long>(count, k > 300 ? 2 : 10);
  std::vector<double> out(1), jac(k), ref_jac(k), ref(k * k), a(k * k), hv(k), ref_hv(k), e(k), w(n),
      g(n), full(n);
  Check c_hess{"gradc NAME_hess"}, c_hvp{"gradc NAME_hvp"}, c_ahess{"ADOL-C hessian()"},
      c_ahv{"ADOL-C hess_vec()"}, c_agrad{"ADOL-C gradient"}, c_sympy{"SymPy"};
  bool have_sympy = false, have_hess = false;
#ifdef HAVE_SYMPY_HESS
  have_sympy = true;
#endif
#ifdef HAVE_HESS
  have_hess = true;
#endif
  for (long i = 0; i < nv; ++i) {
    const double* in = &inputs[i * n];
    const double* v = &dirs[i * k];
    double fout = 0;
    CAT(KNAME, _grad)(in, &fout, ref_jac.data());
    // the reference Hessian: NAME_hess, else H e_j by NAME_hvp
#ifdef HAVE_HESS
    std::fill(ref.begin(), ref.end(), NAN);
    CAT(KNAME, _hess)(in, out.data(), jac.data(), ref.data());
    c_hess.add(bench::rel_diff(jac.data(), ref_jac.data(), 1, k));
    c_hess.add(bench::rel_diff(out.data(), &fout, 1, 1));
    // and H e_j by NAME_hvp against it, column by column
    for (int j = 0; j < k; ++j) {
      std::fill(e.begin(), e.end(), 0.0);
      e[j] = 1;
      CAT(KNAME, _hvp)(in, e.data(), out.data(), jac.data(), hv.data());
      for (int l = 0; l < k; ++l) a[l * k + j] = hv[l];
    }
    c_hvp.add(bench::rel_diff(a.data(), ref.data(), k, k));
#else
    for (int j = 0; j < k; ++j) {
      std::fill(e.begin(), e.end(), 0.0);
      e[j] = 1;
      CAT(KNAME, _hvp)(in, e.data(), out.data(), jac.data(), hv.data());
      for (int l = 0; l < k; ++l) ref[l * k + j] = hv[l];
    }
#endif
    // H v: NAME_hvp against the reference times v
    for (int l = 0; l < k; ++l) {
      double s = 0;
      for (int j = 0; j < k; ++j) s += ref[l * k + j] * v[j];
      ref_hv[l] = s;
    }
    std::fill(hv.begin(), hv.end(), NAN);
    CAT(KNAME, _hvp)(in, v, out.data(), jac.data(), hv.data());
    c_hvp.add(bench::rel_diff(jac.data(), ref_jac.data(), 1, k));
    // H v's entries are sums that cancel: judged against the row's scale
    // of H times |v|, through a rel_diff on the vector as one row.
    c_hvp.add(bench::rel_diff(hv.data(), ref_hv.data(), 1, k));
    // ADOL-C
    hessian(tag, n, const_cast<double*>(in), H);
    for (int j = 0; j < k; ++j)
      for (int l = 0; l < k; ++l) {
        const int r = M::wrt[j], s = M::wrt[l];
        a[j * k + l] = r >= s ? H[r][s] : H[s][r];
      }
    c_ahess.add(bench::rel_diff(a.data(), ref.data(), k, k));
    hess_vec(tag, n, const_cast<double*>(in), &dirs_full[i * n], w.data());
    for (int j = 0; j < k; ++j) hv[j] = w[M::wrt[j]];
    c_ahv.add(bench::rel_diff(hv.data(), ref_hv.data(), 1, k));
    bench::Adolc<M>::grad_tape(in, out.data(), jac.data());
    c_agrad.add(bench::rel_diff(jac.data(), ref_jac.data(), 1, k));
#ifdef HAVE_SYMPY_HESS
    std::fill(a.begin(), a.end(), NAN);
    CAT(CAT(sympy_, KNAME), _hess)(in, out.data(), jac.data(), a.data());
    c_sympy.add(bench::rel_diff(a.data(), ref.data(), k, k));
    c_sympy.add(bench::rel_diff(jac.data(), ref_jac.data(), 1, k));
#endif
  }
  std::vector<Check*> checks = {&c_hvp, &c_ahess, &c_ahv, &c_agrad};
  if (have_hess) checks.insert(checks.begin(), &c_hess);
  if (have_sympy) checks.push_back(&c_sympy);
  bool all_ok = true;
  for (Check* c : checks) {
    std::fprintf(stderr, "  %-20s check: %.2e %s\n", c->what.c_str(), c->diff, c->ok() ? "ok" : "MISMATCH");
    all_ok = all_ok && c->ok();
  }

  // ---- timing ---------------------------------------------------------------
  std::vector<double> o(1), jj(k), hh(k * k), hvv(k), ww(n);
  const double* X = inputs.data();
  const double* V = dirs.data();
  const double* VF = dirs_full.data();
  std::vector<std::pair<std::string, bench::Task>> tasks;
  tasks.emplace_back("gradc_f", bench::make_task([&](long i) { KNAME(X + i * n, o.data()); }, count));
  tasks.emplace_back("gradc_grad",
                     bench::make_task([&](long i) { CAT(KNAME, _grad)(X + i * n, o.data(), jj.data()); }, count));
  tasks.emplace_back("gradc_hvp", bench::make_task([&](long i) {
                       CAT(KNAME, _hvp)(X + i * n, V + i * k, o.data(), jj.data(), hvv.data());
                     }, count));
#ifdef HAVE_HESS
  tasks.emplace_back("gradc_hess", bench::make_task([&](long i) {
                       CAT(KNAME, _hess)(X + i * n, o.data(), jj.data(), hh.data());
                     }, count));
#endif
  tasks.emplace_back("adolc_grad", bench::make_task([&](long i) {
                       bench::Adolc<M>::grad_tape(X + i * n, o.data(), jj.data());
                     }, count));
  tasks.emplace_back("adolc_hess_vec", bench::make_task([&](long i) {
                       hess_vec(tag, n, const_cast<double*>(X + i * n), const_cast<double*>(VF + i * n), ww.data());
                     }, count));
  tasks.emplace_back("adolc_hessian", bench::make_task([&](long i) {
                       hessian(tag, n, const_cast<double*>(X + i * n), H);
                     }, count));
#ifdef HAVE_SYMPY_HESS
  tasks.emplace_back("sympy_hess", bench::make_task([&](long i) {
                       CAT(CAT(sympy_, KNAME), _hess)(X + i * n, o.data(), jj.data(), hh.data());
                     }, count));
#endif
  std::vector<bench::Task*> ptrs;
  for (auto& t : tasks) ptrs.push_back(&t.second);
  bench::time_all(ptrs);

  bench::Json top, times, check;
  top.str("program", M::name);
  top.num("n_in", n);
  top.num("n_wrt", k);
  top.num("inputs", (double)count);
  top.num("verified_on", (double)nv);
  top.str("reference", have_hess ? "NAME_hess" : "NAME_hvp with unit vectors");
  for (Check* c : checks) {
    bench::Json j;
    j.num("max_rel_diff", c->diff);
    j.raw("ok", c->ok() ? "true" : "false");
    check.raw(c->what, j.done());
  }
  for (auto& t : tasks) {
    bench::Timing tm = bench::timing_of(t.second);
    times.raw(t.first, bench::timing_json(tm));
    std::fprintf(stderr, "  %-16s %14.1f ns\n", t.first.c_str(), tm.median * 1e9);
  }
  top.raw("check", check.done());
  top.raw("times", times.done());
  top.raw("all_ok", all_ok ? "true" : "false");
  std::printf("%s\n", top.done().c_str());
  myfree2(H);
  return 0;
}
