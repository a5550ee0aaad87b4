// driver.cpp - from parsed command-line options to files and reports.
#include "driver.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "check.h"
#include "emit_cpp.h"
#include "eval_io.h"
#include "interp.h"
#include "pipeline.h"
#include "print.h"

namespace gradc {

namespace fs = std::filesystem;

std::string write_file_atomically(const std::string& path, const std::string& text) {
  std::string tmp = fmt::format("{}.gradc-tmp-{}", path, ::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f) f.write(text.data(), std::streamsize(text.size()));
    if (!f || !f.flush()) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return fmt::format("cannot write '{}'", path);
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return fmt::format("cannot write '{}': {}", path, ec.message());
  }
  return "";
}

namespace {

std::optional<std::string> read_source(const std::string& path, std::ostream& err) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    err << fmt::format("gradc: error: '{}' is a directory\n", path);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << fmt::format("gradc: error: cannot open '{}': no such file or not readable\n", path);
    return std::nullopt;
  }
  ss << in.rdbuf();
  return ss.str();
}

// The kernel name: --name, or the file's stem made into an identifier.
std::string kernel_name(const CliOptions& o) {
  if (o.name) return *o.name;
  std::string stem = o.input == "-" ? "kernel" : fs::path(o.input).stem().string();
  for (char& ch : stem)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  if (stem.empty() || std::isdigit(static_cast<unsigned char>(stem[0]))) stem = "_" + stem;
  return stem;
}

// Output format from --emit or the extension of -o.
std::optional<std::string> output_format(const CliOptions& o, std::ostream& err) {
  if (o.emit) return *o.emit;
  std::string ext = fs::path(*o.output).extension().string();
  if (ext == ".cpp" || ext == ".cc" || ext == ".cxx") return "cpp";
  if (ext == ".hpp" || ext == ".h") return "hpp";
  if (ext == ".ll") return "llvm";
  if (ext == ".bc") return "bc";
  if (ext == ".o") return "obj";
  if (*o.output == "-") return "cpp";
  err << fmt::format("gradc: error: cannot tell the output format from '{}'; use a .cpp, .hpp, "
                     ".ll, .bc or .o name, or --emit\n", *o.output);
  return std::nullopt;
}

int emit(const Compiled& c, const CliOptions& o, const std::string& format, std::ostream& out,
         std::ostream& err) {
  if (format == "llvm" || format == "bc" || format == "obj") {
    err << fmt::format("gradc: error: LLVM output ('{}') is not supported yet; write C++ with "
                       "-o FILE.cpp\n", o.emit ? "--emit=" + *o.emit : *o.output);
    return kExitError;
  }
  std::string name = kernel_name(o);
  CppFiles files = emit_cpp(c, name, o.input == "-" ? "<stdin>" : o.input);
  if (*o.output == "-") {
    out << (format == "hpp" ? files.header : files.source);
    return kExitOk;
  }
  fs::path path(*o.output);
  if (format == "hpp") {
    std::string e = write_file_atomically(path.string(), files.header);
    if (!e.empty()) err << "gradc: error: " << e << "\n";
    return e.empty() ? kExitOk : kExitError;
  }
  // The header goes beside the source, with the same stem (SPEC 3). The
  // source does not include it, so `-o -` output compiles on its own.
  fs::path header = fs::path(path).replace_extension(".hpp");
  if (header == path) {
    err << fmt::format("gradc: error: the header would overwrite '{}'; name C++ output .cpp, "
                       ".cc or .cxx\n", path.string());
    return kExitUsage;
  }
  std::string e = write_file_atomically(header.string(), files.header);
  if (e.empty()) e = write_file_atomically(path.string(), files.source);
  if (!e.empty()) {
    std::error_code ec;
    fs::remove(header, ec);
    err << "gradc: error: " << e << "\n";
    return kExitError;
  }
  return kExitOk;
}

GradFunction interpreter_function(const Compiled& c) {
  return [&c](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac) {
    std::vector<double> v = evaluate(c.prog.graph, in);
    for (size_t i = 0; i < c.outputs.size(); ++i) out[i] = v[c.outputs[i]];
    for (size_t i = 0; i < c.jacobian.size(); ++i) jac[i] = v[c.jacobian[i]];
  };
}

int check(const Compiled& c, const CliOptions& o, const std::string& file, std::ostream& out,
          std::ostream& err) {
  CheckShape shape;
  shape.inputs = c.input_names;
  shape.outputs = c.output_names;
  for (NodeId w : c.wrt_nodes) shape.wrt.push_back(c.prog.graph[w].a);  // input scalar index
  CheckOptions opts;
  opts.points = o.check_points;
  opts.seed = o.seed;
  CheckResult r = check_gradient(interpreter_function(c), shape, opts);
  if (!r.ok) {
    err << fmt::format("{}: error: check failed: {}\n", file, r.message);
    return kExitError;
  }
  out << "check: " << r.message << "\n";
  return kExitOk;
}

void print_stats(const Compiled& c, const PassTimer& t, std::ostream& err) {
  err << "gradc: statistics\n";
  for (const auto& e : t.entries()) err << fmt::format("  {:<14} {:10.3f} ms\n", e.name, e.ms);
  Schedule fwd = make_schedule(c.prog.graph, c.outputs, c.forward_hints);
  Schedule grad = make_schedule(c.prog.graph, c.all_roots(), c.grad_hints);
  err << fmt::format("  forward DAG:            {} nodes\n", c.forward_nodes);
  err << fmt::format("  forward+derivative DAG: {} nodes\n", c.prog.graph.size());
  err << fmt::format("  kernel nodes: forward {}, gradient {} (ratio {:.2f})\n", fwd.live_nodes,
                     grad.live_nodes, fwd.live_nodes ? double(grad.live_nodes) / fwd.live_nodes : 0.0);
}

}  // namespace

int run_driver(const CliOptions& o, std::ostream& out, std::ostream& err) {
  if (o.hessian) {
    err << "gradc: error: --hessian (second derivatives) is not supported yet\n";
    return kExitError;
  }
  if (o.mode == "forward") {
    err << "gradc: error: --mode=forward is not supported yet; reverse mode is used for every "
           "program (--mode=auto or --mode=reverse)\n";
    return kExitError;
  }
  std::optional<std::string> format;
  if (o.output && !(format = output_format(o, err))) return kExitUsage;
  if (o.output && !is_valid_kernel_name(kernel_name(o))) {
    err << fmt::format("gradc: error: '{}' cannot be the kernel name (not an identifier, or a C++ "
                       "keyword or C library name); choose one with --name\n", kernel_name(o));
    return kExitUsage;
  }

  std::optional<std::string> text = read_source(o.input, err);
  if (!text) return kExitError;
  std::string file = o.input == "-" ? "<stdin>" : o.input;
  SourceFile source(file, std::move(*text));
  Diagnostics diag(&source, err);
  PassTimer timer;
  CompileOptions copts;
  copts.wrt = o.wrt;
  std::optional<Compiled> compiled = compile(source, diag, copts, timer);
  diag.flush();
  if (!compiled) return kExitError;
  const Compiled& c = *compiled;

  int status = kExitOk;
  if (o.output) {
    timer.start("emit-" + *format);
    status = std::max(status, emit(c, o, *format, out, err));
  }
  if (o.print) {
    timer.start("print");
    if (*o.print == "latex") out << print_latex(c, file);
    else if (*o.print == "dot") out << print_dot(c, file);
    else out << print_text(c, file);
  }
  if (o.eval) {
    timer.start("eval");
    Diagnostics input_diag(nullptr, err);
    auto values = read_inputs(*o.eval, c.prog, input_diag);
    input_diag.flush();
    if (values) out << eval_json(c, evaluate(c.prog.graph, *values));
    else status = kExitError;
  }
  if (o.check) {
    timer.start("check");
    status = std::max(status, check(c, o, file, out, err));
  }
  timer.stop();
  if (o.stats) print_stats(c, timer, err);
  return status;
}

}  // namespace gradc
