// test_emit_cpp.cpp - the C++ backend: the two extern "C" kernels of SPEC 3,
// the header's sizes and names, each distinct subexpression computed once,
// C++-keyword names renamed, and the source compiling warning-free with g++.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "emit/emit_cpp.h"
#include "unit_support.h"

using namespace gradc;

namespace {

struct Bodies {
  std::string forward, grad;
};

// The text of NAME's body and of NAME_grad's body.
Bodies bodies(const std::string& src, const std::string& name) {
  size_t f = src.find("extern \"C\" void " + name + "(");
  size_t g = src.find("extern \"C\" void " + name + "_grad(");
  REQUIRE(f != std::string::npos);
  REQUIRE(g != std::string::npos);
  REQUIRE(f < g);
  return {src.substr(f, g - f), src.substr(g)};
}

// Right-hand sides of the `const double NAME = RHS;` statements.
std::vector<std::string> statements(const std::string& body) {
  std::vector<std::string> rhs;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    const std::string lead = "  const double ";
    if (!line.starts_with(lead)) continue;
    size_t eq = line.find(" = ");
    REQUIRE(eq != std::string::npos);
    rhs.push_back(line.substr(eq + 3));
  }
  return rhs;
}

}  // namespace

TEST_CASE("the source defines NAME and NAME_grad with the SPEC 3 signatures") {
  Compiled c = unit::compile_ok("input x, y, z\nw = x*y + z\nv = sin(w)\noutput w, v\nwrt x, z");
  CppFiles files = emit_cpp(c, "mykern", "m.expr");
  CHECK(files.source.find("extern \"C\" void mykern(const double* in, double* out) {") !=
        std::string::npos);
  CHECK(files.source.find("extern \"C\" void mykern_grad(const double* in, double* out, double* jac) {") !=
        std::string::npos);
  CHECK(files.source.find("#include <cmath>") != std::string::npos);
  Bodies b = bodies(files.source, "mykern");
  CHECK(b.forward.find("const double x = in[0];") != std::string::npos);
  CHECK(b.forward.find("const double z = in[2];") != std::string::npos);
  CHECK(b.forward.find("out[0] = ") != std::string::npos);
  CHECK(b.forward.find("out[1] = ") != std::string::npos);
  CHECK(b.forward.find("jac[") == std::string::npos);
  for (int i = 0; i < 4; ++i) CHECK(b.grad.find(fmt::format("jac[{}] = ", i)) != std::string::npos);
  CHECK(b.grad.find("jac[4]") == std::string::npos);
}

TEST_CASE("the header declares the kernels and gives sizes and names in ABI order") {
  Compiled c = unit::compile_ok("input x, y, z\nw = x*y + z\nv = sin(w)\noutput w, v\nwrt z, x");
  std::string h = emit_cpp(c, "mykern", "m.expr").header;
  CHECK(h.find("void mykern(const double* in, double* out);") != std::string::npos);
  CHECK(h.find("void mykern_grad(const double* in, double* out, double* jac);") != std::string::npos);
  CHECK(h.find("extern \"C\"") != std::string::npos);
  CHECK(h.find("namespace mykern_info") != std::string::npos);
  CHECK(h.find("num_inputs = 3;") != std::string::npos);
  CHECK(h.find("num_outputs = 2;") != std::string::npos);
  CHECK(h.find("num_wrt = 2;") != std::string::npos);
  CHECK(h.find("input_names[] = {\"x\", \"y\", \"z\"};") != std::string::npos);
  CHECK(h.find("output_names[] = {\"w\", \"v\"};") != std::string::npos);
  CHECK(h.find("wrt_names[] = {\"x\", \"z\"};") != std::string::npos);
  CHECK(h.find("#ifndef GRADC_mykern_HPP") != std::string::npos);
  CHECK(h.find("#endif") != std::string::npos);
}

TEST_CASE("each distinct subexpression is computed once per kernel") {
  Compiled c = unit::compile_ok("w = sin(x*y) + cos(x*y)*exp(x*y)");
  std::string src = emit_cpp(c, "k", "k.expr").source;
  Bodies b = bodies(src, "k");
  CHECK(unit::count_of(b.forward, "x * y") == 1);
  CHECK(unit::count_of(b.grad, "x * y") == 1);
  // sin, cos and exp are each needed by the value and by the derivative.
  CHECK(unit::count_of(b.grad, "std::sin(") == 1);
  CHECK(unit::count_of(b.grad, "std::cos(") == 1);
  CHECK(unit::count_of(b.grad, "std::exp(") == 1);
  for (const char* prog : {"w = sin(x*y) + cos(x*y)*exp(x*y)",
                           "a = x*y + z; b = a*(x+x); w = a*b + b",
                           "input x, w, b, y\np = sigmoid(w*x + b)\nloss = -(y*log(p) + (1 - y)*log(1 - p))",
                           "u = exp(x)*exp(x) + exp(x)/y; v = u*u; output u, v"}) {
    Compiled k = unit::compile_ok(prog);
    Bodies kb = bodies(emit_cpp(k, "f", "f.expr").source, "f");
    for (const std::string* body : {&kb.forward, &kb.grad}) {
      std::vector<std::string> rhs = statements(*body);
      std::set<std::string> distinct(rhs.begin(), rhs.end());
      INFO(std::string(prog), "\n", *body);
      CHECK(distinct.size() == rhs.size());
    }
  }
}

TEST_CASE("names that are C++ keywords or kernel parameters get a trailing _") {
  Compiled c = unit::compile_ok("input int, in, jac\nout = int*in + jac\ndouble = out*2\noutput out, double");
  std::string src = emit_cpp(c, "k", "k.expr").source;
  CHECK(src.find("const double int_ = in[0];") != std::string::npos);
  CHECK(src.find("const double in_ = in[1];") != std::string::npos);
  CHECK(src.find("const double jac_ = in[2];") != std::string::npos);
  CHECK(src.find("const double out_ = ") != std::string::npos);
  CHECK(src.find("const double double_ = ") != std::string::npos);
  // The header keeps the program's own names.
  std::string h = emit_cpp(c, "k", "k.expr").header;
  CHECK(h.find("input_names[] = {\"int\", \"in\", \"jac\"};") != std::string::npos);
}

TEST_CASE("helpers are emitted only when used; empty inputs and Jacobians are handled") {
  Compiled plain = unit::compile_ok("w = x*y");
  CHECK(emit_cpp(plain, "k", "k.expr").source.find("gradc_") == std::string::npos);
  Compiled sig = unit::compile_ok("w = sigmoid(x) + relu(x)");
  std::string s = emit_cpp(sig, "k", "k.expr").source;
  CHECK(s.find("static inline double gradc_sigmoid(double x)") != std::string::npos);
  CHECK(s.find("static inline double gradc_relu(double x)") != std::string::npos);
  CHECK(s.find("gradc_softplus") == std::string::npos);
  Compiled none = unit::compile_ok("w = 2");
  CppFiles f = emit_cpp(none, "k", "k.expr");
  CHECK(f.source.find("(void)in;") != std::string::npos);
  CHECK(f.source.find("(void)jac;") != std::string::npos);
  CHECK(f.source.find("out[0] = 2.0;") != std::string::npos);
  CHECK(f.header.find("num_inputs = 0;") != std::string::npos);
}

TEST_CASE("the generated C++ compiles with g++ -std=c++17 -Wall -Wextra -pedantic -Werror, "
          "also several programs' files in one translation unit") {
  namespace fs = std::filesystem;
  const char* programs[] = {
      "input int, in, x\nout = sigmoid(int*x) + softplus(in) + gelu(x) + sign(x) + relu(in) "
      "+ leaky_relu(x, 0.1)\ndouble = x > 0 && in < 1 || !int ? max(x, in) : min(x, in)^2.5\n"
      "output out, double",
      "w = 2",
      "input x, y\nw = x*y",  // compiled with an empty wrt list: no Jacobian
      // Names that would collide once keywords get their trailing _.
      "input int, int_, in, in_\nout = int*int_ + in - in_\nout_ = out*2\noutput out, out_",
      "input x\nw = sigmoid(x) + relu(x) + softplus(-x)",  // the helpers of the first again
  };
  fs::path dir = fs::temp_directory_path() / fmt::format("gradc_unit_emit_{}", ::getpid());
  fs::create_directories(dir);
  int index = 0;
  for (const char* prog : programs) {
    CompileOptions opts;
    if (index == 2) opts.wrt = std::vector<std::string>{};
    Compiled c = unit::compile_ok(prog, opts);
    CppFiles f = emit_cpp(c, fmt::format("kern{}", index), "k.expr");
    fs::path src = dir / fmt::format("k{}.cpp", index), hdr = dir / fmt::format("k{}.hpp", index);
    ++index;
    std::ofstream(src) << f.source;
    std::ofstream(hdr) << f.header;
    for (const fs::path& file : {src, hdr}) {
      std::string cmd = fmt::format("{} -std=c++17 -Wall -Wextra -pedantic -Werror -fsyntax-only "
                                    "-x c++ {} 2>&1",
                                    GRADC_GXX, file.string());
      INFO(std::string(prog), "\n", cmd);
      CHECK(std::system(cmd.c_str()) == 0);
    }
  }
  // A unity build: every file included in one translation unit (each helper
  // such as gradc_relu is defined once).
  std::ofstream unity(dir / "unity.cpp");
  for (int i = 0; i < index; ++i) unity << fmt::format("#include \"k{}.cpp\"\n", i);
  unity.close();
  std::string cmd = fmt::format("{} -std=c++17 -Wall -Wextra -pedantic -Wmissing-declarations -Werror -fsyntax-only {} 2>&1",
                                GRADC_GXX, (dir / "unity.cpp").string());
  INFO(cmd);
  CHECK(std::system(cmd.c_str()) == 0);
  fs::remove_all(dir);
}

TEST_CASE("kernels whose names differ only in case get different header guards") {
  Compiled c = unit::compile_ok("w = x*y");
  std::string lower = cpp_header(c, "k", "k.expr"), upper = cpp_header(c, "K", "K.expr");
  CHECK(lower.find("#ifndef GRADC_k_HPP") != std::string::npos);
  CHECK(upper.find("#ifndef GRADC_K_HPP") != std::string::npos);
}
