// test_cross_backend.cpp - for a table of programs covering every built-in
// and operator, a few array programs and every examples/*.expr: the generated
// C++ built by g++ and by clang++ (-Werror), the LLVM JIT, .ll built by clang-19
// and .o files agree with the interpreter within 1e-14, and all of them with
// central differences; --fast-math JIT kernels still match central differences.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "naming.h"
#include "backends.h"
#include "emit/emit_llvm.h"
#include "ir/scalar_math.h"
#include "kernel_harness.h"
#include "untaken_branches.h"

namespace {

using gradc_test::Values;

struct Case {
  const char* name;
  const char* text;
  double lo = -2, hi = 2;  // inputs are drawn uniformly from [lo, hi]
};

// Every built-in function and operator of SPEC 1 (scalar part), each inside
// a little arithmetic so the chain rule is exercised too.
const Case kCases[] = {
    {"add_sub", "w = x + y - z - (x - y)"},
    {"mul_div", "w = x*y/(z*z + 1) + 1/(y*y + 2)"},
    {"unary_ops", "w = -x*y + +z - -y"},
    {"neg_pow", "w = -x^2 + 2^-y + x**3"},
    {"pow_const", "w = pow(x, 3) + pow(y, 2.5) + pow(y, -2) + y^0.5 + pow(y, 1/3)", 0.2, 2},
    {"pow_var", "w = pow(x, y) + x^(y*y)", 0.1, 2},
    {"pow_neg_base_int", "w = pow(x*y - 1, 5) + (x - 3)^-3"},
    {"exp", "w = exp(0.5*x - y)*z"},
    {"log", "w = log(x*x + y)", 0.1, 2},
    {"log1p", "w = log1p(x*y)", -0.9, 0.9},
    {"expm1", "w = expm1(x - 2*y)"},
    {"sqrt", "w = sqrt(x*x + y*y + 0.1)"},
    {"cbrt", "w = cbrt(x*y - 0.5) + cbrt(z)"},
    {"sin_cos", "w = sin(x*y) + cos(2*x - z)"},
    {"tan", "w = tan(0.6*x)*y"},
    {"asin_acos", "w = asin(0.4*x) + acos(0.45*y)*x"},
    {"atan", "w = atan(x*y)"},
    {"sinh_cosh_tanh", "w = sinh(x) + cosh(x*y) + tanh(3*z)"},
    {"erf_gelu", "w = erf(x*y) + gelu(2*z)"},
    {"sigmoid", "w = sigmoid(10*x - y)"},
    {"softplus", "w = softplus(20*x) + softplus(-y)"},
    {"abs_sign", "w = abs(x - y)*x + sign(y)*z"},
    {"floor_ceil", "w = floor(3*x) + ceil(2*y)*z + x*y"},
    {"relu", "w = relu(x*y - 0.5) + relu(z)"},
    {"leaky_relu", "w = leaky_relu(x, 0.1) + leaky_relu(y - z, x)"},
    {"atan2", "w = atan2(y, x) + atan2(x*z, 2)"},
    {"max_min", "w = max(x, y)*z + min(x*y, z)"},
    {"select", "w = x > y ? x*x : y - z"},
    {"select_nested", "w = x < 0 ? -x : x > 1 ? 1 : x*x"},
    {"where", "w = where(x*y >= 0.5, sin(x), cos(y))"},
    {"select_nan_branch", "w = x > 0 ? sqrt(x) : 0"},
    {"comparisons", "w = (x < y) + (x <= y)*2 + (x > z)*3 + (x >= z)*4 + (x == y) + (x != y)*y"},
    {"logical", "w = ((x > 0 && y < 0) || !(z >= 1)) ? x*y : z"},
    {"not_value", "w = !x + !(x > y)*y"},
    {"constants", "w = pi*x + .5*y + 1e-3*z + 6.02E23*x*1e-23"},
    {"comments", "# a comment\nu = x*y  // another\n\n; w = u*u + u # end\n"},
    {"multi_output_wrt", "input a, b, c\nu = a*b\nv = sin(c)*u + a\noutput v, u\nwrt c, a"},
    {"unused_input", "input x, y, z\nw = x*x"},
    {"output_is_input", "input x, y\nw = x*y\noutput w, x"},
    {"outputs_late_input", "u = a*2; v = u*b\noutput v, u"},  // b is created after u
    {"constant_output", "input x\nw = 2*3"},
    {"no_inputs", "w = 2^0.5 + exp(1)"},
    {"cxx_names", "in = x*2; out = in + y; jac = out*in; int = jac - 1; std = int*x\n"
                  "gradc_sigmoid = sigmoid(std); double = gradc_sigmoid + out"},
    {"reuse", "a = x*y; b = a*a; c = b + a; d = c*a + sin(b)"},
    {"identities", "w = (x + 0)*1 - (y - y) + x/x + --y + 0*z"},
    // Arrays (inputs flattened row-major; every scalar drawn from [lo, hi]).
    {"mlp_2layer_loss",
     "input x[3], W1[4,3], b1[4], W2[2,4], b2[2], y[2]\n"
     "h = tanh(W1 @ x + b1)\no = W2 @ h + b2\nloss = mean((o - y)^2)\nwrt W1, b1, W2, b2"},
    {"softmax_cross_entropy",
     "input logits[4], target[4]\np = softmax(logits)\nce = -sum(target*log(p))\n"
     "ce2 = logsumexp(logits)*sum(target) - dot(target, logits)\noutput ce, ce2, p\n"
     "wrt logits"},
    {"vector_function_jacobian",
     "input x[3]\ny = [x[0]*x[1], sin(x[2]) + x[0], exp(0.5*x[1])*x[2], x[0]^2 - x[2]]"},
    {"matrix_function_jacobian", "input A[2,3], B[3,2]\nC = A @ B - 0.5*transpose(A @ B)\n"
                                 "G = transpose(A) @ A\noutput C, G"},
    {"matmul_forms", "input u[3], M[3,2], v[2]\nr = u @ M\ns = M @ v\nq = (r @ v) + u @ u\n"
                     "output r, s, q"},
    {"array_select_broadcast",
     "input v[4], c\nw = v > c ? v*v : -v\ns = sum(where(v < 0.5, exp(v), c)) + max(v, 0.1)[2]\n"
     "n = norm([1, v[0], v[3]]) + mean(relu(v - c))\noutput w, s, n"},
    {"array_literal_index", "input W[2,2], x\nL = [[x, 2*x], [W[1,0], W[0]@W[1]]]\n"
                            "out = L @ W[1] + transpose(W)[0]*x"},
};

// An 800-statement chain: deep reuse, long kernels, many temporaries; both
// LLVM kernels are split into .part functions (more than kLlvmPartNodes nodes)
// and the C++ ones into part functions of 250 statements.
std::string long_chain() {
  std::string text = "input x, y\nt0 = x*y\n";
  const char* forms[] = {"sin(t{0})*y + t{0}", "tanh(t{0}) - x*t{0}", "sigmoid(t{0} + y)*2",
                         "max(t{0}, x) + 0.5*t{0}", "t{0} > y ? t{0}*0.9 : cos(t{0})"};
  for (int i = 1; i <= 800; ++i)
    text += fmt::format("t{} = {}\n", i, fmt::format(fmt::runtime(forms[i % 5]), i - 1));
  return text;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Program {
  std::string name, text;
  double lo, hi;
  gradc::Compiled c;
  bool verbatim;  // compiled as a translation unit of its own
};

std::vector<Program> load_programs() {
  std::vector<Program> progs;
  auto add = [&](std::string name, std::string text, double lo, double hi, bool verbatim) {
    std::string errors;
    auto c = gradc_test::compile_text(text, &errors, name + ".expr");
    REQUIRE_MESSAGE(c, name << " does not compile:\n" << errors);
    progs.push_back({name, std::move(text), lo, hi, std::move(*c), verbatim});
  };
  for (const Case& k : kCases) add(k.name, k.text, k.lo, k.hi, false);
  add("long_chain", long_chain(), -1, 1, false);
  std::vector<std::filesystem::path> examples;
  for (const auto& e : std::filesystem::directory_iterator(GRADC_EXAMPLES_DIR))
    if (e.path().extension() == ".expr") examples.push_back(e.path());
  std::sort(examples.begin(), examples.end());
  REQUIRE(examples.size() >= 5);
  for (const auto& p : examples)
    add("example_" + p.stem().string(), read_file(p), -2, 2, true);
  return progs;
}

// The programs of one batch: the table, or the examples.
std::vector<gradc_test::NamedProgram> batch(const std::vector<Program>& progs, bool examples) {
  std::vector<gradc_test::NamedProgram> out;
  for (const Program& p : progs)
    if (p.verbatim == examples) out.push_back({"k_" + p.name, &p.c});
  return out;
}

// Every compiled backend, plus the C++ built by clang++ (SPEC 3: it must
// compile warning-free with both). `units`: translation units of the C++.
std::vector<gradc_test::BackendSpec> specs(int units) {
  gradc_test::BackendOptions opts, clangxx;
  opts.units = units;
  clangxx.units = units;
  clangxx.cxx = GRADC_CLANGXX;
  return {{gradc_test::Backend::Cpp, opts},
          {gradc_test::Backend::Cpp, clangxx},
          {gradc_test::Backend::Jit, opts},
          {gradc_test::Backend::LlvmText, opts},
          {gradc_test::Backend::Object, opts}};
}

// `compiled` with the reference interpreter first.
std::vector<gradc_test::BackendSpec> with_interpreter(std::vector<gradc_test::BackendSpec> compiled) {
  compiled.insert(compiled.begin(), {gradc_test::Backend::Interpreter});
  return compiled;
}

// One backend's kernel of `p` against the interpreter at x, within 1e-14.
void compare(const Program& p, const gradc_test::BackendKernels& kernels, size_t index,
             const std::vector<double>& x) {
  size_t m = p.c.outputs.size(), k = p.c.num_wrt();
  const std::string& backend = kernels.label();
  Values ref = gradc_test::interpret(p.c, x);
  std::vector<double> fwd;
  Values got = kernels.call(index, x, &fwd);
  for (size_t i = 0; i < m; ++i) {
    CHECK_MESSAGE(gradc_test::close(ref.out[i], got.out[i], 1e-14, 1e-300),
                  p.name << " " << backend << " grad out[" << i << "] at "
                         << gradc_test::point_text(p.c, x) << ": interpreter " << ref.out[i]
                         << ", kernel " << got.out[i]);
    CHECK_MESSAGE(gradc_test::close(ref.out[i], fwd[i], 1e-14, 1e-300),
                  p.name << " " << backend << " forward out[" << i << "] at "
                         << gradc_test::point_text(p.c, x) << ": interpreter " << ref.out[i]
                         << ", kernel " << fwd[i]);
  }
  for (size_t i = 0; i < m * k; ++i)
    CHECK_MESSAGE(gradc_test::close(ref.jac[i], got.jac[i], 1e-14, 1e-300),
                  p.name << " " << backend << " " << gradc::derivative_entry_names(p.c)[i] << " at "
                         << gradc_test::point_text(p.c, x) << ": interpreter " << ref.jac[i]
                         << ", kernel " << got.jac[i]);
}

// The interpreter's and each result's Jacobian against central differences
// at x; returns the number of derivative entries checked (per result).
int check_fd(const Program& p, const std::vector<double>& x,
             const std::vector<std::pair<std::string, Values>>& results) {
  size_t m = p.c.outputs.size(), k = p.c.num_wrt();
  std::vector<size_t> wrt = gradc_test::wrt_input_indices(p.c);
  int checked = 0;
  for (size_t j = 0; j < k; ++j) {
    auto fd = gradc_test::central_difference(p.c, x, wrt[j]);
    if (!fd) continue;
    for (size_t i = 0; i < m; ++i, ++checked)
      for (const auto& [backend, r] : results)
        CHECK_MESSAGE(gradc_test::matches_fd(r.jac[i * k + j], fd->d[i], fd->scale),
                      p.name << " " << backend << " " << gradc::derivative_entry_names(p.c)[i * k + j]
                             << " at " << gradc_test::point_text(p.c, x) << ": analytic "
                             << r.jac[i * k + j] << ", central difference " << fd->d[i]);
  }
  return checked;
}

// The points each program is checked at: 12 random ones (the first 9 in its
// domain, where central differences are checked too; 3 anywhere, where NaN
// and inf must match between backends), then zeros, ones and minus ones
// (ties and kinks, where only the backends are compared).
struct Point {
  std::vector<double> x;
  bool inside;
};

std::vector<Point> points_of(const Program& p, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> in_domain(p.lo, p.hi), wide(-3, 3);
  size_t n = p.c.names.inputs.size();  // input scalars
  std::vector<Point> out;
  for (int point = 0; point < 12; ++point) {
    Point pt{std::vector<double>(n), point < 9};
    for (double& xi : pt.x) xi = pt.inside ? in_domain(rng) : wide(rng);
    out.push_back(std::move(pt));
  }
  for (double v : {0.0, 1.0, -1.0}) out.push_back({std::vector<double>(n, v), false});
  return out;
}

}  // namespace

TEST_CASE("every backend matches the interpreter within 1e-14, and central differences") {
  std::vector<Program> progs = load_programs();
  // Two batches per backend: the table (C++ packed into 2 translation units,
  // .ll files linked by llvm-link-19 before clang-19), and the examples (each
  // C++ source verbatim, each .ll given to clang-19 as it is).
  std::vector<gradc_test::NamedProgram> table = batch(progs, false), examples = batch(progs, true);
  REQUIRE(table.size() > size_t(gradc_test::BackendOptions{}.ll_direct_max));
  REQUIRE(examples.size() <= size_t(gradc_test::BackendOptions{}.ll_direct_max));
  std::vector<std::unique_ptr<gradc_test::BackendKernels>> table_kernels, example_kernels;
  std::thread other([&] { example_kernels = gradc_test::build_backends(examples, specs(0)); });
  table_kernels = gradc_test::build_backends(table, specs(2));
  other.join();
  for (const auto* set : {&table_kernels, &example_kernels})
    for (const auto& b : *set) {
      REQUIRE_MESSAGE(b->ok(), b->label() << ": " << b->log());
      MESSAGE(fmt::format("{}: {} programs built in {:.1f} s", b->label(),
                          set == &table_kernels ? table.size() : examples.size(),
                          b->build_seconds()));
    }
  // The long chain's LLVM kernels really are split (values cross parts)
  // when planned as straight-line code (the kernels above run it as a loop).
  for (const Program& p : progs)
    if (p.name == "long_chain") {
      gradc::Compiled straight = p.c;
      straight.reroll_min = 0;
      std::string ir = gradc::emit_llvm(straight, "chain", "chain.expr", gradc::LlvmFormat::Text,
                                        gradc::LlvmOptions{})
                           .bytes;
      CHECK(ir.find("void @chain.part2(") != std::string::npos);
      CHECK(ir.find("void @chain_grad.part2(") != std::string::npos);
    }
  std::mt19937_64 rng(20240611);
  int fd_checked = 0, points = 0;
  size_t in_table = 0, in_examples = 0;
  for (const Program& p : progs) {
    const auto& kernels = p.verbatim ? example_kernels : table_kernels;
    size_t index = p.verbatim ? in_examples++ : in_table++;
    for (const Point& pt : points_of(p, rng)) {
      ++points;
      std::vector<std::pair<std::string, Values>> results;
      for (const auto& b : kernels) {
        compare(p, *b, index, pt.x);
        results.emplace_back(b->label(), b->call(index, pt.x));
      }
      if (pt.inside) {
        results.emplace_back("interpreter", gradc_test::interpret(p.c, pt.x));
        fd_checked += check_fd(p, pt.x, results);
      }
    }
  }
  MESSAGE(fmt::format("{} programs, {} points, {} derivatives vs central differences, each "
                      "for the interpreter and {} kernels",
                      progs.size(), points, fd_checked, table_kernels.size()));
  CHECK(fd_checked > 1000);
}

TEST_CASE("--fast-math JIT kernels of smooth programs match central differences") {
  // --fast-math lets LLVM reassociate and assume no NaN or inf, so results
  // change (docs): only programs without branches (no comparison, ?:, abs,
  // max, ... in the forward program: an empty branch signature) at points in
  // their domain, with central differences' tolerance, and values within 1e-9.
  std::vector<Program> progs = load_programs();
  std::vector<gradc_test::NamedProgram> smooth;
  std::vector<const Program*> smooth_progs;
  for (const Program& p : progs)
    if (gradc_test::branch_signature(p.c, std::vector<double>(p.c.names.inputs.size(), p.lo))
            .empty()) {
      smooth.push_back({"k_" + p.name, &p.c});
      smooth_progs.push_back(&p);
    }
  REQUIRE(smooth.size() >= 25);
  gradc_test::BackendOptions opts;
  opts.fast_math = true;
  gradc_test::BackendKernels fast(gradc_test::Backend::Jit, smooth, opts);
  REQUIRE_MESSAGE(fast.ok(), fast.log());
  std::mt19937_64 rng(31337);
  int fd_checked = 0;
  double worst = 0;
  for (size_t s = 0; s < smooth_progs.size(); ++s) {
    const Program& p = *smooth_progs[s];
    std::uniform_real_distribution<double> in_domain(p.lo, p.hi);
    for (int point = 0; point < 6; ++point) {
      std::vector<double> x(p.c.names.inputs.size());
      for (double& xi : x) xi = in_domain(rng);
      Values ref = gradc_test::interpret(p.c, x), got = fast.call(s, x);
      for (size_t i = 0; i < ref.out.size(); ++i) {
        double scale = std::max(std::fabs(ref.out[i]), std::fabs(got.out[i]));
        if (scale > 0) worst = std::max(worst, std::fabs(ref.out[i] - got.out[i]) / scale);
        CHECK_MESSAGE(gradc_test::close(ref.out[i], got.out[i], 1e-9, 1e-12),
                      p.name << " --fast-math out[" << i << "] at "
                             << gradc_test::point_text(p.c, x) << ": interpreter " << ref.out[i]
                             << ", kernel " << got.out[i]);
      }
      fd_checked += check_fd(p, x, {{fast.label(), got}});
    }
  }
  MESSAGE(fmt::format("{} smooth programs, {} derivatives of --fast-math kernels vs central "
                      "differences; largest relative change of an output {:.2g}",
                      smooth.size(), fd_checked, worst));
  CHECK(fd_checked > 500);
}

TEST_CASE("an untaken ?: branch does not leak NaN into the derivative (SPEC 1)") {
  auto c = gradc_test::compile_text("w = x > 0 ? sqrt(x) : 0");
  REQUIRE(c);
  Values v = gradc_test::interpret(*c, {-1.0});
  CHECK(v.out[0] == 0.0);
  CHECK(v.jac[0] == 0.0);
  gradc_test::KernelLibrary lib(GRADC_GXX, {gradc_test::generate(*c, "nan_branch")});
  REQUIRE_MESSAGE(lib.ok(), lib.log());
  Values k = lib.get("nan_branch").call({-1.0}, 1, 1);
  CHECK(k.out[0] == 0.0);
  CHECK(k.jac[0] == 0.0);
}

TEST_CASE("a selection inside an untaken branch leaks nothing in any compiled kernel") {
  const std::vector<unit::UntakenCase> cases = unit::untaken_branch_cases();
  std::vector<gradc::Compiled> programs;
  for (const unit::UntakenCase& tc : cases) {
    auto c = gradc_test::compile_text(tc.program);
    REQUIRE_MESSAGE(c, tc.program);
    programs.push_back(std::move(*c));
  }
  std::vector<gradc_test::NamedProgram> batch;
  for (size_t i = 0; i < programs.size(); ++i) batch.push_back({fmt::format("u{}", i), &programs[i]});
  for (const auto& b : gradc_test::build_backends(batch, gradc_test::kCompiledBackends)) {
    REQUIRE_MESSAGE(b->ok(), b->label() << ":\n" << b->log());
    for (size_t i = 0; i < cases.size(); ++i) {
      INFO(b->label(), ": ", cases[i].program, "\nat y = ", cases[i].in[1]);
      Values v = b->call(i, cases[i].in);
      CHECK(v.out[0] == cases[i].value);
      CHECK(v.jac == std::vector<double>{cases[i].d_dx, 0.0});
    }
  }
}

// max and min are IEEE 754-2019's maximumNumber and minimumNumber: a NaN
// operand is ignored and -0 < +0, so every backend returns the same bits
// where fmax/fmin leave the zero's sign open (g++ and clang++ differ there).
// relu is not max(x, 0): a NaN stays NaN, as in PyTorch and JAX.
TEST_CASE("max and min pick the same zero and ignore NaN, relu keeps it, in every backend") {
  auto c = gradc_test::compile_text("input x, y\na = max(x, y)\nb = min(x, y)\nr = 1/max(x, y)\n"
                                    "p = relu(x)\noutput a, b, r, p");
  REQUIRE(c);
  const double nan = std::nan(""), inf = INFINITY;
  const std::vector<std::pair<double, double>> points = {
      {-0.0, 0.0}, {0.0, -0.0}, {-0.0, -0.0}, {0.0, 0.0}, {nan, 1.0}, {1.0, nan},
      {nan, -0.0}, {-0.0, nan}, {2.0, 3.0}, {3.0, 2.0}, {-inf, inf}, {-2.5, -2.5}};
  std::vector<gradc_test::NamedProgram> batch = {{"mm", &*c}};
  for (const auto& b : gradc_test::build_backends(batch, with_interpreter(specs(1)))) {
    REQUIRE_MESSAGE(b->ok(), b->label() << ":\n" << b->log());
    for (auto [x, y] : points) {
      // The expected values by the rule, written out: the larger (smaller)
      // operand; the other one where one is NaN; +0 (-0) of two zeros.
      double hi = std::isnan(x) ? y : std::isnan(y) ? x : x != y ? (x > y ? x : y)
                  : std::signbit(x) ? y : x;
      double lo = std::isnan(x) ? y : std::isnan(y) ? x : x != y ? (x < y ? x : y)
                  : std::signbit(x) ? x : y;
      INFO(b->label(), " at x = ", x, ", y = ", y);
      Values v = b->call(0, {x, y});
      CHECK(gradc_test::same_bits(v.out[0], hi));
      CHECK(gradc_test::same_bits(v.out[1], lo));
      CHECK(gradc_test::same_bits(v.out[2], 1 / hi));
      // relu: +0 for x <= 0 (-0 included), x itself otherwise, NaN too;
      // its derivative is 1 where x > 0, else 0 (NaN: 0, as PyTorch's).
      CHECK(gradc_test::same_bits(v.out[3], x <= 0 ? 0.0 : x));
      REQUIRE(v.jac.size() == 8);
      CHECK(gradc_test::same_bits(v.jac[6], x > 0 ? 1.0 : 0.0));
      CHECK(v.jac[7] == 0.0);
      // SPEC 1: a tie (-0 and +0 are equal) gives each operand half.
      if (x == y) {
        for (size_t e = 0; e < 4; ++e) CHECK(v.jac[e] == 0.5);  // d a, d b / d x, y
      }
    }
  }
}

// The ops generated C++ computes with a helper function (ir/helpers.def)
// have one definition for the interpreter and the C++ backend; the LLVM
// lowering is written apart. Every backend returns scalar_math.h's bits at
// the special values and across the range where the formulas switch.
TEST_CASE("helper ops: every backend returns the reference bits") {
  auto c = gradc_test::compile_text("input x\na = sigmoid(x)\nb = softplus(x)\nc = gelu(x)\n"
                                    "d = sign(x)\ne = leaky_relu(x, 0.1)\noutput a, b, c, d, e");
  REQUIRE(c);
  const double nan = std::nan(""), inf = INFINITY;
  const std::vector<double> points = {nan, -0.0, 0.0, inf, -inf, 1e-300, -1e-300, 0.5, -0.5,
                                      3.0, -3.0, 40.0, -40.0, 800.0, -800.0, 1e300};
  std::vector<gradc_test::NamedProgram> batch = {{"helpers", &*c}};
  for (const auto& b : gradc_test::build_backends(batch, with_interpreter(specs(1)))) {
    REQUIRE_MESSAGE(b->ok(), b->label() << ":\n" << b->log());
    for (double x : points) {
      INFO(b->label(), " at x = ", x);
      Values v = b->call(0, {x});
      CHECK(gradc_test::same_bits(v.out[0], gradc::math::sigmoid(x)));
      CHECK(gradc_test::same_bits(v.out[1], gradc::math::softplus(x)));
      CHECK(gradc_test::same_bits(v.out[2], gradc::math::gelu(x)));
      CHECK(gradc_test::same_bits(v.out[3], gradc::math::sign(x)));
      CHECK(gradc_test::same_bits(v.out[4], gradc::math::leaky_relu(x, 0.1)));
    }
  }
}

TEST_CASE("the harness reports compiler warnings as failures") {
  // An unused variable is a warning under -Wall, so -Werror must fail it.
  gradc_test::KernelSource bad{"bad", "extern \"C\" void bad(const double* in, double* out) {\n"
                                      "  int unused = 0;\n  out[0] = in[0];\n}\n"};
  gradc_test::KernelLibrary lib(GRADC_GXX, {bad});
  CHECK_FALSE(lib.ok());
  CHECK(lib.log().find("unused") != std::string::npos);
}

TEST_CASE("the backend harness refuses a batch with a kernel name used twice") {
  auto c = gradc_test::compile_text("w = x*x");
  REQUIRE(c);
  for (gradc_test::Backend b : gradc_test::kAllBackends) {
    gradc_test::BackendKernels twice(b, {{"same", &*c}, {"same", &*c}});
    CHECK_FALSE(twice.ok());
    CHECK(twice.log().find("'same' used twice") != std::string::npos);
  }
  gradc_test::BackendKernels jit(gradc_test::Backend::Jit, {{"a", &*c}, {"b", &*c}});
  REQUIRE(jit.ok());
  CHECK(jit.call(1, {3.0}).jac == std::vector<double>{6.0});
}

TEST_CASE("the kink rule skips exactly the steps that cross a branch change") {
  auto c = gradc_test::compile_text("w = relu(x) + max(x, y)*3");
  REQUIRE(c);
  // x = 1e-5: the step h = 1e-4 crosses relu's kink at 0.
  CHECK_FALSE(gradc_test::central_difference(*c, {1e-5, -1.0}, 0));
  // y within h of x crosses max's kink.
  CHECK_FALSE(gradc_test::central_difference(*c, {0.5, 0.5 + 5e-5}, 1));
  // Away from kinks: d/dx = 1 + 3 (x wins max), d/dy = 0.
  auto fd = gradc_test::central_difference(*c, {0.5, -1.0}, 0);
  REQUIRE(fd);
  CHECK(fd->d[0] == doctest::Approx(4.0).epsilon(1e-9));
  CHECK(gradc_test::matches_fd(4.0, fd->d[0], fd->scale));
  CHECK_FALSE(gradc_test::matches_fd(4.001, fd->d[0], fd->scale));
}

TEST_CASE("each output's derivatives start from fresh adjoints (hand-derived)") {
  // b's input node is created after u, so a leftover adjoint of b from the
  // first output (v) would show up as du/db.
  auto c = gradc_test::compile_text("u = a*2; v = u*b\noutput v, u");
  REQUIRE(c);
  REQUIRE(c->num_wrt() == 2);  // a, b in order of first use
  Values v = gradc_test::interpret(*c, {1.0, 3.0});
  CHECK(v.jac[0] == 6.0);  // dv/da = 2b
  CHECK(v.jac[1] == 2.0);  // dv/db = u = 2a
  CHECK(v.jac[2] == 2.0);  // du/da = 2
  CHECK(v.jac[3] == 0.0);  // du/db = 0
}

TEST_CASE("array programs: Jacobians against hand-derived formulas") {
  auto find = [](const char* name) {
    for (const Case& k : kCases)
      if (std::string(k.name) == name) return gradc_test::compile_text(k.text);
    FAIL("no case " << name);
    return std::optional<gradc::Compiled>{};
  };
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> u(-2, 2);
  auto draw = [&](size_t n) {
    std::vector<double> x(n);
    for (double& xi : x) xi = u(rng);
    return x;
  };
  SUBCASE("softmax cross-entropy: d/dlogits = softmax*sum(target) - target") {
    auto c = find("softmax_cross_entropy");
    REQUIRE(c);
    std::vector<double> x = draw(8);  // logits[4], target[4]
    Values v = gradc_test::interpret(*c, x);
    REQUIRE(v.out.size() == 6);  // ce, ce2, p[4]
    REQUIRE(c->num_wrt() == 4);
    double z = 0, t = 0;
    for (int i = 0; i < 4; ++i) z += std::exp(x[i]), t += x[4 + i];
    for (int i = 0; i < 4; ++i) {
      double p = std::exp(x[i]) / z, want = p * t - x[4 + i];
      CHECK(v.out[2 + i] == doctest::Approx(p).epsilon(1e-12));
      CHECK(v.jac[i] == doctest::Approx(want).epsilon(1e-10));      // dce/dlogits[i]
      CHECK(v.jac[4 + i] == doctest::Approx(want).epsilon(1e-10));  // dce2/dlogits[i]
      for (int j = 0; j < 4; ++j)  // dp_i/dlogits_j = p_i*(delta_ij - p_j)
        CHECK(v.jac[(2 + i) * 4 + j] ==
              doctest::Approx(p * ((i == j) - std::exp(x[j]) / z)).epsilon(1e-10));
    }
  }
  SUBCASE("2-layer MLP: backpropagation written out by hand") {
    auto c = find("mlp_2layer_loss");
    REQUIRE(c);
    std::vector<double> in = draw(3 + 12 + 4 + 8 + 2 + 2);
    const double *x = &in[0], *W1 = &in[3], *b1 = &in[15], *W2 = &in[19], *b2 = &in[27],
                 *y = &in[29];
    double h[4], o[2], dh[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
      h[i] = b1[i];
      for (int j = 0; j < 3; ++j) h[i] += W1[i * 3 + j] * x[j];
      h[i] = std::tanh(h[i]);
    }
    std::vector<double> want;  // dloss/dW1 (12), db1 (4), dW2 (8), db2 (2)
    double loss = 0, d_o[2];
    for (int i = 0; i < 2; ++i) {
      o[i] = b2[i];
      for (int j = 0; j < 4; ++j) o[i] += W2[i * 4 + j] * h[j];
      loss += (o[i] - y[i]) * (o[i] - y[i]) / 2;
      d_o[i] = o[i] - y[i];  // d mean(e^2)/d o_i = 2*e_i/2
      for (int j = 0; j < 4; ++j) dh[j] += d_o[i] * W2[i * 4 + j];
    }
    double dz[4];
    for (int j = 0; j < 4; ++j) dz[j] = dh[j] * (1 - h[j] * h[j]);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j) want.push_back(dz[i] * x[j]);
    for (int i = 0; i < 4; ++i) want.push_back(dz[i]);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 4; ++j) want.push_back(d_o[i] * h[j]);
    for (int i = 0; i < 2; ++i) want.push_back(d_o[i]);
    Values v = gradc_test::interpret(*c, in);
    REQUIRE(v.out.size() == 1);
    CHECK(v.out[0] == doctest::Approx(loss).epsilon(1e-12));
    REQUIRE(v.jac.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i)
      CHECK_MESSAGE(v.jac[i] == doctest::Approx(want[i]).epsilon(1e-10), gradc::derivative_entry_names(*c)[i]);
  }
  SUBCASE("a vector function's 4x3 Jacobian") {
    auto c = find("vector_function_jacobian");
    REQUIRE(c);
    std::vector<double> x = draw(3);
    double e = std::exp(0.5 * x[1]);
    double want[12] = {x[1], x[0], 0,  1, 0, std::cos(x[2]),
                       0,    0.5 * e * x[2], e, 2 * x[0], 0, -1};
    Values v = gradc_test::interpret(*c, x);
    REQUIRE(v.jac.size() == 12);
    for (int i = 0; i < 12; ++i)
      CHECK_MESSAGE(v.jac[i] == doctest::Approx(want[i]).epsilon(1e-12), gradc::derivative_entry_names(*c)[i]);
  }
}
