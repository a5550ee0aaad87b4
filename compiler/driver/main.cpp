// main.cpp - command-line parsing only; the work is in driver.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include "driver/driver.h"
#include "driver/out_of_memory.h"
#include "driver/plot.h"
#include "driver/progress.h"
#include "plan/kernel_spec.h"
#include "support/spelling.h"
#include "support/version.h"

namespace {

constexpr const char* kHelp = R"(gradc - symbolic differentiation compiler

Usage: gradc FILE.expr [options]          (FILE may be - for standard input;
                                           after --, a name starting with -)

Actions (combine freely; at least one):
  -o FILE              write kernels; the format follows the extension:
                         .cpp .cc .cxx   C++ source
                         .ll             LLVM IR text
                         .bc             LLVM bitcode
                         .o              native object (no C++ compiler needed)
                         .hpp .h         the header only
                       every code output gets its header beside it (FILE.hpp);
                       -o - writes to standard output (no header). Files
                       are written last, and not at all when another
                       action (--eval, --check, --explain) fails
  --print[=FORMAT]     print the program and its derivatives: text (default,
                       a valid gradc program) or latex; or dot (Graphviz):
                       the program's graph as written, one node per
                       operation, the derivatives named in comments
                       (--explain=dot draws the derivative graph)
  --eval=INPUTS        evaluate; print outputs and derivatives as JSON.
                       INPUTS is x=1,v=[1,2],W=[[1,2],[3,4]] or @inputs.json:
                       a JSON object of input values, or an array of them
                       (one result per point; @- reads standard input)
  --explain[=FORMAT]   the derivation at the --eval point, as a course handout
                       works it: the forward pass, the local partial of every
                       edge, the backward pass (--mode=forward: the tangents)
                       with numbers, and the gradient; FORMAT is text
                       (default), latex, or dot (the derivative graph: values
                       and adjoints on the nodes, local partials on the
                       edges). --eval then gives the point only
  --hessian            also second derivatives: the hess kernel, "hessian" in
                       --eval, d2OUT_dIN1_dIN2 in --print, and --check
                       compares them with central differences of the gradient
  --plot VAR=LO:HI     with -o FILE.svg: a picture (SVG, for a browser) of
                       each output and its derivative with respect to the
                       input VAR (or an element: v[1]) for VAR from LO to
                       HI (numbers, or multiples of pi: -pi:2pi); kinks and
                       jumps are drawn where they are. The other inputs
                       take their values from --eval, which then prints
                       nothing
  --check              compare derivatives with central differences at
                       random points; exit status 1 on a mismatch
                       (with -O or --fast-math, --eval and --check run the
                       kernels through the LLVM JIT at that level; without,
                       --eval uses the interpreter and --check the JIT at
                       -O0: the fastest for one-off evaluation)

Options:
  --emit=FORMAT        output format, overriding the extension: cpp, hpp,
                       llvm, bc or obj (svg: the picture of --plot)
  --name=NAME          base name of the kernels NAME and NAME_grad
                       (default: the file's stem as an identifier)
  --wrt=a,b            differentiate with respect to these inputs only
  --kernels=LIST       the functions code outputs define (default f,grad):
                         f     NAME(in, out)
                         grad  NAME_grad(in, out, jac)        jac = d out/d wrt
                         jvp   NAME_jvp(in, v, out, jv)       jv = J v, one
                               forward sweep
                         vjp   NAME_vjp(in, u, out, uj)       uj = u^T J, one
                               reverse sweep
                         hess  NAME_hess(in, out, jac, hess)  every second
                               derivative
                         hvp   NAME_hvp(in, v, out, jac, hv)  hv = H v, one
                               sweep over the gradient
                         sparse NAME_grad_sparse(in, out, jac_nz) the Jacobian's
                               structural nonzeros, compressed columns (the
                               header gives jac_nnz, jac_colptr, jac_rowind)
                         batch a batch variant of each kernel listed:
                               NAME_batch(count, in, out),
                               NAME_grad_batch(count, in, out, jac),
                               NAME_jvp_batch(count, in, v, out, jv), ...
                               at count points stored one after another (LLVM
                               outputs compute several points per instruction)
  --check-points=N     random points for --check (default 5)
  --seed=N             seed for --check's points (default 1)
  --mode=MODE          how Jacobians are accumulated: forward (one tangent
                       sweep per wrt scalar), reverse (one adjoint sweep per
                       output scalar) or auto (default: builds both within a
                       budget and keeps the one with fewer operations;
                       --stats shows both counts and the choice)
  -O0 -O1 -O2 -O3      LLVM optimization level for .ll .bc .o and the JIT
                       (default -O2; C++ output is the same at every level)
  --fast-math          let LLVM reassociate and assume no NaN/inf (LLVM
                       outputs and the JIT): faster, but results change
  --exact-division     keep every x/d a division (default: a value d that
                       divides four or more values is inverted once, and
                       x/d is x*(1/d): within 1.5 ulp, exact for 0, inf
                       and NaN; docs/semantics.md)
  --target=TRIPLE      target of .ll .bc .o output (default: this machine),
                       e.g. aarch64-linux-gnu
  --cpu=NAME           CPU whose instructions .ll .bc .o output may use:
                       generic (default: any CPU of the target), native
                       (this machine's, when it is the target), or a name
                       such as haswell or neoverse-n1; the
                       batch kernels' vectors are as wide as the CPU's
  --error-limit=N      print the first N errors of a file, then stop (default
                       20; 0: every error)
  --max-nodes=N        stop with an error when the program and its derivatives
                       need more than N DAG nodes (default 10000000; memory
                       grows about 150 bytes per node, more for LLVM output,
                       and about 1 KB per statement)
  --part-nodes=N       split kernels of more than N nodes into part functions
                       of at most N (default 1000): larger parts compile
                       more slowly (C++ compilers and LLVM's code generation
                       are superlinear in a function's size)
  --reroll-min=N       emit a run of statements that repeat one shape as a
                       loop when it covers at least N nodes (default 128;
                       0: straight-line code only)
  --lanes-min=N        compute a two-output gradient's two reverse sweeps
                       side by side, two doubles per vector (C++ gradc_v2,
                       LLVM <2 x double>), when that saves at least N
                       operations (default 16; 0: wherever they pair up;
                       off: never); the results are the same to the bit
  --interp             run --eval and --check with the reference interpreter
                       instead of the JIT
  --stats, -v          time of each pass and DAG sizes, on standard error
  --progress           a line on standard error naming a pass that runs for
                       more than a second (GRADC_PROGRESS_DELAY: another
                       delay in seconds) and, at its end, its time; the
                       default when standard error is a terminal
  --no-progress        no progress line
  --dump-after=PASS    print the compiler's state after PASS on standard
                       error: parse (the forward DAG), differentiate (the
                       DAG with its derivative nodes) or plan (each
                       kernel's statements, stores, parts and scratch slots)
  --help               this text
  --version            the version

Options with a value accept --opt=value and --opt value.
Exit status: 0 success; 1 an error in the program, its inputs, or a failed
--check; 2 a command-line usage error.
Documentation, in the gradc repository: README.md (the language, the command
line, the kernel ABI) and docs/semantics.md (derivative conventions and
every decision in detail).
)";

struct UsageError {
  std::string message;
};

// The --kernels list: known names, each once, at least one kernel
// (gradc::select_kernels, the rule JitOptions::kernels follows too).
std::vector<std::string> kernel_list(const std::string& text) {
  std::vector<std::string> names;
  for (size_t start = 0; start <= text.size();) {
    size_t comma = std::min(text.find(',', start), text.size());
    names.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  std::string problem;
  if (!gradc::select_kernels(names, problem)) throw UsageError{"--kernels: " + problem};
  return names;
}

// --plot writes its picture to -o, as SVG, and needs d OUT / d VAR.
void check_plot(const gradc::CliOptions& o) {
  if (!o.plot) {
    if (o.emit == "svg")
      throw UsageError{"--emit=svg is the picture of --plot; give --plot VAR=LO:HI"};
    return;
  }
  const gradc::PlotRange& r = *o.plot;
  if (!o.output)
    throw UsageError{"--plot needs -o FILE.svg for its picture (-o - for standard output)"};
  std::string ext = std::filesystem::path(*o.output).extension().string();
  for (char& c : ext) c = c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;  // .SVG too
  if (o.emit && *o.emit != "svg")
    throw UsageError{fmt::format("--plot writes SVG, not --emit={}", *o.emit)};
  if (!o.emit && *o.output != "-" && ext != ".svg")
    throw UsageError{fmt::format("--plot writes SVG: name the output FILE.svg, or add --emit=svg "
                                 "(got -o {})", *o.output)};
  if (o.name) throw UsageError{"--name names the kernels of a code output; --plot writes none"};
  if (o.wrt && std::find(o.wrt->begin(), o.wrt->end(), r.name) == o.wrt->end())
    throw UsageError{fmt::format("--plot {0}=... draws derivatives with respect to '{1}', but "
                                 "--wrt leaves '{1}' out; add it to --wrt or leave --wrt out",
                                 r.var, r.name)};
}

// The long options --help lists ("--eval", "--kernels", ...).
std::vector<std::string> listed_options() {
  std::vector<std::string> out;
  const std::string_view help = kHelp;
  for (size_t at = help.find("--"); at != std::string_view::npos; at = help.find("--", at + 2)) {
    size_t end = at + 2;
    while (end < help.size() && ((help[end] >= 'a' && help[end] <= 'z') || help[end] == '-')) ++end;
    std::string name(help.substr(at, end - at));
    if (name.size() > 2 && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

// The usage error for an argument `a` that starts with '-' and is no option
// gradc has: a bad -O level, a value given to a flag, or a misspelling.
std::string unknown_option(const std::string& a) {
  if (a.rfind("-O", 0) == 0)
    return fmt::format("unknown option '{}': the optimization levels are -O0, -O1, -O2 and -O3", a);
  const std::string flag = a.substr(0, a.find('='));
  const std::vector<std::string> known = listed_options();
  if (flag != a && std::find(known.begin(), known.end(), flag) != known.end())
    return fmt::format("option '{}' takes no value (got '{}')", flag, a);
  gradc::Closest closest(flag);
  for (const std::string& k : known) closest.offer(k);
  std::string meant = closest.did_you_mean();
  std::error_code ec;
  if (meant.empty() && std::filesystem::is_regular_file(a, ec))  // a file named -model.expr
    meant = fmt::format("; to read the file '{}', put '--' before it (gradc -- {})", a, a);
  return fmt::format("unknown option '{}'{}", a, meant);
}

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
  /// Throws if `flag` was seen; `shown` (quoted) names it in the message, for an alias.
  void once(const std::string& flag, const std::string& shown = "");
  /// A flag without a value, given once: true.
  bool flag(const std::string& name) {
    once(name);
    return true;
  }
  std::vector<std::string> seen_;
  static int integer(const std::string& flag, const std::string& text, int lo, int hi);

  std::vector<std::string> args_;
  size_t i_ = 0;
};

void ArgParser::once(const std::string& flag, const std::string& shown) {
  if (std::find(seen_.begin(), seen_.end(), flag) != seen_.end())
    throw UsageError{fmt::format("option {} is given more than once",
                                 shown.empty() ? "'" + flag + "'" : shown)};
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
  bool have_input = false, kernels_given = false, options_ended = false;
  auto take_input = [&](const std::string& a) {
    if (have_input) {
      // `--eval x=1 y=2`: the second value reads as a file name.
      std::string hint = a.find('=') != std::string::npos
                             ? "; --eval takes its values as one list with commas: --eval x=1,y=2"
                             : "";
      throw UsageError{fmt::format("more than one input file ('{}' and '{}'){}", o.input, a, hint)};
    }
    o.input = a;
    have_input = true;
  };
  for (i_ = 0; i_ < args_.size(); ++i_) {
    const std::string& a = args_[i_];
    std::string v;
    if (options_ended) take_input(a);  // after `--`, as getopt: a file named -x.expr
    else if (a == "--") options_ended = true;
    else if (a == "--help" || a == "-h") help = true;
    else if (a == "--version") version = true;
    else if (a == "--check") o.check = flag(a);
    else if (a == "--hessian") o.hessian = flag(a);
    else if (a == "--fast-math") o.fast_math = flag(a);
    else if (a == "--exact-division") o.exact_division = flag(a);
    else if (a == "--interp") o.interp = flag(a);
    else if (a == "--progress") o.progress = flag(a);
    else if (a == "--no-progress") o.progress = !flag(a);
    else if (a == "--stats" || a == "-v") {  // -v is --stats
      once("--stats", "'--stats' (or -v, the same)");
      o.stats = true;
    }
    else if (a.size() == 3 && a.rfind("-O", 0) == 0 && a[2] >= '0' && a[2] <= '3') {
      o.opt_level = a[2] - '0';  // the last -O wins, as in clang and gcc
      o.opt_given = true;
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
    } else if (a == "--explain") {
      once("--explain");
      o.explain = "text";
      if (i_ + 1 < args_.size() &&
          (args_[i_ + 1] == "text" || args_[i_ + 1] == "latex" || args_[i_ + 1] == "dot"))
        o.explain = args_[++i_];
    } else if (a.rfind("--explain=", 0) == 0) {
      once("--explain");
      o.explain = a.substr(10);
      if (*o.explain != "text" && *o.explain != "latex" && *o.explain != "dot")
        throw UsageError{fmt::format("unknown --explain format '{}' (text, latex or dot)", *o.explain)};
    } else if (a.rfind("-o", 0) == 0 && a.size() > 2 && a[2] != '=') {
      once("-o");
      o.output = a.substr(2);
    }
    else if (option("-o", v)) {
      if (v.empty()) throw UsageError{"-o needs a file name (or - for standard output)"};
      o.output = v;
    }
    else if (option("--emit", v)) {
      if (v != "cpp" && v != "hpp" && v != "llvm" && v != "bc" && v != "obj" && v != "svg")
        throw UsageError{fmt::format("unknown --emit format '{}' (cpp, hpp, llvm, bc, obj or svg)", v)};
      o.emit = v;
    } else if (option("--dump-after", v)) {
      if (v != "parse" && v != "differentiate" && v != "plan")
        throw UsageError{fmt::format("unknown pass '{}' for --dump-after (parse, differentiate or plan)", v)};
      o.dump_after = v;
    } else if (option("--kernels", v)) {
      o.kernels = kernel_list(v);
      kernels_given = true;
    } else if (option("--name", v)) o.name = v;
    else if (option("--target", v)) {
      if (v.empty()) throw UsageError{"--target needs a target triple, such as x86_64-linux-gnu"};
      o.target = v;
    } else if (option("--cpu", v)) {
      if (v.empty()) throw UsageError{"--cpu needs a CPU name: native, generic, haswell, ..."};
      o.cpu = v;
    }
    else if (option("--wrt", v)) {
      std::vector<std::string> names;
      if (v.empty()) throw UsageError{"--wrt needs at least one name (--wrt=x,y)"};
      for (size_t start = 0; start <= v.size();) {  // as --kernels: no empty name
        size_t comma = std::min(v.find(',', start), v.size());
        if (comma == start)
          throw UsageError{fmt::format("--wrt has an empty name in '{}' (a comma at an end, or two "
                                       "together); write --wrt=x,y", v)};
        names.push_back(v.substr(start, comma - start));
        start = comma + 1;
      }
      for (size_t k = 0; k < names.size(); ++k)
        if (std::find(names.begin(), names.begin() + k, names[k]) != names.begin() + k)
          throw UsageError{fmt::format("'{}' is named twice in --wrt", names[k])};
      o.wrt = names;
    } else if (option("--eval", v)) o.eval = v;
    else if (option("--plot", v)) {
      gradc::PlotRange r;
      if (std::string problem = gradc::parse_plot_range(v, r); !problem.empty())
        throw UsageError{problem};
      o.plot = r;
    }
    else if (option("--check-points", v)) o.check_points = integer("--check-points", v, 1, 100000);
    else if (option("--error-limit", v)) o.error_limit = integer("--error-limit", v, 0, 1000000);
    else if (option("--max-nodes", v)) o.max_nodes = size_t(integer("--max-nodes", v, 1, 2000000000));
    else if (option("--part-nodes", v)) o.part_nodes = size_t(integer("--part-nodes", v, 1, 2000000000));
    else if (option("--reroll-min", v)) o.reroll_min = size_t(integer("--reroll-min", v, 0, 2000000000));
    else if (option("--lanes-min", v)) {
      if (v == "off") {
        o.lanes_min = SIZE_MAX;
      } else {
        try {
          o.lanes_min = size_t(integer("--lanes-min", v, 0, 2000000000));
        } catch (const UsageError&) {
          throw UsageError{fmt::format(
              "'--lanes-min' needs a whole number from 0 to 2000000000 or 'off', got '{}'", v)};
        }
      }
    }
    else if (option("--seed", v)) o.seed = uint64_t(integer("--seed", v, 0, 2147483647));
    else if (option("--mode", v)) {
      if (v != "auto" && v != "reverse" && v != "forward")
        throw UsageError{fmt::format("unknown --mode '{}' (auto, reverse or forward)", v)};
      o.mode = v;
    } else if (a.size() > 1 && a[0] == '-') throw UsageError{unknown_option(a)};
    else take_input(a);
  }
  if (help || version) return o;
  bool has_hess = std::find(o.kernels.begin(), o.kernels.end(), "hess") != o.kernels.end();
  if (o.hessian && kernels_given && !has_hess)
    throw UsageError{"--hessian asks for the hess kernel, but --kernels does not list it; add "
                     "hess to --kernels or leave --kernels out"};
  if (o.hessian && !has_hess) o.kernels.push_back("hess");
  if (!have_input) throw UsageError{"no input file"};
  if (o.input == "-" && o.eval && *o.eval == "@-")
    throw UsageError{"--eval=@- and the program cannot both come from standard input; give the "
                     "program's file, or the points in a file (--eval=@points.json)"};
  if (!o.output && !o.print && !o.eval && !o.check && !o.dump_after && !o.explain && !o.plot)
    throw UsageError{"nothing to do: give -o FILE, --print, --eval, --explain, --check, --plot "
                     "or --dump-after"};
  check_plot(o);
  if (o.emit && !o.output) throw UsageError{"--emit needs -o FILE"};
  o.given = seen_;
  return o;
}

}  // namespace

// What was written to standard output must have arrived: a full disk or a
// closed stdout is an error (exit status 1), as in cat and clang.
static int finish_stdout(int status) {
  // The reason is the errno of the write that failed: std::cout's flush is
  // stdout's (synchronized streams), after which stdio holds nothing more.
  errno = 0;
  std::cout.flush();
  int e = errno;
  if (std::fflush(stdout) != 0 && e == 0) e = errno;
  if (!std::ferror(stdout) && std::cout.good()) return status;
  std::cerr << "gradc: error: cannot write to standard output"
            << (e ? std::string(": ") + std::strerror(e) : std::string()) << "\n";
  return status == gradc::kExitOk ? gradc::kExitError : status;
}

// The progress line (driver/progress.h): redrawn in place on a terminal,
// one line per step for a log (--progress with standard error redirected).
// GRADC_PROGRESS_DELAY: how long a pass runs before it is shown, in seconds.
std::unique_ptr<gradc::Progress> make_progress(const gradc::CliOptions& o) {
  const bool terminal = isatty(STDERR_FILENO);
  if (!o.progress.value_or(terminal)) return nullptr;
  double delay = 1.0;
  if (const char* env = std::getenv("GRADC_PROGRESS_DELAY")) {
    char* end = nullptr;
    const double seconds = std::strtod(env, &end);
    if (end != env && *end == '\0' && seconds >= 0 && seconds <= 3600) delay = seconds;
  }
  try {
    return std::make_unique<gradc::Progress>(
        terminal ? gradc::Progress::Style::Terminal : gradc::Progress::Style::Lines,
        std::chrono::milliseconds(long(delay * 1000)));
  } catch (const std::exception&) {  // no thread (a tight ulimit): no line
    return nullptr;
  }
}

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG, which gradc
  // reports, removing its temporaries, instead of dying of SIGXFSZ.
  ::signal(SIGXFSZ, SIG_IGN);
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
    return finish_stdout(gradc::kExitOk);
  }
  if (parser.version) {
    std::cout << "gradc " << gradc::kVersion << "\n";
    return finish_stdout(gradc::kExitOk);
  }
  std::unique_ptr<gradc::Progress> progress = make_progress(opts);
  try {
    return finish_stdout(gradc::run_driver(opts, std::cout, std::cerr, progress.get()));
  } catch (const std::bad_alloc&) {
    // Not a bug: the input is too large for the memory we may use (ulimit).
    if (progress) progress->end();
    std::cerr << "gradc: error: " << gradc::kOutOfMemory << "\n";
    return gradc::kExitError;
  } catch (const gradc::TooManyErrors&) {  // printed: the errors, then the fatal note
    if (progress) progress->end();
    return finish_stdout(gradc::kExitError);
  } catch (const std::exception& e) {
    if (progress) progress->end();
    std::cerr << "gradc: internal error: " << e.what() << "\nPlease report this as a bug.\n";
    return 3;
  }
}
