// jit_app - value and gradient of a formula typed on the command line,
// compiled in-process by the gradc runtime (LLVM JIT):
//
//   $ jit_app 'x*y + sin(x)' x=1 y=2
//   f = 2.8414709848078967
//   df/dx = 2.5403023058681398
//   df/dy = 1
//
// FORMULA is an expression (named f), or a whole gradc program when it
// contains an assignment (`a = x*y; w = a*a`) or an `output` statement.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <regex>
#include <string>

#include "gradc_runtime.h"

namespace {

int usage() {
  std::cerr << "usage: jit_app [--check] FORMULA NAME=VALUE...\n"
               "  e.g. jit_app 'x*y + sin(x)' x=1 y=2\n";
  return 2;
}

// An expression becomes the program `f = EXPR`; a program stays as it is.
std::string as_program(const std::string& formula) {
  static const std::regex assignment(R"((^|[;\n])\s*[A-Za-z_]\w*\s*=[^=])");
  static const std::regex output(R"((^|[;\n])\s*output\b)");
  if (std::regex_search(formula, assignment) || std::regex_search(formula, output))
    return formula;
  return "f = " + formula + "\n";
}

}  // namespace

int main(int argc, char** argv) {
  bool check = argc > 1 && std::strcmp(argv[1], "--check") == 0;
  int first = check ? 2 : 1;
  if (argc <= first) return usage();
  std::map<std::string, double> given;
  for (int i = first + 1; i < argc; ++i) {
    const char* eq = std::strchr(argv[i], '=');
    if (!eq) return usage();
    char* end = nullptr;
    double v = std::strtod(eq + 1, &end);
    if (end == eq + 1 || *end) {
      std::cerr << "jit_app: '" << (eq + 1) << "' is not a number\n";
      return 2;
    }
    given[std::string(argv[i], size_t(eq - argv[i]))] = v;
  }

  gradc::JitOptions opts;
  opts.file_name = "<command line>";
  gradc::Kernel k = [&] {
    try {
      return gradc::jit_compile(as_program(argv[first]), opts);
    } catch (const gradc::CompileError& e) {
      std::cerr << e.what();
      std::exit(1);
    }
  }();

  std::vector<double> in;
  for (const std::string& name : k.input_names()) {
    auto it = given.find(name);
    if (it == given.end()) {
      std::cerr << "jit_app: no value for input '" << name << "' (give " << name << "=VALUE)\n";
      return 1;
    }
    in.push_back(it->second);
    given.erase(it);
  }
  if (!given.empty()) {
    std::cerr << "jit_app: '" << given.begin()->first << "' is not an input of the formula\n";
    return 1;
  }

  gradc::Kernel::Result r = k.grad(in);
  for (size_t i = 0; i < k.num_outputs(); ++i) {
    std::printf("%s = %.17g\n", k.output_names()[i].c_str(), r.out[i]);
    for (size_t j = 0; j < k.num_wrt(); ++j)
      std::printf("d%s/d%s = %.17g\n", k.output_names()[i].c_str(), k.wrt_names()[j].c_str(),
                  r.jac[i * k.num_wrt() + j]);
  }
  if (check) {
    gradc::CheckResult c = gradc::check_kernel(k);
    std::printf("check: %s\n", c.message.c_str());
    return c.ok ? 0 : 1;
  }
  return 0;
}
