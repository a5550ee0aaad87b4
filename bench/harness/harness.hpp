// harness.hpp - the shared timing and verification harness of the
// benchmarks (bench/README.md). Header-only; every benchmark binary includes it.
//
// A peer is a pair of kernels with gradc's ABI (SPEC 3):
//   fwd(in, out)        out[m]                       (may be null)
//   grad(in, out, jac)  out[m], jac[m*k], jac[i*k + j] = d out_i / d wrt_j
// The harness checks every peer against a reference (gradc's NAME_grad) on
// the same inputs, then times them all: per-call time = (time of a
// repetition) / (calls in it), the calls cycling through a table of varied
// inputs; repetitions = BENCH_REPS (default 7, at least 5), interleaved
// across peers (time_all); the figure reported is the median. Everything goes to one JSON object on stdout (bench/report.py
// formats it).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bench {

using Fwd = void (*)(const double* in, double* out);
using Grad = void (*)(const double* in, double* out, double* jac);

// splitmix64 + a uniform double: deterministic, identical on every machine.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform(double a, double b) { return a + (b - a) * ((next() >> 11) * 0x1.0p-53); }
};

inline double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline int env_int(const char* name, int def) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : def;
}
inline double env_double(const char* name, double def) {
  const char* v = std::getenv(name);
  return v && *v ? std::atof(v) : def;
}

struct Timing {
  double median = 0, min = 0, max = 0;  // seconds per call
  long calls_per_rep = 0;
  int reps = 0;
};

// A timing task: `run(n)` makes n calls, cycling through the inputs.
// Tasks are calibrated one by one (a repetition lasts about
// BENCH_REP_SECONDS, default 0.05 s, and makes at least `min_calls` calls),
// then timed round-robin: repetition r of every task, then repetition r + 1,
// so a burst of load from elsewhere on the machine hits every peer alike,
// each round starting one task later (time_all).
struct Task {
  std::function<void(long)> run;
  long min_calls = 1;
  long per_rep = 0;
  std::vector<double> samples;  // seconds per call
};

// call(i) is inlined into the task's loop; the task's std::function is
// called once per repetition, never per call.
template <class Call>
Task make_task(Call call, long count, long min_calls = 1) {
  Task t;
  t.min_calls = min_calls;
  auto next = std::make_shared<long>(0);
  t.run = [call, count, next](long n) {
    // A local copy, whose address does not escape: its captures (the
    // kernel, the input and result pointers) stay in registers across the
    // kernel calls instead of being loaded from the heap after each one,
    // where a load can falsely wait on the kernel's stores to an address
    // 4 KiB apart (a 2 ns kernel measured 1.5x slower for that).
    Call local = call;
    long i = *next;
    for (long c = 0; c < n; ++c) {
      local(i);
      if (++i == count) i = 0;
    }
    *next = i;
  };
  return t;
}

inline void calibrate(Task& t) {
  const double target = env_double("BENCH_REP_SECONDS", 0.05);
  // Also the warm-up: double the calls until one batch takes a tenth of the target.
  long calls = 1;
  double s = 0;
  for (;;) {
    double t0 = now();
    t.run(calls);
    s = now() - t0;
    if (s >= target / 10 || calls >= (1l << 40)) break;
    calls *= 2;
  }
  t.per_rep = std::max<long>(t.min_calls, (long)std::ceil(calls * target / std::max(s, 1e-9)));
  if (s > target) t.per_rep = std::max<long>(t.min_calls, calls);  // already slow: no more
}

inline Timing timing_of(const Task& t) {
  std::vector<double> v = t.samples;
  std::sort(v.begin(), v.end());
  Timing tm;
  tm.reps = (int)v.size();
  tm.calls_per_rep = t.per_rep;
  tm.min = v.front();
  tm.max = v.back();
  tm.median = v[v.size() / 2];
  return tm;
}

inline void time_all(std::vector<Task*> tasks) {
  const int reps = std::max(5, env_int("BENCH_REPS", 7));
  for (Task* t : tasks) calibrate(*t);
  // Repetition r starts with task r (mod n), so that no peer is always the
  // one timed right after the slow peers (ADOL-C, Ceres, central
  // differences): on this VM that slot measured a 2 ns kernel up to 25%
  // slower in some runs (card: whichever of gradc's and the hand-written
  // kernel came first), though not in all.
  for (int r = 0; r < reps; ++r)
    for (size_t q = 0; q < tasks.size(); ++q) {
      Task* t = tasks[(q + size_t(r)) % tasks.size()];
      double t0 = now();
      t->run(t->per_rep);
      t->samples.push_back((now() - t0) / t->per_rep);
    }
}

// a's time per call over b's, the two timed back to back, repetition by
// repetition (which one goes first alternates), so that the shared
// machine's speed, which drifts during a run, is the same for both: the
// median of 9 paired ratios. For the target ratios of kernels of a few
// nanoseconds (gradc against the hand-written code, grad against fwd),
// whose medians over the round-robin of all peers are minutes apart.
inline double paired_ratio(Task& a, Task& b) {
  std::vector<double> ratios;
  for (int r = 0; r < 9; ++r) {
    double ta = 0, tb = 0;
    for (int k = 0; k < 2; ++k) {
      Task& t = (k == r % 2) ? a : b;
      double t0 = now();
      t.run(t.per_rep);
      ((k == r % 2) ? ta : tb) = (now() - t0) / t.per_rep;
    }
    ratios.push_back(ta / tb);
  }
  std::sort(ratios.begin(), ratios.end());
  return ratios[4];
}

// Difference of a Jacobian (or outputs) `a` from the reference `r`, both m x k:
// max over entries of |a - r| / max(|r|, 1e-6 * max_j |r_i j|, 1e-300), i.e.
// relative per entry, with entries a million times smaller than the largest
// of their row judged against that row's scale.
inline double rel_diff(const double* a, const double* r, int m, int k) {
  double worst = 0;
  for (int i = 0; i < m; ++i) {
    double scale = 0;
    for (int j = 0; j < k; ++j) scale = std::max(scale, std::fabs(r[i * k + j]));
    for (int j = 0; j < k; ++j) {
      double den = std::max({std::fabs(r[i * k + j]), 1e-6 * scale, 1e-300});
      double d = std::fabs(a[i * k + j] - r[i * k + j]) / den;
      if (!(d <= worst)) worst = d;  // NaN propagates as the worst
      if (std::isnan(d)) return NAN;
    }
  }
  return worst;
}

// ---- JSON output -----------------------------------------------------------

struct Json {
  std::string s = "{";
  bool first = true;
  void key(const std::string& k) {
    s += first ? "" : ", ";
    first = false;
    s += "\"" + k + "\": ";
  }
  void num(const std::string& k, double v) {
    key(k);
    if (std::isfinite(v)) {
      char b[64];
      std::snprintf(b, sizeof b, "%.6g", v);
      s += b;
    } else {
      s += "null";
    }
  }
  void str(const std::string& k, const std::string& v) {
    key(k);
    s += "\"" + v + "\"";
  }
  void raw(const std::string& k, const std::string& v) {
    key(k);
    s += v;
  }
  std::string done() { return s + "}"; }
};

inline std::string timing_json(const Timing& t) {
  Json j;
  j.num("median", t.median);
  j.num("min", t.min);
  j.num("max", t.max);
  j.num("calls_per_rep", (double)t.calls_per_rep);
  j.num("reps", t.reps);
  return j.done();
}

// ---- one program, many peers ------------------------------------------------

struct Peer {
  std::string name;   // gradc, hand, adolc_tape, adolc_retape, ceres, sympy, fd
  Fwd fwd = nullptr;  // optional
  Grad grad = nullptr;  // optional too (a forward-only peer)
  double tolerance = 1e-9;  // for the check against the reference
};

struct Problem {
  std::string name;
  int n_in = 0, n_out = 0, n_wrt = 0;
  std::vector<double> inputs;  // count * n_in
  long count = 0;
  long min_calls = 1;  // e.g. a whole pass over all observations per repetition
  int verify_count = 100;
};

// Checks every peer against peers[0] (the reference) on the first inputs,
// then times every peer's grad and fwd. Returns the JSON object.
inline std::string run(const Problem& p, const std::vector<Peer>& peers) {
  const int m = p.n_out, k = p.n_wrt;
  const long nv = std::min<long>(p.verify_count, p.count);
  std::vector<double> ref_out(nv * m), ref_jac(nv * m * k);
  for (long i = 0; i < nv; ++i)
    peers[0].grad(&p.inputs[i * p.n_in], &ref_out[i * m], &ref_jac[i * m * k]);

  Json top;
  top.str("program", p.name);
  top.num("n_in", p.n_in);
  top.num("n_out", m);
  top.num("n_wrt", k);
  top.num("inputs", (double)p.count);
  top.num("verified_on", (double)nv);
  bool all_ok = true;
  // BENCH_ONLY=a,b times only those peers (for profiling one with perf).
  const char* only = std::getenv("BENCH_ONLY");
  struct Entry {
    const Peer* peer;
    Json json;
    Task grad, fwd;
  };
  std::vector<std::unique_ptr<Entry>> entries;
  // Every peer writes its results to the same arrays, so that where they
  // lie (a store 4 KiB from the stack slot of the call's return address
  // makes the return wait on it, which costs a kernel of a few nanoseconds
  // up to half its time, by the luck of the addresses) is the same for all.
  std::vector<double> results_out(m), results_jac(m * k);
  for (const Peer& peer : peers) {
    if (only && *only && ("," + std::string(only) + ",").find("," + peer.name + ",") == std::string::npos)
      continue;
    std::vector<double> out(m), jac(m * k), fout(m);
    double djac = 0, dout = 0, dfwd = 0;
    for (long i = 0; i < nv; ++i) {
      const double* in = &p.inputs[i * p.n_in];
      if (peer.grad) {
        std::fill(jac.begin(), jac.end(), NAN);
        peer.grad(in, out.data(), jac.data());
        double a = rel_diff(jac.data(), &ref_jac[i * m * k], m, k);
        double b = rel_diff(out.data(), &ref_out[i * m], 1, m);
        djac = std::isnan(a) || std::isnan(djac) ? NAN : std::max(djac, a);
        dout = std::isnan(b) || std::isnan(dout) ? NAN : std::max(dout, b);
      }
      if (peer.fwd) {
        peer.fwd(in, fout.data());
        double c = rel_diff(fout.data(), &ref_out[i * m], 1, m);
        dfwd = std::isnan(c) || std::isnan(dfwd) ? NAN : std::max(dfwd, c);
      }
    }
    bool ok = djac <= peer.tolerance && dout <= 1e-9 && dfwd <= 1e-9;
    all_ok = all_ok && ok;
    std::fprintf(stderr, "  %-14s check: jac %.2e out %.2e fwd %.2e %s\n", peer.name.c_str(), djac,
                 dout, dfwd, ok ? "ok" : "MISMATCH");

    auto e = std::make_unique<Entry>();
    e->peer = &peer;
    e->json.num("max_rel_diff_jac", djac);
    e->json.num("max_rel_diff_out", std::max(dout, dfwd));
    e->json.raw("ok", ok ? "true" : "false");
    e->json.num("tolerance", peer.tolerance);
    double* o = results_out.data();
    double* jj = results_jac.data();
    const double* inputs = p.inputs.data();
    const int n_in = p.n_in;
    if (peer.grad) {
      Grad g = peer.grad;
      e->grad = make_task([g, o, jj, inputs, n_in](long i) { g(inputs + i * n_in, o, jj); },
                          p.count, p.min_calls);
    }
    if (peer.fwd) {
      Fwd f = peer.fwd;
      e->fwd = make_task([f, o, inputs, n_in](long i) { f(inputs + i * n_in, o); }, p.count,
                         p.min_calls);
    }
    entries.push_back(std::move(e));
  }
  std::vector<Task*> tasks;
  for (auto& e : entries) {
    if (e->peer->grad) tasks.push_back(&e->grad);
    if (e->peer->fwd) tasks.push_back(&e->fwd);
  }
  time_all(tasks);
  // The target ratios, each pair timed back to back (paired_ratio).
  Entry* gradc = nullptr;
  Entry* hand = nullptr;
  for (auto& e : entries) {
    if (e->peer->name == "gradc") gradc = e.get();
    if (e->peer->name == "hand") hand = e.get();
  }
  Json paired;
  if (gradc && gradc->peer->grad && gradc->peer->fwd)
    paired.num("grad_fwd", paired_ratio(gradc->grad, gradc->fwd));
  if (gradc && hand && gradc->peer->grad && hand->peer->grad)
    paired.num("hand", paired_ratio(gradc->grad, hand->grad));
  top.raw("paired", paired.done());
  Json all;
  for (auto& e : entries) {
    if (e->peer->grad) {
      Timing t = timing_of(e->grad);
      e->json.raw("grad", timing_json(t));
      std::fprintf(stderr, "  %-14s grad %12.1f ns\n", e->peer->name.c_str(), t.median * 1e9);
    }
    if (e->peer->fwd) {
      Timing t = timing_of(e->fwd);
      e->json.raw("fwd", timing_json(t));
      std::fprintf(stderr, "  %-14s fwd  %12.1f ns\n", e->peer->name.c_str(), t.median * 1e9);
    }
    all.raw(e->peer->name, e->json.done());
  }
  top.raw("peers", all.done());
  top.raw("all_ok", all_ok ? "true" : "false");
  return top.done();
}

}  // namespace bench
