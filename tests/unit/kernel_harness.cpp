// kernel_harness.cpp - compile gradc programs, write their generated C++ to a
// temporary directory, build it with g++ or clang++ in one command, dlopen
// the result and hand out the kernels' function pointers; central differences.
#include "kernel_harness.h"

#include <dlfcn.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "emit/emit_cpp.h"
#include "emit/emit_llvm.h"
#include "gradc_runtime.h"
#include "ir/interp.h"

namespace gradc_test {

namespace fs = std::filesystem;

std::optional<gradc::Compiled> compile_text(const std::string& text, std::string* errors,
                                            const std::string& file,
                                            const gradc::CompileOptions& opts) {
  gradc::SourceFile source(file, text);
  std::ostringstream err;
  std::optional<gradc::Compiled> c;
  {
    gradc::Diagnostics diag(&source, err);
    gradc::PassTimer timer;
    c = gradc::compile(source, diag, opts, timer);
    diag.flush();
  }
  if (errors) *errors = err.str();
  return c;
}

Values interpret(const gradc::Compiled& c, const std::vector<double>& in) {
  std::vector<double> v = gradc::evaluate(c.prog.graph, in);
  Values r;
  for (gradc::NodeId id : c.outputs) r.out.push_back(v[id]);
  for (gradc::NodeId id : c.jacobian) r.jac.push_back(v[id]);
  return r;
}

Values interpret_product(const gradc::Compiled& c, gradc::KernelKind kind,
                         const std::vector<double>& in, const std::vector<double>& dir) {
  const gradc::KernelSpec* spec = c.kernel(kind);
  if (!spec) throw std::runtime_error("the program has no such kernel");
  const gradc::KernelArray& d = spec->args[1];  // in, v or u, out, product
  std::vector<double> inputs = in;
  inputs.resize(d.first_input + d.size, std::nan(""));
  std::copy(dir.begin(), dir.end(), inputs.begin() + d.first_input);
  std::vector<double> v = gradc::evaluate(c.prog.graph, inputs);
  Values r;
  for (gradc::NodeId id : spec->args[2].roots) r.out.push_back(v[id]);
  for (gradc::NodeId id : spec->args[3].roots) r.jac.push_back(v[id]);
  return r;
}

SecondOrder interpret_second(const gradc::Compiled& c, gradc::KernelKind kind,
                             const std::vector<double>& in, const std::vector<double>& v) {
  const gradc::KernelSpec* spec = c.kernel(kind);
  if (!spec) throw std::runtime_error("the program has no such kernel");
  std::vector<double> inputs = in;
  if (const gradc::KernelArray* dir = spec->arg("v")) {
    inputs.resize(dir->first_input + dir->size, std::nan(""));
    std::copy(v.begin(), v.end(), inputs.begin() + dir->first_input);
  }
  std::vector<double> values = gradc::evaluate(c.prog.graph, inputs);
  const size_t n = spec->args.size();  // ..., out, jac, hess|hv
  SecondOrder r;
  for (gradc::NodeId id : spec->args[n - 3].roots) r.out.push_back(values[id]);
  for (gradc::NodeId id : spec->args[n - 2].roots) r.jac.push_back(values[id]);
  for (gradc::NodeId id : spec->args[n - 1].roots) r.second.push_back(values[id]);
  return r;
}

std::vector<double> forward_values(const gradc::Compiled& c, const std::vector<double>& in) {
  std::vector<double> v = gradc::evaluate(c.prog.graph, in);
  v.resize(c.forward_nodes);
  return v;
}

KernelSource generate(const gradc::Compiled& c, const std::string& name) {
  return {name, gradc::emit_cpp(c, name, name + ".expr").source};
}

Values KernelFns::call(const std::vector<double>& in, size_t m, size_t k,
                       std::vector<double>* forward_out) const {
  Values r;
  r.out.assign(m, -12345.0);  // poison: a slot the kernel forgets stays visible
  r.jac.assign(m * k, -12345.0);
  grad(in.data(), r.out.data(), r.jac.data());
  if (forward_out) {
    forward_out->assign(m, -12345.0);
    forward(in.data(), forward_out->data());
  }
  return r;
}

bool all_finite(const std::vector<double>& v) {
  for (double d : v)
    if (!std::isfinite(d)) return false;
  return true;
}

std::vector<double> random_vector(std::mt19937_64& rng, size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = u(rng);
  return v;
}

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  return bool(f.flush());
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {

// Several generated sources in one translation unit, one after another, as
// a unity build puts them: see KernelLibrary.
std::string packed_unit(const std::vector<const KernelSource*>& sources) {
  std::string unit = "// Generated kernels packed by the gradc test harness.\n";
  for (const KernelSource* s : sources) unit += "\n" + s->cpp;
  return unit;
}

}  // namespace

TempDir::TempDir(const std::string& tag) {
  std::string tmpl = (fs::temp_directory_path() / ("gradc-" + tag + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data())) path_ = tmpl;
}

TempDir::~TempDir() {
  // Logs of failed commands are read into messages first, so nothing is kept.
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

CommandResult run_command(const std::string& command, const std::string& log_file) {
  CommandResult r;
  std::string cmd = fmt::format("({}) > {} 2>&1", command, log_file);
  auto start = std::chrono::steady_clock::now();
  r.status = std::system(cmd.c_str());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.printed = read_file(log_file);
  return r;
}

SharedObject::~SharedObject() {
  if (handle_) ::dlclose(handle_);
}

bool SharedObject::open(const std::string& path, std::string& error) {
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) error = std::string("dlopen: ") + ::dlerror();
  return handle_ != nullptr;
}

std::string llvm_object(const gradc::Compiled& c, const std::string& name, const std::string& cpu) {
  gradc::LlvmOptions lo;
  lo.cpu = cpu;
  gradc::LlvmOutput o = gradc::emit_llvm(c, name, name + ".expr", gradc::LlvmFormat::Object, lo);
  if (!o.error.empty()) throw std::runtime_error("emit_llvm: " + o.error);
  return o.bytes;
}

bool LinkedLibrary::build(const std::vector<std::pair<std::string, std::string>>& files,
                          const std::string& command) {
  std::string names;
  for (const auto& [name, bytes] : files) {
    if (!write_file(dir.file(name), bytes)) return false;
    names += " " + name;
  }
  CommandResult r = run_command(
      fmt::format("cd {} && {}{} -o libk.so -lmvec -lm", dir.path(), command, names),
      dir.file("build.log"));
  log = r.printed;
  return r.clean() && lib.open(dir.file("libk.so"), log);
}

void* SharedObject::symbol(const std::string& name) const {
  return handle_ ? ::dlsym(handle_, name.c_str()) : nullptr;
}

KernelFns SharedObject::get(const std::string& name) const {
  KernelFns f;
  if (!handle_) return f;
  f.forward = reinterpret_cast<decltype(f.forward)>(::dlsym(handle_, name.c_str()));
  f.grad = reinterpret_cast<decltype(f.grad)>(::dlsym(handle_, (name + "_grad").c_str()));
  f.jvp = reinterpret_cast<decltype(f.jvp)>(::dlsym(handle_, (name + "_jvp").c_str()));
  f.vjp = reinterpret_cast<decltype(f.vjp)>(::dlsym(handle_, (name + "_vjp").c_str()));
  f.grad_sparse =
      reinterpret_cast<decltype(f.grad_sparse)>(::dlsym(handle_, (name + "_grad_sparse").c_str()));
  f.hess = reinterpret_cast<decltype(f.hess)>(::dlsym(handle_, (name + "_hess").c_str()));
  f.hvp = reinterpret_cast<decltype(f.hvp)>(::dlsym(handle_, (name + "_hvp").c_str()));
  f.forward_batch =
      reinterpret_cast<decltype(f.forward_batch)>(::dlsym(handle_, (name + "_batch").c_str()));
  f.grad_batch =
      reinterpret_cast<decltype(f.grad_batch)>(::dlsym(handle_, (name + "_grad_batch").c_str()));
  return f;
}

KernelLibrary::KernelLibrary(const std::string& compiler, const std::vector<KernelSource>& sources,
                             int units) {
  if (!dir_.ok()) {
    log_ = "mkdtemp failed";
    return;
  }
  size_t n_units = units <= 0 ? sources.size() : std::min(sources.size(), size_t(units));
  std::vector<std::vector<const KernelSource*>> groups(n_units);
  for (size_t i = 0; i < sources.size(); ++i) groups[i % n_units].push_back(&sources[i]);
  std::string files;
  for (size_t u = 0; u < n_units; ++u) {
    std::string path = dir_.file(fmt::format("unit{}.cpp", u));
    std::string text = groups[u].size() == 1 ? groups[u][0]->cpp : packed_unit(groups[u]);
    if (!write_file(path, text)) {
      log_ = fmt::format("cannot write {}", path);
      return;
    }
    files += fmt::format(" {}", path);  // (not " " + string: GCC 12 -Wrestrict bug)
  }
  std::string lib = dir_.file("kernels.so");
  std::string cmd = fmt::format("{} {}{} -o {}", compiler, kKernelFlags, files, lib);
  CommandResult r = run_command(cmd, dir_.file("compiler.log"));
  seconds_ = r.seconds;
  log_ = cmd + "\n" + r.printed;
  if (!r.clean()) return;  // any diagnostic at all is a failure
  std::string error;
  if (!lib_.open(lib, error)) log_ += error;
}

KernelLibrary::~KernelLibrary() = default;

KernelFns KernelLibrary::get(const std::string& name) const { return lib_.get(name); }

bool close(double a, double b, double rtol, double atol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= atol + rtol * std::max(std::fabs(a), std::fabs(b));
}

std::vector<double> branch_signature(const gradc::Compiled& c, const std::vector<double>& in) {
  using gradc::Op;
  const gradc::Graph& g = c.prog.graph;
  std::vector<double> v = forward_values(c, in), sig;
  auto sign = [](double x) { return double((x > 0) - (x < 0)); };
  for (gradc::NodeId id = 0; id < c.forward_nodes; ++id) {
    const gradc::Node& n = g[id];
    switch (n.op) {
      case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
      case Op::And: case Op::Or: case Op::Not: case Op::Floor: case Op::Ceil:
        sig.push_back(v[id]);
        break;
      case Op::Abs: case Op::Sign: case Op::Relu: case Op::LeakyRelu:
        sig.push_back(sign(v[n.a]));
        break;
      case Op::Max: case Op::Min: sig.push_back(sign(v[n.a] - v[n.b])); break;
      case Op::Select: sig.push_back(v[n.a] != 0); break;
      default: break;
    }
  }
  return sig;
}

std::optional<FiniteDifference> central_difference(const gradc::Compiled& c,
                                                   const std::vector<double>& in, size_t j) {
  const double h = 1e-4 * std::max(1.0, std::fabs(in[j]));
  const std::vector<double> base = branch_signature(c, in);
  const double steps[4] = {h, -h, h / 2, -h / 2};
  std::vector<double> f[4];
  FiniteDifference r;
  for (int s = 0; s < 4; ++s) {
    std::vector<double> x = in;
    x[j] += steps[s];
    if (branch_signature(c, x) != base) return std::nullopt;
    f[s] = interpret(c, x).out;
    for (double y : f[s]) {
      if (!std::isfinite(y)) return std::nullopt;
      r.scale = std::max(r.scale, std::fabs(y));
    }
  }
  for (size_t i = 0; i < f[0].size(); ++i) {
    double wide = (f[0][i] - f[1][i]) / (2 * h), narrow = (f[2][i] - f[3][i]) / h;
    r.d.push_back((4 * narrow - wide) / 3);
  }
  return r;
}

bool matches_fd(double ad, double fd, double scale) {
  return std::fabs(ad - fd) <= 1e-6 * std::max(std::fabs(ad), std::fabs(fd)) + 1e-8 * (1 + scale);
}

std::vector<size_t> wrt_input_indices(const gradc::Compiled& c) {
  std::vector<size_t> offset, out;  // of each input variable among the input scalars
  size_t n = 0;
  auto elements = [](const gradc::Shape& s) {
    size_t e = 1;
    for (uint32_t d : s) e *= d;
    return e;
  };
  for (const gradc::Variable& v : c.prog.inputs) {
    offset.push_back(n);
    n += elements(v.shape);
  }
  for (uint32_t w : c.prog.wrt)
    for (size_t e = 0; e < elements(c.prog.inputs[w].shape); ++e) out.push_back(offset[w] + e);
  return out;
}

std::string point_text(const gradc::Compiled& c, const std::vector<double>& in) {
  std::string s;
  for (size_t i = 0; i < in.size(); ++i)  // one entry per scalar: `x=1, W[0,1]=2`
    s += fmt::format("{}{}={:.17g}", i ? ", " : "",
                     i < c.names.inputs.size() ? c.names.inputs[i] : "?", in[i]);
  return s;
}

size_t compare_point_kernels(const std::string& label, const gradc::KernelSpec& spec, void* a,
                             void* b, std::mt19937_64& rng, int points,
                             bool (*same)(double, double)) {
  REQUIRE_MESSAGE(a, label << ": missing");
  REQUIRE_MESSAGE(b, label << ": missing");
  size_t compared = 0;
  for (int point = 0; point < points; ++point) {
    std::vector<std::vector<double>> ra, rb;
    for (const gradc::KernelArray& arr : spec.args) {
      ra.push_back(arr.result ? std::vector<double>(arr.size, -12345.0)
                              : random_vector(rng, arr.size));
      rb.push_back(ra.back());
    }
    std::vector<double*> pa, pb;
    for (size_t i = 0; i < ra.size(); ++i) {
      pa.push_back(ra[i].data());
      pb.push_back(rb[i].data());
    }
    call_point(a, pa);
    call_point(b, pb);
    for (size_t i = 0; i < spec.args.size(); ++i)
      for (size_t e = 0; e < spec.args[i].size; ++e, ++compared)
        CHECK_MESSAGE(same(ra[i][e], rb[i][e]), label << " " << spec.args[i].name << "[" << e
                                                      << "]: " << ra[i][e] << " vs " << rb[i][e]);
  }
  return compared;
}

void call_point(void* fn, const std::vector<double*>& a) {
  switch (a.size()) {
    case 2: return reinterpret_cast<void (*)(double*, double*)>(fn)(a[0], a[1]);
    case 3: return reinterpret_cast<void (*)(double*, double*, double*)>(fn)(a[0], a[1], a[2]);
    case 4:
      return reinterpret_cast<void (*)(double*, double*, double*, double*)>(fn)(a[0], a[1], a[2],
                                                                                a[3]);
    case 5:
      return reinterpret_cast<void (*)(double*, double*, double*, double*, double*)>(fn)(
          a[0], a[1], a[2], a[3], a[4]);
  }
  throw std::runtime_error(fmt::format("a kernel with {} arrays", a.size()));
}

void call_batch(void* fn, size_t count, const std::vector<double*>& a) {
  switch (a.size()) {
    case 2: return reinterpret_cast<void (*)(size_t, double*, double*)>(fn)(count, a[0], a[1]);
    case 3:
      return reinterpret_cast<void (*)(size_t, double*, double*, double*)>(fn)(count, a[0], a[1],
                                                                               a[2]);
    case 4:
      return reinterpret_cast<void (*)(size_t, double*, double*, double*, double*)>(fn)(
          count, a[0], a[1], a[2], a[3]);
    case 5:
      return reinterpret_cast<void (*)(size_t, double*, double*, double*, double*, double*)>(fn)(
          count, a[0], a[1], a[2], a[3], a[4]);
  }
  throw std::runtime_error(fmt::format("a batch kernel with {} arrays", a.size()));
}

void* jit_function(const gradc::Kernel& k, gradc::KernelKind kind, bool batch) {
  using gradc::KernelKind;
  switch (kind) {
    case KernelKind::Forward:
      return batch ? (void*)k.forward_batch_function() : (void*)k.forward_function();
    case KernelKind::Grad: return batch ? (void*)k.grad_batch_function() : (void*)k.grad_function();
    case KernelKind::Jvp: return batch ? (void*)k.jvp_batch_function() : (void*)k.jvp_function();
    case KernelKind::Vjp: return batch ? (void*)k.vjp_batch_function() : (void*)k.vjp_function();
    case KernelKind::Hess: return batch ? (void*)k.hess_batch_function() : (void*)k.hess_function();
    case KernelKind::Hvp: return batch ? (void*)k.hvp_batch_function() : (void*)k.hvp_function();
    case KernelKind::Sparse:
      return batch ? (void*)k.grad_sparse_batch_function() : (void*)k.grad_sparse_function();
  }
  return nullptr;
}

}  // namespace gradc_test
