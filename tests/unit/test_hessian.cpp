// test_hessian.cpp - second derivatives (NAME_hess, NAME_hvp, --hessian):
// on random programs against an independent evaluation (the --print
// program, parsed and differentiated again) and central differences of the
// gradient; closed forms (Rosenbrock, softmax cross-entropy, sigmoid BCE,
// a k-means objective); the derivative conventions at second order; H v
// against the full Hessian; every compiled backend against the interpreter.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <random>

#include "naming.h"
#include "backends.h"
#include "emit/print.h"
#include "random_array_program.h"
#include "random_program.h"
#include "untaken_branches.h"

using gradc::KernelKind;
using namespace gradc_test;

namespace {

gradc::CompileOptions second_order() {
  gradc::CompileOptions opts;
  opts.kernels = {KernelKind::Forward, KernelKind::Grad, KernelKind::Hess, KernelKind::Hvp};
  return opts;
}

gradc::Compiled compile_second(const std::string& text, const std::string& file = "h.expr") {
  std::string errors;
  auto c = compile_text(text, &errors, file, second_order());
  REQUIRE_MESSAGE(c, text << errors);
  return std::move(*c);
}

// The Hessian of `c` at `in` against (1) the Jacobian of its own --print
// program, whose outputs include the gradient entries (an independent
// symbolic path: parse, differentiate again), and (2) central differences
// of that program's gradient outputs (with the kink rule).
void check_against_print(const gradc::Compiled& c, const std::string& label,
                         const std::vector<std::vector<double>>& points) {
  std::string printed = gradc::print_text(c, label);
  std::string errors;
  auto again = compile_text(printed, &errors, label + ".printed.expr");
  REQUIRE_MESSAGE(again, printed << errors);
  const gradc::Compiled& c2 = *again;
  std::map<std::string, size_t> row, col;
  for (size_t r = 0; r < c2.names.outputs.size(); ++r) row[c2.names.outputs[r]] = r;
  for (size_t j = 0; j < c2.names.wrt.size(); ++j) col[c2.names.wrt[j]] = j;
  std::vector<size_t> wrt_input = wrt_input_indices(c);
  const size_t k = c.num_wrt(), k2 = c2.num_wrt();
  for (const std::vector<double>& in : points) {
    SecondOrder h = interpret_second(c, KernelKind::Hess, in);
    if (!all_finite(h.out) || !all_finite(h.jac) || !all_finite(h.second)) continue;
    Values v2 = interpret(c2, in);
    // Central differences of the printed program's outputs, one per wrt
    // scalar (each moves one input for every entry at once).
    std::vector<decltype(central_difference(c2, in, 0))> fds;
    for (size_t l = 0; l < k; ++l) fds.push_back(central_difference(c2, in, wrt_input[l]));
    const std::vector<std::string> entry_names = derivative_entry_names(c);
    for (size_t e = 0; e < c.jacobian.size(); ++e) {
      size_t r = row.at(entry_names[e]);
      for (size_t l = 0; l < k; ++l) {
        double got = h.second[e * k + l];
        double want = v2.jac[r * k2 + col.at(c.names.wrt[l])];
        INFO(label, ": d/d", c.names.wrt[l], " of ", entry_names[e], "\n", printed);
        CHECK_MESSAGE(close(got, want, 1e-9, 1e-11), "hess " << got << ", again " << want);
        if (const auto& fd = fds[l])
          CHECK_MESSAGE(matches_fd(got, fd->d[r], fd->scale), "hess " << got << ", fd " << fd->d[r]);
      }
    }
  }
}

}  // namespace

TEST_CASE("the Hessian of 300 random scalar programs: print round trip and central differences") {
  std::mt19937_64 rng(21);
  for (uint64_t seed = 4000; seed < 4300; ++seed) {
    gradc::Compiled c = compile_second(random_program(seed), fmt::format("h{}.expr", seed));
    std::vector<std::vector<double>> points;
    for (int p = 0; p < 2; ++p) points.push_back(random_vector(rng, c.names.inputs.size()));
    check_against_print(c, fmt::format("h{}", seed), points);
  }
}

TEST_CASE("the Hessian of 60 random array programs: print round trip and central differences") {
  std::mt19937_64 rng(22);
  // A sanitized build takes the first 20 (the interpreter under ASan is
  // about 15 times slower; the plain run takes all 60).
  const uint64_t end = kSanitized ? 8020 : 8060;
  for (uint64_t seed = 8000; seed < end; ++seed) {
    gradc::Compiled c = compile_second(random_array_program(seed), fmt::format("ha{}.expr", seed));
    if (c.num_wrt() * c.outputs.size() * c.num_wrt() > 4000) continue;  // keep the test quick
    check_against_print(c, fmt::format("ha{}", seed), {random_vector(rng, c.names.inputs.size())});
  }
}

TEST_CASE("symmetric Hessian entries are one node, computed once") {
  gradc::Compiled c = compile_second("input x, y, z\nw = x*y*z + sin(x)*exp(y)");
  const size_t k = 3;
  for (size_t j = 0; j < k; ++j)
    for (size_t l = 0; l < k; ++l) CHECK(c.hessian[j * k + l] == c.hessian[l * k + j]);
}

TEST_CASE("closed forms: Rosenbrock, softmax cross-entropy, sigmoid BCE, k-means") {
  // Extended Rosenbrock, n = 4: f = sum 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2.
  gradc::Compiled r = compile_second(
      "input x[4]\nf = sum([100*(x[1] - x[0]^2)^2 + (1 - x[0])^2, 100*(x[2] - x[1]^2)^2 + "
      "(1 - x[1])^2, 100*(x[3] - x[2]^2)^2 + (1 - x[2])^2])");
  std::vector<double> x{0.3, -0.7, 1.2, 0.9};
  SecondOrder h = interpret_second(r, KernelKind::Hess, x);
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 4; ++j) {
      double want = 0;
      if (i == j) {
        if (i < 3) want += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
        if (i > 0) want += 200;
      } else if (j == i + 1 || i == j + 1) {
        want = -400 * x[std::min(i, j)];
      }
      CHECK(close(h.second[i * 4 + j], want, 1e-12, 1e-12));
    }
  // Softmax cross-entropy: L = -dot(e, log(softmax(z))); H = diag(p) - p p^T.
  gradc::Compiled s = compile_second("input z[3], e[3]\nL = -dot(e, log(softmax(z)))\nwrt z");
  std::vector<double> z{0.5, -1.0, 2.0}, in{0.5, -1.0, 2.0, 0.0, 1.0, 0.0};
  double total = std::exp(0.5) + std::exp(-1.0) + std::exp(2.0);
  h = interpret_second(s, KernelKind::Hess, in);
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 3; ++j) {
      double pi = std::exp(z[i]) / total, pj = std::exp(z[j]) / total;
      CHECK(close(h.second[i * 3 + j], (i == j ? pi : 0) - pi * pj, 1e-12, 1e-14));
    }
  // Sigmoid + binary cross-entropy: d2L/dz2 = p (1 - p) for either label.
  gradc::Compiled b = compile_second(
      "input z, y\np = sigmoid(z)\nL = -(y*log(p) + (1 - y)*log(1 - p))\nwrt z");
  for (double zz : {-3.0, 0.0, 0.7, 4.0})
    for (double y : {0.0, 1.0}) {
      double p = 1 / (1 + std::exp(-zz));
      CHECK(close(interpret_second(b, KernelKind::Hess, {zz, y}).second[0], p * (1 - p), 1e-12,
                  1e-15));
    }
  // k-means objective in 1-D: f(c1, c2) = sum_i min((x_i - c1)^2, (x_i - c2)^2);
  // H = diag(2 n1, 2 n2) with n_k the points nearest centre k.
  gradc::Compiled k = compile_second(
      "input c1, c2, x[5]\nd1 = (x - c1)^2\nd2 = (x - c2)^2\nf = sum(min(d1, d2))\nwrt c1, c2");
  h = interpret_second(k, KernelKind::Hess, {-1.0, 2.0, -2.0, -0.5, 0.1, 1.8, 3.0});
  CHECK(h.second == std::vector<double>{6.0, 0.0, 0.0, 4.0});
}

TEST_CASE("second-order conventions: untaken branches never leak, kinks have zero curvature") {
  gradc::Compiled c = compile_second(
      "input x\nw = x > 0 ? sqrt(x)^3 : 0\nv = relu(x)*x + abs(x)\nu = max(x, 1)^2\noutput w, v, u");
  SecondOrder h = interpret_second(c, KernelKind::Hess, {-1.0});
  CHECK(h.second == std::vector<double>{0.0, 0.0, 0.0});  // not NaN from sqrt(-1)
  h = interpret_second(c, KernelKind::Hess, {0.0});  // relu and abs kinks: 0 (v = 0 + |x|)
  CHECK(h.second[1] == 0.0);
  h = interpret_second(c, KernelKind::Hess, {4.0});
  CHECK(close(h.second[0], 0.75 / 2.0, 1e-15, 0));  // d2/dx2 x^1.5 = 0.75 x^-0.5
  CHECK(h.second[1] == 2.0);
  CHECK(h.second[2] == 2.0);
}

TEST_CASE("pow with a variable exponent: the mixed second derivative at b == 0 is 1/a in either input order") {
  // d/da a^b = b a^(b-1) is smooth in b, so d2/da db = a^(b-1) + b a^(b-1) log a,
  // 1/a at b = 0, as d/da (a^b log a) gives; d2/db2 = a^b log(a)^2; d2/da2 =
  // b (b-1) a^(b-2) = 0 at b = 0. It was 0 in the order that differentiates
  // d/da's guard, which took the guard's constant branch at b == 0.
  const double log2 = std::log(2.0);
  for (const char* decl : {"input a, b", "input b, a"}) {
    const bool a_first = std::string(decl) == "input a, b";
    for (const char* body : {"w = pow(a, b)", "w = a^b", "w = exp(-a*a)*pow(a, b)"}) {
      const bool gauss = std::string(body).find("exp") != std::string::npos;
      gradc::Compiled c = compile_second(std::string(decl) + "\n" + body);
      std::vector<double> in = a_first ? std::vector<double>{2.0, 0.0} : std::vector<double>{0.0, 2.0};
      INFO(std::string(decl), "; ", body);
      SecondOrder h = interpret_second(c, KernelKind::Hess, in);
      const size_t ia = a_first ? 0 : 1, ib = 1 - ia;
      // e = exp(-a^2): d2/da db (e a^b) = e' log a + e/a at b = 0.
      const double e = std::exp(-4.0), de = -4.0 * e;
      const double mixed = gauss ? de * log2 + e / 2 : 0.5;
      CHECK(close(h.second[ia * 2 + ib], mixed, 1e-14, 1e-15));
      CHECK(close(h.second[ib * 2 + ib], (gauss ? e : 1.0) * log2 * log2, 1e-14, 1e-15));
      // NAME_hvp along b alone: the column of b.
      std::vector<double> v(2, 0.0);
      v[ib] = 1;
      SecondOrder hv = interpret_second(c, KernelKind::Hvp, in, v);
      CHECK(close(hv.second[ia], mixed, 1e-14, 1e-15));
    }
  }
  // At a == 0, d/db is 0 (its guard), flat in a; d/da takes b without its
  // tangent there, so the mixed entry is 0 in either order (it was 0^(b-1)
  // in one: 1 at b = 1, inf at b = 0.5), in hess and in hvp alike.
  for (const char* decl : {"input a, b", "input b, a"}) {
    const bool a_first = std::string(decl) == "input a, b";
    gradc::Compiled c = compile_second(std::string(decl) + "\nw = pow(a, b)");
    const size_t ia = a_first ? 0 : 1, ib = 1 - ia;
    for (double b : {0.5, 1.0, 2.0, -1.0, 0.0}) {
      INFO(std::string(decl), " at a = 0, b = ", b);
      std::vector<double> in(2);
      in[ia] = 0.0;
      in[ib] = b;
      SecondOrder h = interpret_second(c, KernelKind::Hess, in);
      CHECK(h.second[ia * 2 + ib] == 0.0);
      // H v along b: H_ab*1 + H_aa*0, which is IEEE's NaN where H_aa is
      // infinite (b = 0.5: -inf; b = -1: inf), so only where it is finite.
      if (b == 0.5 || b == -1.0) continue;
      std::vector<double> v(2, 0.0);
      v[ib] = 1;
      CHECK(interpret_second(c, KernelKind::Hvp, in, v).second[ia] == 0.0);
    }
  }
  // Where a^(b-1) is not finite at b == 0 (a = 0, |a| below about 5.6e-309,
  // NaN), d/da is 0, not 0*inf: x^0 = 1 for every x.
  gradc::Compiled c = compile_second("input a, b\nw = pow(a, b)");
  for (double a : {0.0, -0.0, 1e-310, std::nan("")}) {
    INFO("a = ", a);
    SecondOrder h = interpret_second(c, KernelKind::Hess, {a, 0.0});
    CHECK(h.out[0] == 1.0);
    CHECK(h.jac[0] == 0.0);
  }
}

TEST_CASE("the Hessian is the same for either order of the inputs, at kink points: 3,000 programs") {
  // Each symmetric entry is computed once, in the order the inputs come
  // in; declaring them the other way round takes the other order. The two
  // must agree, also where a derivative's guard switches (pow's exponent 0,
  // ties, infinite partials): points drawn from 0, +-0.5, +-1, 2.
  std::mt19937_64 rng(31);
  const double kinks[] = {0.0, 1.0, -1.0, 0.5, -0.5, 2.0};
  int compared = 0;
  for (uint64_t seed = 4700; seed < 7700; ++seed) {
    const std::string text = random_program(seed);
    const size_t at = text.find("input ");
    if (at == std::string::npos) continue;
    const size_t end = text.find('\n', at);
    std::vector<std::string> names;
    std::string list = text.substr(at + 6, end - at - 6);
    for (size_t from = 0;;) {
      size_t comma = list.find(", ", from);
      names.push_back(list.substr(from, comma - from));
      if (comma == std::string::npos) break;
      from = comma + 2;
    }
    if (names.size() < 2) continue;
    std::string reversed_list;
    for (size_t i = names.size(); i-- > 0;) reversed_list += names[i] + (i ? ", " : "");
    const std::string reversed = text.substr(0, at + 6) + reversed_list + text.substr(end);
    gradc::Compiled c1 = compile_second(text), c2 = compile_second(reversed);
    const size_t n = names.size(), k = c1.num_wrt(), m = c1.outputs.size();
    REQUIRE(c2.num_wrt() == k);
    std::map<std::string, size_t> wrt2;
    for (size_t j = 0; j < k; ++j) wrt2[c2.names.wrt[j]] = j;
    for (int point = 0; point < 6; ++point) {
      std::vector<double> in1(n), in2(n);
      for (size_t i = 0; i < n; ++i) in2[n - 1 - i] = in1[i] = kinks[rng() % 6];
      SecondOrder h1 = interpret_second(c1, KernelKind::Hess, in1);
      SecondOrder h2 = interpret_second(c2, KernelKind::Hess, in2);
      for (size_t r = 0; r < m; ++r)
        for (size_t i = 0; i < k; ++i)
          for (size_t j = 0; j < k; ++j) {
            double a = h1.second[(r * k + i) * k + j];
            double b = h2.second[(r * k + wrt2.at(c1.names.wrt[i])) * k + wrt2.at(c1.names.wrt[j])];
            bool same = std::isnan(a) ? std::isnan(b)
                      : std::isinf(a) ? a == b
                                      : std::isfinite(b) &&
                                            std::abs(a - b) <= 1e-9 * (1 + std::abs(a) + std::abs(b));
            CHECK_MESSAGE(same, text << "\nreversed: " << reversed_list << "\nd2 "
                          << c1.names.outputs[r] << " / d " << c1.names.wrt[i] << " d "
                          << c1.names.wrt[j] << ": " << a << " vs " << b);
            ++compared;
          }
    }
  }
  CHECK(compared > 50000);
}

TEST_CASE("second order: a selection inside an untaken branch leaks nothing") {
  for (const unit::UntakenCase& tc : unit::untaken_branch_cases()) {
    INFO(tc.program, "\nat y = ", tc.in[1]);
    SecondOrder h = interpret_second(compile_second(tc.program), KernelKind::Hess, tc.in);
    CHECK(h.out[0] == tc.value);
    CHECK(h.jac == std::vector<double>{tc.d_dx, 0.0});
    CHECK(h.second == std::vector<double>{0.0, 0.0, 0.0, 0.0});
  }
}

TEST_CASE("H v from NAME_hvp equals the full Hessian times v") {
  std::mt19937_64 rng(23);
  for (uint64_t seed = 4300; seed < 4500; ++seed) {
    gradc::Compiled c = compile_second(random_program(seed));
    std::vector<double> in = random_vector(rng, c.names.inputs.size());
    std::vector<double> v = random_vector(rng, c.num_wrt());
    SecondOrder full = interpret_second(c, KernelKind::Hess, in);
    SecondOrder hv = interpret_second(c, KernelKind::Hvp, in, v);
    if (!all_finite(full.second)) continue;
    const size_t k = c.num_wrt();
    CHECK(hv.jac == full.jac);
    for (size_t e = 0; e < c.jacobian.size(); ++e) {
      double sum = 0, magnitude = 0;
      for (size_t l = 0; l < k; ++l) {
        sum += full.second[e * k + l] * v[l];
        magnitude += std::fabs(full.second[e * k + l] * v[l]);
      }
      CHECK_MESSAGE(std::fabs(hv.second[e] - sum) <= 1e-10 * magnitude + 1e-12,
                    "seed " << seed << " entry " << e << ": " << hv.second[e] << " vs " << sum);
    }
  }
}

TEST_CASE("every compiled backend's hess and hvp agree with the interpreter") {
  std::vector<gradc::Compiled> programs;
  std::vector<NamedProgram> batch;
  const uint64_t first = 4500, count = kSanitized ? 20 : 80;
  for (uint64_t seed = first; seed < first + count; ++seed)
    programs.push_back(compile_second(random_program(seed)));
  for (uint64_t i = 0; i < count; ++i) batch.push_back({fmt::format("h{}", first + i), &programs[i]});
  std::vector<BackendSpec> specs;
  for (Backend b : kCompiledBackends) specs.push_back({b});
  BackendOptions clang;
  clang.cxx = GRADC_CLANGXX;
  specs.push_back({Backend::Cpp, clang});
  auto backends = build_backends(batch, specs);
  for (const auto& b : backends) REQUIRE_MESSAGE(b->ok(), b->label() << ":\n" << b->log());
  std::mt19937_64 rng(24);
  for (size_t i = 0; i < batch.size(); ++i) {
    std::vector<double> in = random_vector(rng, programs[i].names.inputs.size());
    std::vector<double> v = random_vector(rng, programs[i].num_wrt());
    for (KernelKind kind : {KernelKind::Hess, KernelKind::Hvp}) {
      SecondOrder want = interpret_second(programs[i], kind, in, v);
      for (const auto& b : backends) {
        SecondOrder got = b->call_second(i, kind, in, v);
        INFO(b->label(), " ", batch[i].name, kind == KernelKind::Hess ? " hess" : " hvp");
        REQUIRE(got.second.size() == want.second.size());
        for (size_t e = 0; e < want.second.size(); ++e)
          CHECK_MESSAGE(close(got.second[e], want.second[e], 1e-14, 1e-300),
                        "entry " << e << ": " << got.second[e] << " vs " << want.second[e]);
        for (size_t e = 0; e < want.jac.size(); ++e) CHECK(close(got.jac[e], want.jac[e], 1e-14, 1e-300));
      }
    }
  }
}

TEST_CASE("too large a Hessian is refused, naming its size, before it is built") {
  std::string errors;
  auto c = compile_text("input x[3000]\nw = sum(x*x)", &errors, "big.expr", second_order());
  CHECK_FALSE(c);
  CHECK(errors.find("the Hessian would have 1 x 3000 x 3000 = 9000000 entries") != std::string::npos);
}
