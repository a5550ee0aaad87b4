// main.cpp - command-line parsing only; the work is in driver.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <new>

#include "driver/driver.h"
#include "support/version.h"

namespace {

constexpr const char* kHelp = R"(gradc - symbolic differentiation compiler

Usage: gradc FILE.expr [options]          (FILE may be - for standard input)

Actions (combine freely; at least one):
  -o FILE              write kernels; the format follows the extension:
                         .cpp .cc .cxx   C++ source
                         .ll             LLVM IR text
                         .bc             LLVM bitcode
                         .o              native object (no C++ compiler needed)
                         .hpp .h         the header only
                       every code output gets its header beside it (FILE.hpp);
                       -o - writes to standard output (no header)
  --print[=FORMAT]     print the program and its derivatives: text (default,
                       a valid gradc program), latex, or dot (Graphviz)
  --eval=INPUTS        evaluate; print outputs and derivatives as JSON.
                       INPUTS is x=1,v=[1,2],W=[[1,2],[3,4]] or @inputs.json
  --check              compare derivatives with central differences at
                       random points; exit status 1 on a mismatch
                       (--eval and --check run the kernels through the LLVM
                       JIT, compiled at the -O level given)

Options:
  --emit=FORMAT        output format, overriding the extension: cpp, hpp,
                       llvm, bc or obj
  --name=NAME          base name of the kernels NAME and NAME_grad
                       (default: the file's stem as an identifier)
  --wrt=a,b            differentiate with respect to these inputs only
  --check-points=N     random points for --check (default 5)
  --seed=N             seed for --check's points (default 1)
  --mode=auto|reverse  how Jacobians are accumulated (reverse mode)
  -O0 -O1 -O2 -O3      LLVM optimization level for .ll .bc .o and the JIT
                       (default -O2; C++ output is the same at every level)
  --fast-math          let LLVM reassociate and assume no NaN/inf (LLVM
                       outputs and the JIT): faster, but results change
  --target=TRIPLE      target of .ll .bc .o output (default: this machine),
                       e.g. aarch64-linux-gnu
  --interp             run --eval and --check with the reference interpreter
                       instead of the JIT
  --stats, -v          time of each pass and DAG sizes, on standard error
  --help               this text
  --version            the version

Not supported yet: --hessian, --mode=forward.

Options with a value accept --opt=value and --opt value.
Exit status: 0 success; 1 an error in the program, its inputs, or a failed
--check; 2 a command-line usage error.
Documentation: docs/ in the gradc repository; the language is in SPEC.md.
)";

struct UsageError {
  std::string message;
};

class ArgParser {
 public:
  ArgParser(int argc, char** argv) : args_(argv + 1, argv + argc) {}

  gradc::CliOptions parse();
  bool help = false, version = false;

 private:
  // If args_[i] is `--flag` or `--flag=value`, take its value (from the
  // same or the next argument) and return true.
  bool option(const std::string& flag, std::string& value);
  /// A usage error if `flag` was given before (the last one would win silently).
  void once(const std::string& flag);
  std::vector<std::string> seen_;
  static int integer(const std::string& flag, const std::string& text, int lo, int hi);

  std::vector<std::string> args_;
  size_t i_ = 0;
};

void ArgParser::once(const std::string& flag) {
  if (std::find(seen_.begin(), seen_.end(), flag) != seen_.end())
    throw UsageError{fmt::format("option '{}' is given more than once", flag)};
  seen_.push_back(flag);
}

bool ArgParser::option(const std::string& flag, std::string& value) {
  const std::string& a = args_[i_];
  if (a.rfind(flag + "=", 0) == 0) {
    once(flag);
    value = a.substr(flag.size() + 1);
    return true;
  }
  if (a != flag) return false;
  once(flag);
  if (i_ + 1 >= args_.size()) throw UsageError{fmt::format("option '{}' needs a value", flag)};
  value = args_[++i_];
  return true;
}

int ArgParser::integer(const std::string& flag, const std::string& text, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    throw UsageError{fmt::format("'{}' needs a whole number from {} to {}, got '{}'", flag, lo,
                                 hi, text)};
  return v;
}

gradc::CliOptions ArgParser::parse() {
  gradc::CliOptions o;
  bool have_input = false;
  for (i_ = 0; i_ < args_.size(); ++i_) {
    const std::string& a = args_[i_];
    std::string v;
    if (a == "--help" || a == "-h") help = true;
    else if (a == "--version") version = true;
    else if (a == "--check") o.check = true;
    else if (a == "--hessian") o.hessian = true;
    else if (a == "--fast-math") o.fast_math = true;
    else if (a == "--interp") o.interp = true;
    else if (a == "--stats" || a == "-v") o.stats = true;
    else if (a.size() == 3 && a.rfind("-O", 0) == 0 && a[2] >= '0' && a[2] <= '3') {
      o.opt_level = a[2] - '0';  // the last -O wins, as in clang and gcc
    } else if (a == "--print") {
      once("--print");
      o.print = "text";
      if (i_ + 1 < args_.size() && (args_[i_ + 1] == "text" || args_[i_ + 1] == "latex" ||
                                    args_[i_ + 1] == "dot"))
        o.print = args_[++i_];
    } else if (a.rfind("--print=", 0) == 0) {
      once("--print");
      o.print = a.substr(8);
      if (*o.print != "text" && *o.print != "latex" && *o.print != "dot")
        throw UsageError{fmt::format("unknown --print format '{}' (text, latex or dot)", *o.print)};
    } else if (a.rfind("-o", 0) == 0 && a.size() > 2 && a[2] != '=') {
      once("-o");
      o.output = a.substr(2);
    }
    else if (option("-o", v)) o.output = v;
    else if (option("--emit", v)) {
      if (v != "cpp" && v != "hpp" && v != "llvm" && v != "bc" && v != "obj")
        throw UsageError{fmt::format("unknown --emit format '{}' (cpp, hpp, llvm, bc or obj)", v)};
      o.emit = v;
    } else if (option("--name", v)) o.name = v;
    else if (option("--target", v)) {
      if (v.empty()) throw UsageError{"--target needs a target triple, such as x86_64-linux-gnu"};
      o.target = v;
    }
    else if (option("--wrt", v)) {
      std::vector<std::string> names;
      for (size_t start = 0; start <= v.size();) {
        size_t comma = std::min(v.find(',', start), v.size());
        if (comma > start) names.push_back(v.substr(start, comma - start));
        start = comma + 1;
      }
      if (names.empty()) throw UsageError{"--wrt needs at least one input name"};
      o.wrt = names;
    } else if (option("--eval", v)) o.eval = v;
    else if (option("--check-points", v)) o.check_points = integer("--check-points", v, 1, 100000);
    else if (option("--seed", v)) o.seed = uint64_t(integer("--seed", v, 0, 2147483647));
    else if (option("--mode", v)) {
      if (v != "auto" && v != "reverse" && v != "forward")
        throw UsageError{fmt::format("unknown --mode '{}' (auto, reverse or forward)", v)};
      o.mode = v;
    } else if (a.size() > 1 && a[0] == '-') throw UsageError{fmt::format("unknown option '{}'", a)};
    else if (have_input) throw UsageError{fmt::format("more than one input file ('{}' and '{}')", o.input, a)};
    else {
      o.input = a;
      have_input = true;
    }
  }
  if (help || version) return o;
  if (!have_input) throw UsageError{"no input file"};
  if (!o.output && !o.print && !o.eval && !o.check)
    throw UsageError{"nothing to do: give -o FILE, --print, --eval or --check"};
  if (o.emit && !o.output) throw UsageError{"--emit needs -o FILE"};
  if (o.name && !o.output) throw UsageError{"--name needs -o FILE"};
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  ArgParser parser(argc, argv);
  gradc::CliOptions opts;
  try {
    opts = parser.parse();
  } catch (const UsageError& e) {
    std::cerr << "gradc: error: " << e.message << "\n"
              << "Usage: gradc FILE.expr [-o FILE | --print | --eval=x=1,y=2 | --check] ...\n"
              << "Run 'gradc --help' for all options.\n";
    return gradc::kExitUsage;
  }
  if (parser.help) {
    std::cout << kHelp;
    return gradc::kExitOk;
  }
  if (parser.version) {
    std::cout << "gradc " << gradc::kVersion << "\n";
    return gradc::kExitOk;
  }
  try {
    return gradc::run_driver(opts, std::cout, std::cerr);
  } catch (const std::bad_alloc&) {
    // Not a bug: the input is too large for the memory we may use (ulimit).
    std::cerr << "gradc: error: out of memory (the program, or its derivatives, is too large "
                 "for the memory available)\n";
    return gradc::kExitError;
  } catch (const std::exception& e) {
    std::cerr << "gradc: internal error: " << e.what() << "\nPlease report this as a bug.\n";
    return 3;
  }
}
