// test_runtime.cpp - the runtime API (runtime/gradc_runtime.h): jit_compile
// and jit_compile_file, names, sizes and variables of a Kernel, eval/grad on
// vectors and through the raw ABI, CompileError text as the gradc command
// prints it, std::invalid_argument for bad sizes and options, check_kernel
// and check_gradient on right and wrong functions, copies outliving the
// original, and one kernel called from several threads at once.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <thread>

#include "build_config.h"  // kGradcBinary
#include "comma_locale.h"
#include "gradc_runtime.h"
#include "kernel_harness.h"

namespace {

// d/dx x^2 is 2x; this "gradient" says x: check_gradient must reject it.
void wrong_square(const double* in, double* out, double* jac) {
  out[0] = in[0] * in[0];
  jac[0] = in[0];
}

void right_square(const double* in, double* out, double* jac) {
  out[0] = in[0] * in[0];
  jac[0] = 2 * in[0];
}

// What the gradc command prints on stderr for `file` (which has errors).
std::string command_errors(const std::string& file) {
  gradc_test::TempDir dir("runtime-cli");
  REQUIRE(dir.ok());
  gradc_test::CommandResult r = gradc_test::run_command(
      fmt::format("{} {} -o - 2>&1 >/dev/null", gradc_test::kGradcBinary, file), dir.file("log"));
  CHECK(r.status != 0);
  return r.printed;
}

}  // namespace

TEST_CASE("jit_compile: names, sizes, eval and grad of a scalar program") {
  gradc::Kernel k = gradc::jit_compile("output w\nw = x*y + sin(x)");
  CHECK(k.num_inputs() == 2);
  CHECK(k.num_outputs() == 1);
  CHECK(k.num_wrt() == 2);
  CHECK(k.input_names() == std::vector<std::string>{"x", "y"});
  CHECK(k.output_names() == std::vector<std::string>{"w"});
  CHECK(k.wrt_names() == std::vector<std::string>{"x", "y"});
  CHECK(k.wrt_inputs() == std::vector<size_t>{0, 1});
  REQUIRE(k.input_variables().size() == 2);
  CHECK(k.input_variables()[1].name == "y");
  CHECK(k.input_variables()[1].shape.empty());
  CHECK(k.input_variables()[1].offset == 1);
  CHECK(k.input_variables()[1].size == 1);

  const double x = 0.7, y = -1.3;
  std::vector<double> out = k.eval({x, y});
  REQUIRE(out.size() == 1);
  CHECK(out[0] == doctest::Approx(x * y + std::sin(x)).epsilon(1e-15));
  gradc::Kernel::Result r = k.grad({x, y});
  REQUIRE(r.out.size() == 1);
  REQUIRE(r.jac.size() == 2);
  CHECK(r.out[0] == out[0]);
  CHECK(r.jac[0] == doctest::Approx(y + std::cos(x)).epsilon(1e-15));
  CHECK(r.jac[1] == doctest::Approx(x).epsilon(1e-15));

  // The raw ABI (SPEC 3) gives the same numbers.
  double in[2] = {x, y}, o[1] = {0}, jac[2] = {0, 0};
  k.grad_function()(in, o, jac);
  CHECK(o[0] == r.out[0]);
  CHECK(jac[0] == r.jac[0]);
  CHECK(jac[1] == r.jac[1]);
  o[0] = 0;
  k.forward_function()(in, o);
  CHECK(o[0] == out[0]);
  k.eval(in, o);
  CHECK(o[0] == out[0]);
}

TEST_CASE("jit_compile reads numbers with '.' in an app whose locale is de_DE (',')") {
  unit::CommaLocale comma;
  gradc::Kernel k = gradc::jit_compile("w = 2.5*x + 0.5");
  gradc::Kernel::Result r = k.grad({2.0});
  CHECK(r.out[0] == 5.5);
  CHECK(r.jac[0] == 2.5);
  // A constant that LLVM prints as a decimal only where it reads back exactly.
  gradc::Kernel tenth = gradc::jit_compile("w = 0.1*x");
  CHECK(tenth.eval({3.0})[0] == 0.1 * 3.0);
}

TEST_CASE("jit_compile: array variables, wrt and the options") {
  const char* src = "input W[2,3], b[2], s\ny = W @ [1, 2, 3]*s + b\nL = sum(y*y)\n"
                    "output y, L\nwrt W, s";
  gradc::Kernel k = gradc::jit_compile(src);
  CHECK(k.num_inputs() == 9);
  CHECK(k.num_outputs() == 3);
  CHECK(k.num_wrt() == 7);
  CHECK(k.input_names().front() == "W[0,0]");
  CHECK(k.input_names()[5] == "W[1,2]");
  CHECK(k.input_names()[6] == "b[0]");
  CHECK(k.output_names() == std::vector<std::string>{"y[0]", "y[1]", "L"});
  CHECK(k.wrt_inputs() == std::vector<size_t>{0, 1, 2, 3, 4, 5, 8});
  REQUIRE(k.input_variables().size() == 3);
  CHECK(k.input_variables()[0].shape == std::vector<size_t>{2, 3});
  CHECK(k.input_variables()[0].size == 6);
  CHECK(k.input_variables()[1].offset == 6);
  CHECK(k.input_variables()[2].offset == 8);
  REQUIRE(k.output_variables().size() == 2);
  CHECK(k.output_variables()[0].shape == std::vector<size_t>{2});
  CHECK(k.output_variables()[1].offset == 2);

  // y_i = s*(W_i0 + 2 W_i1 + 3 W_i2) + b_i; L = sum y_i^2.
  std::vector<double> in = {1, 2, 3, 4, 5, 6, 0.5, -0.5, 2};
  gradc::Kernel::Result r = k.grad(in);
  double y0 = 2 * (1 + 4 + 9) + 0.5, y1 = 2 * (4 + 10 + 18) - 0.5;
  CHECK(r.out == std::vector<double>{y0, y1, y0 * y0 + y1 * y1});
  CHECK(r.jac[1] == 2 * 2);            // dy0/dW[0,1] = 2s
  CHECK(r.jac[6] == 1 + 4 + 9);        // dy0/ds
  CHECK(r.jac[7 + 0] == 0);            // dy1/dW[0,0] = 0
  CHECK(r.jac[7 + 3] == 2);            // dy1/dW[1,0] = s
  CHECK(r.jac[14 + 6] == 2 * y0 * 14 + 2 * y1 * 32);  // dL/ds

  gradc::JitOptions opts;
  opts.wrt = {"b"};  // as --wrt: overrides the program's wrt
  gradc::Kernel kb = gradc::jit_compile(src, opts);
  CHECK(kb.wrt_names() == std::vector<std::string>{"b[0]", "b[1]"});
  CHECK(kb.wrt_inputs() == std::vector<size_t>{6, 7});
  CHECK(kb.grad(in).jac == std::vector<double>{1, 0, 0, 1, 2 * y0, 2 * y1});

  for (int level : {0, 1, 3}) {  // every level computes the same values
    opts = {};
    opts.opt_level = level;
    CHECK(gradc::jit_compile(src, opts).grad(in).jac == r.jac);
  }
  opts = {};
  opts.fast_math = true;
  gradc::Kernel::Result fast = gradc::jit_compile(src, opts).grad(in);
  for (size_t i = 0; i < r.jac.size(); ++i)
    CHECK(gradc_test::close(fast.jac[i], r.jac[i], 1e-12, 1e-12));
}

TEST_CASE("a program with errors throws CompileError with every diagnostic, as gradc prints them") {
  const std::string text = "a = x*y +\nb = a * q)\nw = b + undefined_fn(a)\n";
  gradc::JitOptions opts;
  opts.file_name = "model.expr";
  std::string what;
  try {
    gradc::jit_compile(text, opts);
    FAIL("no CompileError");
  } catch (const gradc::CompileError& e) {
    what = e.what();
  }
  CHECK(what.find("model.expr:1:10: error: expected an expression") != std::string::npos);
  CHECK(what.find("\na = x*y +\n         ^\n") != std::string::npos);  // the line and a caret
  CHECK(what.find("model.expr:2:10: error: extra ')'") != std::string::npos);
  CHECK(what.find("model.expr:3:9: error: unknown function 'undefined_fn'") != std::string::npos);
  CHECK(what.find("\nw = b + undefined_fn(a)\n        ^\n") != std::string::npos);

  // jit_compile_file names the file, and its message is the gradc command's.
  gradc_test::TempDir dir("runtime");
  REQUIRE(dir.ok());
  const std::string path = dir.file("model.expr");
  REQUIRE(gradc_test::write_file(path, text));
  try {
    gradc::jit_compile_file(path);
    FAIL("no CompileError");
  } catch (const gradc::CompileError& e) {
    CHECK(std::string(e.what()) == command_errors(path));
    CHECK(std::string(e.what()).find(path + ":3:9: error: ") != std::string::npos);
  }
  // The default file name, and an undeclared name.
  CHECK_THROWS_WITH_AS(gradc::jit_compile("input x\nw = x*y\n"),
                       "<input>:2:7: error: use of undeclared name 'y'\nw = x*y\n      ^\n",
                       gradc::CompileError);
  // A file that cannot be read, a directory and an empty file: the
  // CompileError says what the command says (not "cannot open" for all).
  const std::string empty = dir.file("empty.expr"), folder = dir.file("folder.expr");
  REQUIRE(gradc_test::write_file(empty, ""));
  REQUIRE(std::filesystem::create_directory(folder));
  for (const std::string& bad : {dir.file("missing.expr"), folder, empty}) {
    CAPTURE(bad);
    try {
      gradc::jit_compile_file(bad);
      FAIL("no CompileError");
    } catch (const gradc::CompileError& e) {
      CHECK(std::string(e.what()) == command_errors(bad));
    }
  }
  CHECK(command_errors(folder).find("is a directory") != std::string::npos);
  CHECK(command_errors(empty).find("empty.expr:1:1: error: ") != std::string::npos);
  // A wrt naming no input is the program's error, in the API's words.
  opts = {};
  opts.wrt = {"alpah"};
  try {
    gradc::jit_compile("input alpha, y\nw = alpha*y", opts);
    FAIL("no CompileError");
  } catch (const gradc::CompileError& e) {
    const std::string what = e.what();
    CHECK_MESSAGE(what.find("JitOptions::wrt names 'alpah', which is neither an input nor a "
                            "value of the program; did you mean 'alpha'?") != std::string::npos,
                  what);
  }
}

TEST_CASE("wrong sizes and options throw std::invalid_argument") {
  gradc::Kernel k = gradc::jit_compile("w = x*y + z");
  CHECK_THROWS_AS(k.eval(std::vector<double>{1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(k.eval(std::vector<double>{1, 2, 3, 4}), std::invalid_argument);
  CHECK_THROWS_AS(k.grad(std::vector<double>{}), std::invalid_argument);
  CHECK_THROWS_AS(k.grad(std::vector<double>(4, 1.0)), std::invalid_argument);
  CHECK_NOTHROW(k.grad(std::vector<double>{1, 2, 3}));
  for (int level : {-1, 4}) {
    gradc::JitOptions opts;
    opts.opt_level = level;
    CHECK_THROWS_AS(gradc::jit_compile("w = x", opts), std::invalid_argument);
  }
  // JitOptions::kernels follows --kernels' rule (gradc::select_kernels):
  // unknown, empty or repeated names and "batch" alone are refused.
  const std::vector<std::vector<std::string>> bad_lists = {
      {"batch"}, {"f", "f"}, {"grad", ""}, {"f", "hessian"}, {}};
  for (const std::vector<std::string>& kernels : bad_lists) {
    gradc::JitOptions opts;
    opts.kernels = kernels;
    INFO(fmt::format("kernels = [{}]", fmt::join(kernels, ", ")));
    CHECK_THROWS_AS(gradc::jit_compile("w = x", opts), std::invalid_argument);
  }
  gradc::JitOptions batch;
  batch.kernels = {"grad", "batch"};
  CHECK_NOTHROW(gradc::jit_compile("w = x", batch));
}

TEST_CASE("jit_compile_file compiles an example the way gradc does") {
  gradc::Kernel k = gradc::jit_compile_file(std::string(GRADC_EXAMPLES_DIR) + "/card.expr");
  CHECK(k.input_names() == std::vector<std::string>{"x", "y", "z"});
  CHECK(k.output_names() == std::vector<std::string>{"w"});
  // README: x=1, y=2, z=3 gives w = 60 and dw/d(x, y, z) = 104, 22, 22.
  gradc::Kernel::Result r = k.grad({1, 2, 3});
  CHECK(r.out == std::vector<double>{60});
  CHECK(r.jac == std::vector<double>{104, 22, 22});
}

TEST_CASE("check_kernel passes a JIT kernel; check_gradient fails a wrong gradient") {
  gradc::Kernel k = gradc::jit_compile("input x, y\nw = exp(0.5*x)*sin(y) + x*y*y\nv = tanh(x - y)\n"
                                       "output w, v");
  gradc::CheckResult ok = gradc::check_kernel(k);
  CHECK_MESSAGE(ok.ok, ok.message);
  CHECK(ok.message.find("4 derivatives checked") != std::string::npos);
  gradc::CheckOptions many;
  many.points = 50;
  many.seed = 7;
  CHECK(gradc::check_kernel(k, many).ok);

  gradc::CheckShape shape;
  shape.inputs = {"x"};
  shape.outputs = {"f"};
  shape.wrt = {0};
  gradc::CheckResult right = gradc::check_gradient(&right_square, shape);
  CHECK_MESSAGE(right.ok, right.message);
  gradc::CheckResult wrong = gradc::check_gradient(&wrong_square, shape);
  CHECK_FALSE(wrong.ok);
  CHECK_MESSAGE(wrong.message.find("d f / d x = ") != std::string::npos, wrong.message);
  CHECK(wrong.message.find("central differences give") != std::string::npos);

  // Options that would let the wrong gradient through are refused: a NaN
  // tolerance makes every comparison false, a negative one or no points
  // compare nothing.
  for (auto set : std::initializer_list<void (*)(gradc::CheckOptions&)>{
           [](gradc::CheckOptions& o) { o.atol = std::nan(""); },
           [](gradc::CheckOptions& o) { o.rtol = std::nan(""); },
           [](gradc::CheckOptions& o) { o.atol = -1; },
           [](gradc::CheckOptions& o) { o.rtol = -1e-3; },
           [](gradc::CheckOptions& o) { o.rtol = INFINITY; },
           [](gradc::CheckOptions& o) { o.points = 0; },
           [](gradc::CheckOptions& o) { o.points = -3; }}) {
    gradc::CheckOptions bad;
    set(bad);
    CHECK_THROWS_AS(gradc::check_gradient(&wrong_square, shape, bad), std::invalid_argument);
    CHECK_THROWS_AS(gradc::check_kernel(k, bad), std::invalid_argument);
  }
}

TEST_CASE("a moved-from Kernel throws std::logic_error instead of crashing") {
  gradc::Kernel a = gradc::jit_compile("w = x*x");
  gradc::Kernel b = std::move(a);
  CHECK(b.grad({3.0}).jac[0] == 6.0);
  CHECK_THROWS_AS(a.num_inputs(), std::logic_error);  // NOLINT(bugprone-use-after-move)
  CHECK_THROWS_AS(a.grad({3.0}), std::logic_error);
  CHECK_THROWS_AS(a.grad_function(), std::logic_error);
  CHECK_THROWS_AS(gradc::Kernel(nullptr).eval({1.0}), std::logic_error);
}

TEST_CASE("a Kernel copy works after the original is gone") {
  std::optional<gradc::Kernel> original = gradc::jit_compile("w = sqrt(x*x + 1)");
  gradc::Kernel copy = *original;
  gradc::Kernel assigned = gradc::jit_compile("w = 0*x");
  assigned = *original;
  gradc_grad_fn raw = original->grad_function();
  original.reset();  // the copies share the compiled code
  CHECK(copy.eval({2.0})[0] == doctest::Approx(std::sqrt(5.0)).epsilon(1e-15));
  CHECK(assigned.grad({2.0}).jac[0] == doctest::Approx(2 / std::sqrt(5.0)).epsilon(1e-15));
  CHECK((copy.grad_function() == raw));
  double in = 3, out = 0, jac = 0;
  raw(&in, &out, &jac);  // still loaded while a copy lives
  CHECK(out == doctest::Approx(std::sqrt(10.0)).epsilon(1e-15));
}

TEST_CASE("one kernel called from several threads at once gives the single-threaded results") {
  gradc::Kernel k = gradc::jit_compile(
      "input x, y\na = sin(x)*y + exp(0.1*x*y)\nw = a*a + tanh(a - y)\nv = max(a, y)*x\n"
      "output w, v");
  const int kThreads = 4, kCalls = 2000;
  auto input = [](int t, int i) {
    return std::vector<double>{-2 + 4.0 * i / kCalls, 0.3 * t - 1};
  };
  std::vector<std::vector<gradc::Kernel::Result>> want(kThreads), got(kThreads);
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kCalls; ++i) want[t].push_back(k.grad(input(t, i)));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      gradc::Kernel mine = k;  // copies are cheap and share the code
      for (int i = 0; i < kCalls; ++i) got[t].push_back((i % 2 ? mine : k).grad(input(t, i)));
    });
  for (std::thread& th : threads) th.join();
  int mismatches = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kCalls; ++i)
      mismatches += got[t][i].out != want[t][i].out || got[t][i].jac != want[t][i].jac;
  CHECK(mismatches == 0);
}

TEST_CASE("jit_compile with kernels jvp and vjp: J v and u^T J in one call each") {
  gradc::JitOptions opts;
  opts.kernels = {"f", "grad", "jvp", "vjp"};
  gradc::Kernel k = gradc::jit_compile("input x, y\nu = x*y\nv = sin(x) + y*y\noutput u, v", opts);
  std::vector<double> in{0.5, 2.0};
  gradc::Kernel::Result full = k.grad(in);  // [[y, x], [cos x, 2y]]
  gradc::Kernel::ProductResult jv = k.jvp(in, {1.0, -3.0});
  CHECK(jv.out == full.out);
  CHECK(jv.product[0] == doctest::Approx(full.jac[0] - 3 * full.jac[1]).epsilon(1e-15));
  CHECK(jv.product[1] == doctest::Approx(full.jac[2] - 3 * full.jac[3]).epsilon(1e-15));
  gradc::Kernel::ProductResult uj = k.vjp(in, {2.0, 0.5});
  CHECK(uj.product[0] == doctest::Approx(2 * full.jac[0] + 0.5 * full.jac[2]).epsilon(1e-15));
  CHECK(uj.product[1] == doctest::Approx(2 * full.jac[1] + 0.5 * full.jac[3]).epsilon(1e-15));
  CHECK_THROWS_AS(k.jvp(in, {1.0}), std::invalid_argument);
  CHECK_THROWS_AS(k.vjp(in, {1.0, 2.0, 3.0}), std::invalid_argument);
}

TEST_CASE("a product kernel that was not compiled is a clear error, an unknown one too") {
  gradc::Kernel k = gradc::jit_compile("w = x*y");
  bool compiled = k.jvp_function() != nullptr;
  CHECK_FALSE(compiled);
  CHECK_THROWS_WITH_AS(k.jvp({1.0, 2.0}, {1.0, 0.0}),
                       doctest::Contains("add \"jvp\" to JitOptions::kernels"), std::logic_error);
  gradc::JitOptions opts;
  opts.kernels = {"hessian"};
  CHECK_THROWS_AS(gradc::jit_compile("w = x", opts), std::invalid_argument);
}
