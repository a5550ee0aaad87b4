// driver.cpp - from parsed command-line options to files and reports.
#include "driver/driver.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "gradc_check.h"
#include "emit/cpp_names.h"
#include "emit/dump.h"
#include "emit/emit_cpp.h"
#include "emit/eval_io.h"
#include "emit/explain.h"
#include "support/read_file.h"
#include "check_values.h"
#include "ir/interp.h"
#include "pipeline.h"
#include "emit/print.h"
#include "driver/llvm_loader.h"
#include "driver/out_of_memory.h"
#include "driver/output_files.h"
#include "driver/kernel_stack.h"
#include "driver/plot.h"
#include "driver/progress.h"

namespace gradc {

namespace fs = std::filesystem;

namespace {

bool compiled_with(const CompileOptions& o, KernelKind k) {
  return std::find(o.kernels.begin(), o.kernels.end(), k) != o.kernels.end();
}

std::optional<std::string> read_source(const std::string& path, std::ostream& err) {
  std::string text;
  if (std::optional<std::string> problem = path == "-" ? read_stdin(text) : read_file(path, text)) {
    err << fmt::format("gradc: error: {}\n", *problem);
    return std::nullopt;
  }
  return text;
}

// The input file's name as messages and the outputs' comments show it:
// "<stdin>" for -, and a control character in the name (a newline would end
// a `//` comment and turn the rest of the name into code) as '?'.
std::string shown_file_name(const CliOptions& o) {
  if (o.input == "-") return "<stdin>";
  std::string shown = o.input;
  for (char& ch : shown)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
  return shown;
}

// The kernel name: --name, or the file's stem made into an identifier.
std::string kernel_name(const CliOptions& o) {
  if (o.name) return *o.name;
  return o.input == "-" ? "kernel" : kernel_name_from_file(fs::path(o.input).stem().string());
}

// Is an output format one the LLVM backend writes?
bool is_llvm_format(std::string_view format) {
  return format == "llvm" || format == "bc" || format == "obj";
}

// Output format from --emit or the extension of -o.
std::optional<std::string> output_format(const CliOptions& o, std::ostream& err) {
  if (o.plot) return "svg";  // main.cpp has checked the name or --emit
  if (o.emit) return *o.emit;
  std::string ext = fs::path(*o.output).extension().string();
  if (ext == ".cpp" || ext == ".cc" || ext == ".cxx") return "cpp";
  if (ext == ".hpp" || ext == ".h") return "hpp";
  if (ext == ".ll") return "llvm";
  if (ext == ".bc") return "bc";
  if (ext == ".o") return "obj";
  if (is_standard_output(*o.output)) return "cpp";  // -o -, -o /dev/stdout
  if (ext == ".svg" || ext == ".SVG") {
    err << fmt::format("gradc: error: '{}' would be a picture: add --plot VAR=LO:HI (an SVG of "
                       "the outputs and their derivatives), or name a code output .cpp, .hpp, "
                       ".ll, .bc or .o\n", *o.output);
    return std::nullopt;
  }
  err << fmt::format("gradc: error: cannot tell the output format from '{}'; use a .cpp, .hpp, "
                     ".ll, .bc or .o name, or --emit\n", *o.output);
  return std::nullopt;
}

// Write the header beside `path` (same stem, .hpp) and then `bytes` to
// `path`, each atomically; on failure neither is left behind.
int write_with_header(const fs::path& path, const std::string& bytes, const std::string& header_text,
                      const std::string& input, std::ostream& err) {
  if (is_special_file(path.string())) {  // /dev/null, a pipe: the code alone, as -o -
    std::string e = write_file_atomically(path.string(), bytes, {input});
    if (!e.empty()) err << "gradc: error: " << e << "\n";
    return e.empty() ? kExitOk : kExitError;
  }
  fs::path header = fs::path(path).replace_extension(".hpp");
  if (header == path) {
    err << fmt::format("gradc: error: the header would overwrite '{}'; name the output .cpp, "
                       ".cc, .cxx, .ll, .bc or .o, or choose --emit=hpp\n", path.string());
    return kExitUsage;
  }
  // Both complete before either replaces a file: on failure the files that
  // were there stay as they were. The source (the file the user named) goes
  // first, so an error names it, and a run killed between the two renames
  // never leaves a new header beside an old source.
  std::string e = write_files_atomically({{path.string(), bytes}, {header.string(), header_text}},
                                         {input});
  if (!e.empty()) {
    err << "gradc: error: " << e << "\n";
    return kExitError;
  }
  return kExitOk;
}

// The LLVM backend, or null with the reason printed (exit status 1);
// `for_jit`: --eval or --check, which --interp runs without it.
const LlvmBackend* llvm_backend_or_report(std::ostream& err, bool for_jit = false) {
  std::string why;
  const LlvmBackend* llvm = load_llvm_backend(why);
  if (!llvm)
    err << "gradc: error: " << why
        << (for_jit ? "\n  (--interp evaluates with gradc's interpreter instead)" : "") << "\n";
  return llvm;
}

int emit(const Compiled& c, const CliOptions& o, const std::string& format, std::ostream& out,
         std::ostream& err, Progress* progress) {
  std::string name = kernel_name(o);
  std::string source_file = shown_file_name(o);
  std::string bytes, header = cpp_header(c, name, source_file);
  if (is_llvm_format(format)) {
    LlvmOptions lo;
    lo.opt_level = o.opt_level;
    lo.fast_math = o.fast_math;
    lo.target = o.target.value_or("");
    lo.cpu = o.cpu.value_or("");
    if (progress) lo.on_step = [progress](const char* step) { progress->step(step); };
    LlvmFormat f = format == "llvm" ? LlvmFormat::Text
                   : format == "bc" ? LlvmFormat::Bitcode
                                    : LlvmFormat::Object;
    const LlvmBackend* llvm = llvm_backend_or_report(err);
    if (!llvm) return kExitError;
    std::exception_ptr failure;
    LlvmOutput result = [&] {
      ExitOnOutOfMemory oom;
      return llvm->emit(c, name, source_file, f, lo, failure);
    }();
    if (failure) std::rethrow_exception(failure);  // main reports it
    if (!result.error.empty()) {
      err << "gradc: error: " << result.error << "\n";
      return result.bad_option ? kExitUsage : kExitError;
    }
    bytes = std::move(result.bytes);
  } else if (format == "cpp") {
    bytes = emit_cpp(c, name, source_file).source;
  }
  // -o - writes the code alone (SPEC 3); the source does not include its
  // header, so it compiles on its own. So does -o /dev/stdout.
  if (is_standard_output(*o.output)) {
    out << (format == "hpp" ? header : bytes);
    return kExitOk;
  }
  if (format == "hpp") {
    std::string e = write_file_atomically(*o.output, header, {o.input});
    if (!e.empty()) err << "gradc: error: " << e << "\n";
    return e.empty() ? kExitOk : kExitError;
  }
  return write_with_header(*o.output, bytes, header, o.input, err);
}

// The outputs, Jacobian and (with --hessian) Hessian at a point: `hess` is
// left empty without --hessian.
using PointFunction = std::function<void(const std::vector<double>& in, std::vector<double>& out,
                                         std::vector<double>& jac, std::vector<double>& hess)>;

PointFunction interpreter_function(const Compiled& c) {
  return [&c](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac,
              std::vector<double>& hess) {
    std::vector<double> v = evaluate(c.prog.graph, in);
    auto read = [&](const std::vector<NodeId>& roots, std::vector<double>& to) {
      to.resize(roots.size());
      for (size_t i = 0; i < roots.size(); ++i) to[i] = v[roots[i]];
    };
    read(c.outputs, out);
    read(c.jacobian, jac);
    read(c.hessian, hess);
  };
}

// The JIT-compiled kernels at the -O level given (-O0 without one: an
// optimized JIT costs seconds on large programs), with the batch kernels
// if `batch`; null, with the error printed, if LLVM cannot be loaded.
std::optional<JitKernels> jit_kernels(const Compiled& c, const CliOptions& o, bool batch,
                                      std::ostream& err) {
  const LlvmBackend* llvm = llvm_backend_or_report(err, true);
  if (!llvm) return std::nullopt;
  const bool chosen = o.opt_given || o.fast_math;
  JitKernels k = [&] {
    ExitOnOutOfMemory oom;
    return llvm->jit(c, chosen ? o.opt_level : 0, o.fast_math, batch);
  }();
  if (k.failure) std::rethrow_exception(k.failure);  // main reports it
  return k;
}

// Do --check and --eval call JIT kernels? Not with --interp, nor for one
// call (`many_calls` false) without -O or --fast-math: the reference
// interpreter then, the fastest path for one-off work.
bool calls_jit(const CliOptions& o, bool many_calls) {
  return !o.interp && (o.opt_given || o.fast_math || many_calls);
}

// The kernels as --check and --eval call them, point by point: the JIT's
// or the interpreter (calls_jit).
std::optional<PointFunction> kernel_function(const Compiled& c, const CliOptions& o,
                                             bool many_calls, std::ostream& err) {
  if (!calls_jit(o, many_calls)) return interpreter_function(c);
  std::optional<JitKernels> k = jit_kernels(c, o, false, err);
  if (!k) return std::nullopt;
  const size_t m = c.outputs.size(), kw = c.num_wrt();
  const bool second = !c.hessian.empty();
  return [k = *k, m, kw, second](const std::vector<double>& in, std::vector<double>& out,
                                 std::vector<double>& jac, std::vector<double>& hess) {
    out.resize(m);
    jac.resize(m * kw);
    hess.resize(second ? m * kw * kw : 0);
    if (second) k.hess(in.data(), out.data(), jac.data(), hess.data());
    else k.grad(in.data(), out.data(), jac.data());
  };
}

// Points beyond which --eval compiles the kernels and calls NAME_grad_batch
// (NAME_hess_batch with --hessian) once for all of them.
constexpr size_t kEvalPointsForJit = 16;

// --eval: one result object per point (SPEC 4), an array of them for a JSON
// array of points. Many points (without --interp) go through the batch
// kernel in one call, several points per instruction.
int eval_points(const Compiled& c, const CliOptions& o, const EvalPoints& points,
                std::ostream& out, std::ostream& err) {
  const size_t count = points.points.size(), n = c.prog.num_input_scalars();
  const size_t m = c.outputs.size(), kw = c.num_wrt();
  const size_t h = c.hessian.empty() ? 0 : m * kw * kw;  // Hessian entries per point
  std::vector<double> outs, jacs, hesses;  // every point's, one after another
  std::optional<PointFunction> f;
  if (count > kEvalPointsForJit && calls_jit(o, true)) {
    std::optional<JitKernels> k = jit_kernels(c, o, true, err);
    if (!k) return kExitError;
    std::vector<double> ins(count * n);
    for (size_t p = 0; p < count; ++p)
      std::copy(points.points[p].begin(), points.points[p].end(), ins.begin() + p * n);
    outs.resize(count * m);
    jacs.resize(count * m * kw);
    hesses.resize(count * h);
    if (h) k->hess_batch(count, ins.data(), outs.data(), jacs.data(), hesses.data());
    else k->grad_batch(count, ins.data(), outs.data(), jacs.data());
  } else {
    f = kernel_function(c, o, count > kEvalPointsForJit, err);
    if (!f) return kExitError;
  }
  std::vector<double> results, jac, hess;
  if (points.array) out << "[\n";
  for (size_t p = 0; p < count; ++p) {
    if (f) {
      (*f)(points.points[p], results, jac, hess);
    } else {
      results.assign(outs.begin() + p * m, outs.begin() + (p + 1) * m);
      jac.assign(jacs.begin() + p * m * kw, jacs.begin() + (p + 1) * m * kw);
      hess.assign(hesses.begin() + p * h, hesses.begin() + (p + 1) * h);
    }
    std::string json = eval_json(c, results, jac, hess);
    if (points.array) {
      json.pop_back();  // its newline: the separator follows
      json += p + 1 < count ? ",\n" : "\n";
    }
    out << json;
  }
  if (points.array) out << "]\n";
  return kExitOk;
}

int check(const Compiled& c, const CliOptions& o, const std::string& file, std::ostream& out,
          std::ostream& err) {
  CheckShape shape;
  shape.inputs = c.names.inputs;
  shape.outputs = c.names.outputs;
  for (NodeId w : c.wrt_nodes)  // the input columns; intermediate values are checked apart
    if (c.prog.graph[w].op == Op::Input) shape.wrt.push_back(c.prog.graph[w].a);
  CheckOptions opts;
  opts.points = o.check_points;
  opts.seed = o.seed;
  std::optional<PointFunction> kernel = kernel_function(c, o, true, err);
  if (!kernel) return kExitError;
  PointFunction f = std::move(*kernel);
  // The kernel's derivatives with respect to the inputs only (the first
  // columns, in that order).
  const size_t ki = shape.wrt.size();
  HessFunction inputs_only = leading_columns(f, c.num_wrt(), ki);
  std::vector<double> hess;
  CheckResult r{true, ""};
  auto then = [&](const CheckResult& next) {  // the messages of the checks that ran, in order
    r = {next.ok, next.ok && !r.message.empty() ? r.message + "\ncheck: " + next.message
                                                : next.message};
  };
  if (ki > 0 || c.prog.wrt_values.empty())
    then(check_gradient(
        [&](const std::vector<double>& in, std::vector<double>& outs, std::vector<double>& jac) {
          inputs_only(in, outs, jac, hess);
        },
        shape, opts));
  if (r.ok && !c.hessian.empty() && ki > 0)  // --check --hessian: also the second derivatives
    then(check_hessian(inputs_only, shape, opts));
  if (r.ok && !c.prog.wrt_values.empty())
    then(check_wrt_values(
        c, [&](const std::vector<double>& in, std::vector<double>& outs, std::vector<double>& jac) {
          f(in, outs, jac, hess);
        }, opts));
  if (r.ok && !c.hessian.empty() && !c.prog.wrt_values.empty())
    then(check_wrt_value_hessian(c, f, opts));
  if (!r.ok) {
    err << fmt::format("{}: error: check failed: {}\n", file, r.message);
    return kExitError;
  }
  out << "check: " << r.message << "\n";
  return kExitOk;
}

// --explain at the one point --eval gives (none is needed without inputs).
int explain_at_point(const Compiled& c, const CliOptions& o, const std::string& file,
                     std::ostream& out, std::ostream& err) {
  std::vector<double> point;
  if (o.eval) {
    Diagnostics input_diag(nullptr, err, o.error_limit);
    std::optional<EvalPoints> points = read_points(*o.eval, c.prog, input_diag);
    input_diag.flush();
    if (!points) return kExitError;
    if (points->array && points->points.size() != 1) {
      err << fmt::format("gradc: error: --explain works at one point; '{}' holds {}\n", *o.eval,
                         points->points.size());
      return kExitError;
    }
    point = points->points[0];
  } else if (c.prog.num_input_scalars() > 0) {
    err << "gradc: error: --explain needs the point to work at: give the inputs with --eval "
           "(e.g. --eval=" << c.prog.inputs[0].name << "=1,...)\n";
    return kExitUsage;
  }
  ExplainOptions opts;
  opts.latex = *o.explain == "latex";
  opts.dot = *o.explain == "dot";
  opts.forward_mode = o.mode == "forward";
  out << explain(c, point, opts, file).text;
  return kExitOk;
}

void print_stats(const Compiled& c, const CliOptions& o, const PassTimer& t, std::ostream& err) {
  err << "gradc: statistics\n";
  for (const auto& e : t.entries()) err << fmt::format("  {:<14} {:10.3f} ms\n", e.name, e.ms);
  // Each kernel built, by its own roots (the gradient's are the outputs and
  // the Jacobian, with --hessian too).
  auto live_nodes = [&](KernelKind k) {
    const KernelSpec* spec = c.kernel(k);
    return make_schedule(c.prog.graph, spec->roots(), *spec->hints).live_nodes;
  };
  const size_t fwd = live_nodes(KernelKind::Forward), grad = live_nodes(KernelKind::Grad);
  err << fmt::format("  forward DAG:            {} nodes\n", c.forward_nodes);
  err << fmt::format("  forward+derivative DAG: {} nodes\n", c.prog.graph.size());
  auto ops = [&](const std::optional<size_t>& n) {
    return n                   ? fmt::format("{} operations", *n)
           : o.mode == "auto" ? std::string("stopped: over its budget of twice the other's nodes and four times its work")
                               : std::string("not built");
  };
  err << fmt::format("  mode: {} (forward mode: {}; reverse mode: {})\n", diff_mode_name(c.mode),
                     ops(c.forward_mode_ops), ops(c.reverse_mode_ops));
  err << fmt::format("  Jacobian: {} x {}, {} structural nonzeros\n", c.outputs.size(),
                     c.num_wrt(), c.jac_rowind.size());
  std::string others;
  for (KernelKind k : kAllKernelKinds)
    if (k != KernelKind::Forward && k != KernelKind::Grad && c.kernel(k))
      others += fmt::format(", {} {}", kernel_kind_name(k), live_nodes(k));
  err << fmt::format("  kernel nodes: forward {}, gradient {} (ratio {:.2f}){}\n", fwd, grad,
                     fwd ? double(grad) / fwd : 0.0, others);
}

// Options that the actions asked for never read get a warning, as clang's
// "argument unused during compilation": `--cpu=haswell -o k.cpp` would
// otherwise look as if it had tuned the C++.
void warn_unused_options(const CliOptions& o, const std::optional<std::string>& format,
                         std::ostream& err) {
  const bool llvm_output = format && is_llvm_format(*format);
  // --eval (when --explain or --plot do not take its point) and --check
  // may run the JIT; -O and --fast-math choose how it compiles.
  const bool jit = !o.interp && (o.check || (o.eval && !o.explain && !o.plot));
  auto warn = [&](const std::string& option, const char* needs) {
    err << fmt::format("gradc: warning: {} has no effect here: it applies to {}\n", option, needs);
  };
  if (o.target && !llvm_output) warn("--target", "LLVM outputs (-o FILE.ll, .bc or .o)");
  if (o.cpu && !llvm_output) warn("--cpu", "LLVM outputs (-o FILE.ll, .bc or .o)");
  const char* compiled = "LLVM outputs and the JIT that --eval and --check use";
  if (o.fast_math && !llvm_output && !jit) warn("--fast-math", compiled);
  if (o.opt_given && !llvm_output && !jit) warn(fmt::format("-O{}", o.opt_level), compiled);
  const bool second_order_read = (o.output && *format != "svg") || o.print || o.check ||
                                 (o.eval && !o.explain && !o.plot);
  if (o.hessian && !second_order_read)
    warn("--hessian",
         "-o, --print, --eval and --check (--explain and --plot show first derivatives)");
  // What writes or runs kernels: code outputs, and --eval and --check
  // (through the JIT or the interpreter).
  const bool code_output = o.output && *format != "svg";
  const bool evaluates = o.check || (o.eval && !o.explain && !o.plot);
  if (o.name && !code_output) warn("--name", "the code outputs (-o FILE.cpp, .hpp, .ll, .bc or .o)");
  if (o.gave("--kernels") && !code_output && !evaluates)
    warn("--kernels", "the code outputs (-o FILE) and the kernels --eval and --check run");
  if (o.interp && !evaluates) warn("--interp", "--eval and --check");
  for (const char* option : {"--seed", "--check-points"})
    if (o.gave(option) && !o.check) warn(option, "--check");
  for (const char* option : {"--part-nodes", "--reroll-min", "--lanes-min"})
    if (o.gave(option) && !code_output && !jit)
      warn(option, "the code outputs (-o FILE) and the JIT that --eval and --check use");
}

}  // namespace

int run_driver(const CliOptions& o, std::ostream& out, std::ostream& err, Progress* progress) {
  std::optional<std::string> format;
  if (o.output && !(format = output_format(o, err))) return kExitUsage;
  warn_unused_options(o, format, err);
  if (o.output && *format != "svg") {
    // The kernels are extern "C" symbols: a name that cannot work is refused,
    // never renamed behind the user's back.
    std::string name = kernel_name(o);
    if (std::string why = kernel_name_problem(name); !why.empty()) {
      std::string what = o.name ? fmt::format("'{}'", name)
                                : fmt::format("'{}' (from the file name '{}')", name, o.input);
      err << fmt::format("gradc: error: {} cannot be the kernel name: {}; choose another with "
                         "--name (e.g. --name={})\n", what, why, kernel_name_suggestion(name));
      return kExitUsage;
    }
  }

  if (o.output && *o.output != "-" && o.input != "-") {
    // The output (or its header) must not be the program itself, whatever
    // name reaches it (a link, ./k.expr, --emit over a .expr name).
    std::vector<fs::path> targets{*o.output};
    if (*format != "hpp" && *format != "svg") targets.push_back(fs::path(*o.output).replace_extension(".hpp"));
    for (const fs::path& t : targets) {
      std::error_code ec;
      if (fs::equivalent(o.input, t, ec)) {
        err << fmt::format("gradc: error: writing '{}' would overwrite the input '{}'; choose "
                           "another output name\n", t.string(), o.input);
        return kExitUsage;
      }
    }
  }
  std::optional<std::string> text = read_source(o.input, err);
  if (!text) return kExitError;
  std::string file = shown_file_name(o);
  SourceFile source(file, std::move(*text));
  Diagnostics diag(&source, err, o.error_limit);
  PassTimer timer;
  if (progress)
    timer.on_pass = [progress](const std::string* pass) {
      if (pass) progress->phase(*pass);
      else progress->end();
    };
  CompileOptions copts;
  copts.wrt = o.wrt;
  if (o.plot) copts.also_wrt.push_back(o.plot->name);  // --plot draws d OUT / d VAR
  copts.kernels.clear();
  for (const std::string& k : o.kernels) {
    if (k == "batch") copts.batch = true;
    else copts.kernels.push_back(*kernel_kind_from_name(k));
  }
  // --eval, --print and --check with --hessian need the Hessian even when
  // no code is written (main.cpp has checked that --kernels allows it).
  if (o.hessian && !compiled_with(copts, KernelKind::Hess)) copts.kernels.push_back(KernelKind::Hess);
  copts.max_nodes = o.max_nodes;
  copts.part_nodes = o.part_nodes;
  copts.reroll_min = o.reroll_min;
  copts.lanes_min_saving = o.lanes_min;
  copts.exact_division = o.exact_division;
  copts.record_ops = o.print && *o.print == "dot";
  copts.mode = o.mode == "forward"   ? DiffMode::Forward
               : o.mode == "reverse" ? DiffMode::Reverse
                                     : DiffMode::Auto;
  std::optional<Compiled> compiled = compile(source, diag, copts, timer);
  timer.stop();  // the progress line ends before the diagnostics
  diag.flush();
  if (!compiled) return kExitError;
  const Compiled& c = *compiled;

  if (o.dump_after) err << dump_after(c, *o.dump_after);
  int status = kExitOk;
  auto write_output = [&] {
    if (*format == "svg") {
      timer.start("plot");
      return run_plot(c, o, file, out, err);
    }
    timer.start("emit-" + *format);
    return emit(c, o, *format, out, err, progress);
  };
  // Files are written last, and only when the rest of the run succeeded: a
  // bad --eval input or a failed --check leaves an existing output as it
  // was (and a build never takes a failed run's output for a fresh one).
  // Standard output (-o -) keeps its place before the other actions' text.
  const bool output_to_file = o.output && !is_standard_output(*o.output);
  if (o.output && !output_to_file) status = std::max(status, write_output());
  if (o.print) {
    timer.start("print");
    if (*o.print == "latex") out << print_latex(c, file);
    else if (*o.print == "dot") out << print_dot(c, file);
    else out << print_text(c, file);
  }
  if (o.explain) {
    timer.start("explain");
    status = std::max(status, explain_at_point(c, o, file, out, err));
  } else if (o.eval && !o.plot) {  // with --plot, --eval gives the other inputs' values
    timer.start("eval");
    Diagnostics input_diag(nullptr, err, o.error_limit);
    std::optional<EvalPoints> points = read_points(*o.eval, c.prog, input_diag);
    input_diag.flush();
    // JIT kernels on a stack that holds them; the interpreter where it is
    // (it does not recurse).
    auto run = [&] { return points ? eval_points(c, o, *points, out, err) : kExitError; };
    const bool jit = points && calls_jit(o, points->points.size() > kEvalPointsForJit);
    status = std::max(status, jit ? run_on_kernel_stack(c, run) : run());
  }
  if (o.check) {
    timer.start("check");
    auto run = [&] { return check(c, o, file, out, err); };
    status = std::max(status, calls_jit(o, true) ? run_on_kernel_stack(c, run) : run());
  }
  if (output_to_file) {
    out.flush();  // a device (-o /dev/stdout, a FIFO) gets the code after the text before it
    if (status == kExitOk) status = write_output();
    else err << fmt::format("gradc: note: '{}' is not written, since the run failed\n", *o.output);
  }
  timer.stop();
  if (o.stats) print_stats(c, o, timer, err);
  return status;
}

}  // namespace gradc
