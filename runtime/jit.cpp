// jit.cpp - gradc_runtime.h on top of the compiler pipeline and ORC LLJIT:
// the module emit_llvm builds, optimized for this machine's CPU, compiled in
// memory, with the C math library resolved from the running process.
#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <new>
#include <system_error>
#include <sstream>

#include "emit/emit_llvm.h"
#include "check_values.h"
#include "jit_compiled.h"
#include "pipeline.h"
#include "support/read_file.h"

namespace gradc {

struct Kernel::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;  // owns the code
  gradc_forward_fn forward = nullptr;
  gradc_grad_fn grad = nullptr;
  gradc_product_fn jvp = nullptr, vjp = nullptr;
  gradc_hess_fn hess = nullptr;
  gradc_grad_fn grad_sparse = nullptr;
  std::vector<size_t> jac_colptr, jac_rowind;
  gradc_hvp_fn hvp = nullptr;
  gradc_forward_batch_fn forward_batch = nullptr;
  gradc_grad_batch_fn grad_batch = nullptr, grad_sparse_batch = nullptr;
  gradc_product_batch_fn jvp_batch = nullptr, vjp_batch = nullptr;
  gradc_hess_batch_fn hess_batch = nullptr;
  gradc_hvp_batch_fn hvp_batch = nullptr;
  std::vector<std::string> input_names, output_names, wrt_names;
  std::vector<size_t> wrt_inputs;
  std::vector<VariableInfo> input_variables, output_variables;
};

namespace {

// What ORC reported on the side while it compiled (the session's errors:
// a failed lookup only says "Failed to materialize symbols").
struct SessionErrors {
  bool out_of_memory = false;
  std::string text;

  void add(llvm::Error error) {
    llvm::handleAllErrors(std::move(error), [this](const llvm::ErrorInfoBase& info) {
      if (info.convertToErrorCode() == std::errc::not_enough_memory) out_of_memory = true;
      text += (text.empty() ? "" : "; ") + info.message();
    });
  }
};

// An llvm::Error from ORC as an exception: std::bad_alloc where the system
// ran out of memory (mapping memory for the code, as a failed `new` does),
// otherwise an environment failure such as an unknown host, never a problem
// in the user's program.
void take(llvm::Error error, const char* what, SessionErrors* session = nullptr) {
  if (!error) return;
  SessionErrors errors;
  errors.add(std::move(error));
  if (session && !session->text.empty()) errors.text += " (" + session->text + ")";
  if (errors.out_of_memory || (session && session->out_of_memory)) throw std::bad_alloc();
  throw std::runtime_error(fmt::format("gradc JIT: {}: {}", what, errors.text));
}

template <typename T>
T take(llvm::Expected<T> value, const char* what, SessionErrors* session = nullptr) {
  if (!value) take(value.takeError(), what, session);
  return std::move(*value);
}

std::vector<VariableInfo> variable_infos(const std::vector<Variable>& vars) {
  std::vector<VariableInfo> out;
  size_t offset = 0;
  for (const Variable& v : vars) {
    out.push_back({v.name, std::vector<size_t>(v.shape.begin(), v.shape.end()), offset, v.size()});
    offset += v.size();
  }
  return out;
}

void describe(const Compiled& c, Kernel::Impl& k) {
  k.input_names = c.names.inputs;
  k.output_names = c.names.outputs;
  k.wrt_names = c.names.wrt;
  for (NodeId w : c.wrt_nodes)
    k.wrt_inputs.push_back(c.prog.graph[w].op == Op::Input ? c.prog.graph[w].a : SIZE_MAX);
  k.input_variables = variable_infos(c.prog.inputs);
  k.jac_colptr.assign(c.jac_colptr.begin(), c.jac_colptr.end());
  k.jac_rowind.assign(c.jac_rowind.begin(), c.jac_rowind.end());
  k.output_variables = variable_infos(c.prog.outputs);
}

}  // namespace

Kernel jit_compiled(const Compiled& c, const JitOptions& opts) {
  if (opts.opt_level < 0 || opts.opt_level > 3)
    throw std::invalid_argument(fmt::format("opt_level must be 0 to 3, not {}", opts.opt_level));
  initialize_llvm_targets();
  auto jtmb = take(llvm::orc::JITTargetMachineBuilder::detectHost(), "detecting the host");
  jtmb.setCodeGenOptLevel(opts.opt_level == 0   ? llvm::CodeGenOptLevel::None
                          : opts.opt_level == 3 ? llvm::CodeGenOptLevel::Aggressive
                                                : llvm::CodeGenOptLevel::Default);
  std::unique_ptr<llvm::TargetMachine> tm = take(jtmb.createTargetMachine(), "target machine");

  // The functions' name is fixed, never the program's or the app's: the JIT
  // resolves sin, exp, ... from this process, so a kernel named like a C
  // library function would call itself. Names starting with gradc_ are
  // gradc's own (kernel_name_problem refuses them for code outputs).
  const std::string name = "gradc_jit_kernel";
  auto ctx = std::make_unique<llvm::LLVMContext>();
  quiet_llvm_diagnostics(*ctx);
  LlvmOptions lo;
  lo.opt_level = opts.opt_level;
  lo.fast_math = opts.fast_math;
  lo.value_names = false;
  lo.every_kernel = true;
  lo.batch = c.batch || std::ranges::count(opts.kernels, "batch") > 0;
  BuiltModule built = build_llvm_module(c, name, "<jit>", *ctx, *tm, lo);
  optimize_llvm_module(built, *tm, opts.opt_level);
  std::unique_ptr<llvm::Module> m = std::move(built.module);
  // The JIT's own target machine selects instructions as build_llvm_module
  // chose for `tm` (FastISel for giant kernels).
  jtmb.getOptions().EnableFastISel = tm->Options.EnableFastISel;

  auto impl = std::make_shared<Kernel::Impl>();
  impl->jit = take(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(jtmb).create(),
                   "creating the JIT");
  auto session = std::make_shared<SessionErrors>();
  impl->jit->getExecutionSession().setErrorReporter(
      [session](llvm::Error error) { session->add(std::move(error)); });
  // exp, erf, cbrt, ... come from the C math library already in the process.
  impl->jit->getMainJITDylib().addGenerator(
      take(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
               impl->jit->getDataLayout().getGlobalPrefix()),
           "finding the C math library"));
  // The batch kernels' vector math (_ZGVdN4v_sin, ...) is glibc's libmvec.
  if (lo.batch)
    impl->jit->getMainJITDylib().addGenerator(
        take(llvm::orc::DynamicLibrarySearchGenerator::Load(
                 "libmvec.so.1", impl->jit->getDataLayout().getGlobalPrefix()),
             "loading glibc's vector math library libmvec.so.1"));
  take(impl->jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx))),
       "adding the module");
  // Each kernel built, and its batch variant with "batch".
  auto find = [&]<typename Fn>(Fn& one, auto& batch, KernelKind kind) {
    if (!c.kernel(kind)) return;
    const std::string fn = name + std::string(kernel_suffix(kind));
    one = take(impl->jit->lookup(fn), "compiling", session.get()).toPtr<Fn>();
    if (lo.batch)
      batch = take(impl->jit->lookup(fn + "_batch"), "compiling", session.get())
                  .toPtr<std::remove_reference_t<decltype(batch)>>();
  };
  find(impl->forward, impl->forward_batch, KernelKind::Forward);
  find(impl->grad, impl->grad_batch, KernelKind::Grad);
  find(impl->jvp, impl->jvp_batch, KernelKind::Jvp);
  find(impl->vjp, impl->vjp_batch, KernelKind::Vjp);
  find(impl->hess, impl->hess_batch, KernelKind::Hess);
  find(impl->hvp, impl->hvp_batch, KernelKind::Hvp);
  find(impl->grad_sparse, impl->grad_sparse_batch, KernelKind::Sparse);
  describe(c, *impl);
  return Kernel(std::move(impl));
}

Kernel jit_compile(std::string_view source, const JitOptions& opts) {
  SourceFile file(opts.file_name, std::string(source));
  std::ostringstream diagnostics;
  Diagnostics diag(&file, diagnostics);
  PassTimer timer;
  CompileOptions copts;
  if (!opts.wrt.empty()) copts.wrt = opts.wrt;
  copts.wrt_option = "JitOptions::wrt";
  copts.record_ops = false;  // only --print=dot draws them
  std::string problem;
  std::optional<KernelSelection> kernels = select_kernels(opts.kernels, problem);
  if (!kernels) throw std::invalid_argument("JitOptions::kernels: " + problem);
  copts.kernels = kernels->kinds;
  copts.batch = kernels->batch;
  std::optional<Compiled> c = compile(file, diag, copts, timer);
  diag.flush();
  if (!c) throw CompileError(diagnostics.str());
  return jit_compiled(*c, opts);
}

Kernel jit_compile_file(const std::string& path, JitOptions opts) {
  std::string text;  // the command line's messages (support/read_file.h)
  if (std::optional<std::string> problem = read_file(path, text))
    throw CompileError(fmt::format("gradc: error: {}\n", *problem));
  opts.file_name = path;
  return jit_compile(text, opts);
}

const Kernel::Impl& Kernel::impl() const {
  if (!impl_)
    throw std::logic_error("gradc::Kernel: this Kernel holds no kernels (it was moved from)");
  return *impl_;
}

size_t Kernel::num_inputs() const { return impl().input_names.size(); }
size_t Kernel::num_outputs() const { return impl().output_names.size(); }
size_t Kernel::num_wrt() const { return impl().wrt_names.size(); }
const std::vector<std::string>& Kernel::input_names() const { return impl().input_names; }
const std::vector<std::string>& Kernel::output_names() const { return impl().output_names; }
const std::vector<std::string>& Kernel::wrt_names() const { return impl().wrt_names; }
const std::vector<size_t>& Kernel::wrt_inputs() const { return impl().wrt_inputs; }
const std::vector<VariableInfo>& Kernel::input_variables() const { return impl().input_variables; }
const std::vector<VariableInfo>& Kernel::output_variables() const {
  return impl().output_variables;
}
gradc_forward_fn Kernel::forward_function() const { return impl().forward; }
gradc_grad_fn Kernel::grad_function() const { return impl().grad; }
gradc_product_fn Kernel::jvp_function() const { return impl().jvp; }
gradc_product_fn Kernel::vjp_function() const { return impl().vjp; }

namespace {

template <typename Fn>
Fn require(Fn f, const char* kind) {
  if (!f)
    throw std::logic_error(fmt::format("the {0} kernel was not compiled: add \"{0}\" to "
                                       "JitOptions::kernels", kind));
  return f;
}

void check_size(const char* what, size_t got, size_t want) {
  if (got != want)
    throw std::invalid_argument(fmt::format("{} has {} value{}, but the kernel takes {}", what, got,
                                            got == 1 ? "" : "s", want));
}

}  // namespace

gradc_forward_batch_fn Kernel::forward_batch_function() const { return impl().forward_batch; }
gradc_grad_batch_fn Kernel::grad_batch_function() const { return impl().grad_batch; }
gradc_product_batch_fn Kernel::jvp_batch_function() const { return impl().jvp_batch; }
gradc_product_batch_fn Kernel::vjp_batch_function() const { return impl().vjp_batch; }
gradc_hess_batch_fn Kernel::hess_batch_function() const { return impl().hess_batch; }
gradc_hvp_batch_fn Kernel::hvp_batch_function() const { return impl().hvp_batch; }
gradc_grad_batch_fn Kernel::grad_sparse_batch_function() const { return impl().grad_sparse_batch; }

void Kernel::eval_batch(size_t count, const double* in, double* out) const {
  require(impl().forward_batch, "batch")(count, in, out);
}

void Kernel::grad_batch(size_t count, const double* in, double* out, double* jac) const {
  require(impl().grad_batch, "batch")(count, in, out, jac);
}

void Kernel::jvp(const double* in, const double* v, double* out, double* jv) const {
  require(impl().jvp, "jvp")(in, v, out, jv);
}

void Kernel::vjp(const double* in, const double* u, double* out, double* uj) const {
  require(impl().vjp, "vjp")(in, u, out, uj);
}

gradc_hess_fn Kernel::hess_function() const { return impl().hess; }
gradc_grad_fn Kernel::grad_sparse_function() const { return impl().grad_sparse; }
const std::vector<size_t>& Kernel::jac_colptr() const { return impl().jac_colptr; }
const std::vector<size_t>& Kernel::jac_rowind() const { return impl().jac_rowind; }
gradc_hvp_fn Kernel::hvp_function() const { return impl().hvp; }

void Kernel::hess(const double* in, double* out, double* jac, double* hess) const {
  require(impl().hess, "hess")(in, out, jac, hess);
}

void Kernel::hvp(const double* in, const double* v, double* out, double* jac, double* hv) const {
  require(impl().hvp, "hvp")(in, v, out, jac, hv);
}

Kernel::SecondOrderResult Kernel::hess(const std::vector<double>& in) const {
  check_size("the input", in.size(), num_inputs());
  const size_t m = num_outputs(), k = num_wrt();
  SecondOrderResult r{std::vector<double>(m), std::vector<double>(m * k),
                      std::vector<double>(m * k * k)};
  hess(in.data(), r.out.data(), r.jac.data(), r.second.data());
  return r;
}

Kernel::SecondOrderResult Kernel::hvp(const std::vector<double>& in,
                                      const std::vector<double>& v) const {
  check_size("the input", in.size(), num_inputs());
  check_size("the direction v", v.size(), num_wrt());
  const size_t m = num_outputs(), k = num_wrt();
  SecondOrderResult r{std::vector<double>(m), std::vector<double>(m * k),
                      std::vector<double>(m * k)};
  hvp(in.data(), v.data(), r.out.data(), r.jac.data(), r.second.data());
  return r;
}

Kernel::ProductResult Kernel::jvp(const std::vector<double>& in,
                                  const std::vector<double>& v) const {
  check_size("the input", in.size(), num_inputs());
  check_size("the direction v", v.size(), num_wrt());
  ProductResult r{std::vector<double>(num_outputs()), std::vector<double>(num_outputs())};
  jvp(in.data(), v.data(), r.out.data(), r.product.data());
  return r;
}

Kernel::ProductResult Kernel::vjp(const std::vector<double>& in,
                                  const std::vector<double>& u) const {
  check_size("the input", in.size(), num_inputs());
  check_size("the weights u", u.size(), num_outputs());
  ProductResult r{std::vector<double>(num_outputs()), std::vector<double>(num_wrt())};
  vjp(in.data(), u.data(), r.out.data(), r.product.data());
  return r;
}

std::vector<double> Kernel::eval(const std::vector<double>& in) const {
  if (in.size() != num_inputs())
    throw std::invalid_argument(fmt::format("the kernel takes {} inputs, not {}", num_inputs(),
                                            in.size()));
  std::vector<double> out(num_outputs());
  eval(in.data(), out.data());
  return out;
}

Kernel::Result Kernel::grad(const std::vector<double>& in) const {
  if (in.size() != num_inputs())
    throw std::invalid_argument(fmt::format("the kernel takes {} inputs, not {}", num_inputs(),
                                            in.size()));
  Result r{std::vector<double>(num_outputs()), std::vector<double>(num_outputs() * num_wrt())};
  grad(in.data(), r.out.data(), r.jac.data());
  return r;
}

// The JIT kernel's check shape: its names, and the input index of each of
// its wrt columns that is an input (intermediate values come last).
static CheckShape input_columns(const Kernel& k) {
  CheckShape shape;
  shape.inputs = k.input_names();
  shape.outputs = k.output_names();
  for (size_t j : k.wrt_inputs())
    if (j != SIZE_MAX) shape.wrt.push_back(uint32_t(j));
  return shape;
}

CheckResult check_kernel_hessian(const Kernel& k, const CheckOptions& opts) {
  CheckShape shape = input_columns(k);
  gradc_hess_fn f = require(k.hess_function(), "hess");
  const size_t m = k.num_outputs(), all = k.num_wrt();
  HessFunction call = [=](const std::vector<double>& in, std::vector<double>& out,
                          std::vector<double>& jac, std::vector<double>& hess) {
    out.resize(m);
    jac.resize(m * all);
    hess.resize(m * all * all);
    f(in.data(), out.data(), jac.data(), hess.data());
  };
  return check_hessian(leading_columns(call, all, shape.wrt.size()), shape, opts);
}

CheckResult check_kernel(const Kernel& k, const CheckOptions& opts) {
  // The columns of inputs; those of intermediate values (SIZE_MAX, which
  // come last) have no input to move (gradc --check moves them itself).
  CheckShape shape = input_columns(k);
  if (shape.wrt.size() == k.num_wrt()) return check_gradient(k.grad_function(), shape, opts);
  gradc_grad_fn grad = k.grad_function();
  const size_t m = k.num_outputs(), all = k.num_wrt();
  HessFunction call = [=](const std::vector<double>& in, std::vector<double>& out,
                          std::vector<double>& jac, std::vector<double>& hess) {
    out.resize(m);
    jac.resize(m * all);
    hess.clear();
    grad(in.data(), out.data(), jac.data());
  };
  HessFunction inputs_only = leading_columns(call, all, shape.wrt.size());
  GradFunction g = [inputs_only](const std::vector<double>& in, std::vector<double>& out,
                                 std::vector<double>& jac) {
    std::vector<double> hess;
    inputs_only(in, out, jac, hess);
  };
  return check_gradient(g, shape, opts);
}

}  // namespace gradc
