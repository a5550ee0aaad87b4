// backends.cpp - build a batch of programs with each backend (see backends.h):
// generated code goes to a temporary directory, one compiler or linker run
// (per thread) turns it into shared objects that are dlopen'ed; the JIT
// compiles in-process. In-process LLVM work is spread over a few threads.
#include "backends.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "emit/emit_llvm.h"
#include "ir/interp.h"
#include "jit_compiled.h"

namespace gradc_test {

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::Interpreter: return "interpreter";
    case Backend::Cpp: return "C++";
    case Backend::Jit: return "LLVM JIT";
    case Backend::LlvmText: return ".ll by clang-19";
    case Backend::Object: return ".o";
  }
  return "?";
}

struct BackendKernels::State {
  TempDir dir{"backend"};
  std::unique_ptr<KernelLibrary> cpp;           // Cpp
  std::vector<gradc::Kernel> jit;               // Jit, one per program
  std::vector<std::unique_ptr<SharedObject>> libs;  // LlvmText, Object
  std::vector<KernelFns> fns;                   // Cpp, LlvmText, Object: per program
};

namespace {

// Run body(i) for i < n on `threads` threads; the first exception's message
// (per index) is collected into `errors`.
template <typename Body>
void parallel_for(size_t n, int threads, Body body, std::vector<std::string>& errors) {
  errors.assign(n, "");
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < n;) {
      try {
        body(i);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

std::string joined_errors(const std::vector<NamedProgram>& programs,
                          const std::vector<std::string>& errors) {
  std::string out;
  for (size_t i = 0; i < errors.size(); ++i)
    if (!errors[i].empty()) out += fmt::format("{}: {}\n", programs[i].name, errors[i]);
  return out;
}

gradc::LlvmOptions llvm_options(const BackendOptions& opts) {
  gradc::LlvmOptions lo;
  lo.opt_level = opts.opt_level;
  lo.fast_math = opts.fast_math;
  return lo;
}

}  // namespace

BackendKernels::BackendKernels(Backend backend, const std::vector<NamedProgram>& programs,
                               const BackendOptions& opts)
    : backend_(backend), programs_(programs), state_(std::make_unique<State>()) {
  label_ = backend_name(backend);
  if (backend == Backend::Cpp)
    label_ += " by " + std::filesystem::path(opts.cxx).filename().string();
  if (backend == Backend::Jit || backend == Backend::LlvmText || backend == Backend::Object) {
    if (opts.opt_level != 2) label_ += fmt::format(" -O{}", opts.opt_level);
    if (opts.fast_math) label_ += " --fast-math";
  }
  std::set<std::string> names;
  for (const NamedProgram& p : programs)
    if (!names.insert(p.name).second) {
      log_ = fmt::format("kernel name '{}' used twice in one batch", p.name);
      return;
    }
  auto start = std::chrono::steady_clock::now();
  try {
    build(opts);
  } catch (const std::exception& e) {  // e.g. an InternalError from a backend
    log_ += fmt::format("exception: {}\n", e.what());
    ok_ = false;
  }
  seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BackendKernels::build(const BackendOptions& opts) {
  const std::vector<NamedProgram>& programs = programs_;
  State& s = *state_;
  std::vector<std::string> errors;
  switch (backend_) {
    case Backend::Interpreter:
      ok_ = true;
      break;

    case Backend::Cpp: {
      std::vector<KernelSource> sources;
      for (const NamedProgram& p : programs) sources.push_back(generate(*p.c, p.name));
      s.cpp = std::make_unique<KernelLibrary>(opts.cxx, sources, opts.units);
      log_ = s.cpp->log();
      if (!s.cpp->ok()) break;
      ok_ = true;
      for (const NamedProgram& p : programs) {
        s.fns.push_back(s.cpp->get(p.name));
        if (!s.fns.back().forward || !s.fns.back().grad) {
          log_ += fmt::format("missing kernel {}\n", p.name);
          ok_ = false;
        }
      }
      break;
    }

    case Backend::Jit: {
      gradc::JitOptions jo;
      jo.opt_level = opts.opt_level;
      jo.fast_math = opts.fast_math;
      std::vector<std::optional<gradc::Kernel>> kernels(programs.size());
      parallel_for(
          programs.size(), opts.threads,
          [&](size_t i) { kernels[i] = gradc::jit_compiled(*programs[i].c, jo); }, errors);
      log_ = joined_errors(programs, errors);
      if (!log_.empty()) break;
      for (auto& k : kernels) s.jit.push_back(std::move(*k));
      ok_ = true;
      break;
    }

    case Backend::LlvmText:
    case Backend::Object: {
      if (!s.dir.ok()) {
        log_ = "mkdtemp failed";
        break;
      }
      const bool text = backend_ == Backend::LlvmText;
      const char* ext = text ? ".ll" : ".o";
      gradc::LlvmOptions lo = llvm_options(opts);
      parallel_for(
          programs.size(), opts.threads,
          [&](size_t i) {
            const NamedProgram& p = programs[i];
            gradc::LlvmOutput o =
                gradc::emit_llvm(*p.c, p.name, p.name + ".expr",
                                 text ? gradc::LlvmFormat::Text : gradc::LlvmFormat::Object, lo);
            if (!o.error.empty()) throw std::runtime_error(o.error);
            if (!write_file(s.dir.file(p.name + ext), o.bytes))
              throw std::runtime_error("cannot write " + s.dir.file(p.name + ext));
          },
          errors);
      log_ = joined_errors(programs, errors);
      if (!log_.empty()) break;
      // .ll: one clang-19 run per thread, at once, each making one .so
      // (of the files linked into one by llvm-link-19, which verifies each,
      // when there are many); .o: one link of everything.
      size_t groups = text ? std::min<size_t>(programs.size(), std::max(1, opts.threads)) : 1;
      if (programs.empty()) groups = 0;
      std::vector<std::string> commands(groups), printed(groups);
      std::vector<CommandResult> results(groups);
      for (size_t g = 0; g < groups; ++g) {
        std::string files;
        for (size_t i = g; i < programs.size(); i += groups) files += " " + programs[i].name + ext;
        if (!text)
          commands[g] = fmt::format("cd {} && {} -shared{} -o lib{}.so", s.dir.path(),
                                    GRADC_GXX, files, g);
        else if (programs.size() <= size_t(opts.ll_direct_max))
          commands[g] = fmt::format("cd {} && {} -O{} -shared -fPIC{} -o lib{}.so", s.dir.path(),
                                    GRADC_CLANG, opts.opt_level, files, g);
        else  // clang-19 takes ~0.1 s per input file: link the .ll files into one first
          commands[g] = fmt::format(
              "cd {0} && {1} -S -disable-debug-info-type-map{2} -o linked{3}.ll && "
              "{4} -O{5} -shared -fPIC linked{3}.ll -o lib{3}.so",
              s.dir.path(), GRADC_LLVM_LINK, files, g, GRADC_CLANG, opts.opt_level);
      }
      std::vector<std::thread> runs;
      for (size_t g = 0; g < groups; ++g)
        runs.emplace_back([&, g] {
          results[g] = run_command(commands[g], s.dir.file(fmt::format("build{}.log", g)));
        });
      for (std::thread& t : runs) t.join();
      bool clean = true;
      for (size_t g = 0; g < groups; ++g) {
        log_ += commands[g] + "\n" + results[g].printed;
        clean = clean && results[g].clean();
      }
      if (!clean) break;
      for (size_t g = 0; g < groups; ++g) {
        s.libs.push_back(std::make_unique<SharedObject>());
        std::string error;
        if (!s.libs.back()->open(s.dir.file(fmt::format("lib{}.so", g)), error)) {
          log_ += error;
          clean = false;
        }
      }
      if (!clean) break;
      for (size_t i = 0; i < programs.size(); ++i) {
        s.fns.push_back(s.libs[i % groups]->get(programs[i].name));
        if (!s.fns.back().forward || !s.fns.back().grad) {
          log_ += fmt::format("missing kernel {}\n", programs[i].name);
          clean = false;
        }
      }
      ok_ = clean;
      break;
    }
  }
}

BackendKernels::~BackendKernels() = default;

Values BackendKernels::call(size_t i, const std::vector<double>& in,
                            std::vector<double>* forward_out) const {
  const gradc::Compiled& c = *programs_.at(i).c;
  if (backend_ == Backend::Interpreter) {
    Values v = interpret(c, in);
    if (forward_out) *forward_out = v.out;
    return v;
  }
  KernelFns f;
  if (backend_ == Backend::Jit) {
    const gradc::Kernel& k = state_->jit.at(i);
    f.forward = k.forward_function();
    f.grad = k.grad_function();
  } else {
    f = state_->fns.at(i);
  }
  return f.call(in, c.outputs.size(), c.num_wrt(), forward_out);
}

Values BackendKernels::call_product(size_t i, gradc::KernelKind kind,
                                    const std::vector<double>& in,
                                    const std::vector<double>& dir) const {
  const gradc::Compiled& c = *programs_.at(i).c;
  if (backend_ == Backend::Interpreter) return interpret_product(c, kind, in, dir);
  const bool jvp = kind == gradc::KernelKind::Jvp;
  void (*fn)(const double*, const double*, double*, double*) = nullptr;
  if (backend_ == Backend::Jit) {
    const gradc::Kernel& k = state_->jit.at(i);
    fn = jvp ? k.jvp_function() : k.vjp_function();
  } else {
    fn = jvp ? state_->fns.at(i).jvp : state_->fns.at(i).vjp;
  }
  if (!fn) throw std::runtime_error(fmt::format("{}: no {} kernel", programs_[i].name,
                                                jvp ? "jvp" : "vjp"));
  Values r;
  r.out.assign(c.outputs.size(), -12345.0);
  r.jac.assign(jvp ? c.outputs.size() : c.num_wrt(), -12345.0);
  fn(in.data(), dir.data(), r.out.data(), r.jac.data());
  return r;
}

Values BackendKernels::call_sparse(size_t i, const std::vector<double>& in) const {
  const gradc::Compiled& c = *programs_.at(i).c;
  Values r{std::vector<double>(c.outputs.size(), -12345.0),
           std::vector<double>(c.jac_rowind.size(), -12345.0)};
  if (backend_ == Backend::Interpreter) {
    std::vector<double> v = gradc::evaluate(c.prog.graph, in);
    const gradc::KernelArray& nz = c.kernel(gradc::KernelKind::Sparse)->args.back();
    for (size_t e = 0; e < r.out.size(); ++e) r.out[e] = v[c.outputs[e]];
    for (size_t e = 0; e < nz.roots.size(); ++e) r.jac[e] = v[nz.roots[e]];
    return r;
  }
  auto fn = backend_ == Backend::Jit ? state_->jit.at(i).grad_sparse_function()
                                     : state_->fns.at(i).grad_sparse;
  if (!fn) throw std::runtime_error(programs_[i].name + ": no grad_sparse kernel");
  fn(in.data(), r.out.data(), r.jac.data());
  return r;
}

SecondOrder BackendKernels::call_second(size_t i, gradc::KernelKind kind,
                                        const std::vector<double>& in,
                                        const std::vector<double>& v) const {
  const gradc::Compiled& c = *programs_.at(i).c;
  if (backend_ == Backend::Interpreter) return interpret_second(c, kind, in, v);
  const bool hess = kind == gradc::KernelKind::Hess;
  KernelFns f;
  if (backend_ == Backend::Jit) {
    f.hess = state_->jit.at(i).hess_function();
    f.hvp = state_->jit.at(i).hvp_function();
  } else {
    f = state_->fns.at(i);
  }
  const size_t m = c.outputs.size(), k = c.num_wrt();
  SecondOrder r{std::vector<double>(m, -12345.0), std::vector<double>(m * k, -12345.0),
                std::vector<double>(hess ? m * k * k : m * k, -12345.0)};
  if (hess ? !f.hess : !f.hvp)
    throw std::runtime_error(fmt::format("{}: no {} kernel", programs_[i].name, hess ? "hess" : "hvp"));
  if (hess) f.hess(in.data(), r.out.data(), r.jac.data(), r.second.data());
  else f.hvp(in.data(), v.data(), r.out.data(), r.jac.data(), r.second.data());
  return r;
}

std::vector<std::unique_ptr<BackendKernels>> build_backends(
    const std::vector<NamedProgram>& programs, const std::vector<BackendSpec>& specs) {
  std::vector<std::unique_ptr<BackendKernels>> out(specs.size());
  std::vector<std::thread> threads;
  for (size_t b = 0; b < specs.size(); ++b)
    threads.emplace_back([&, b] {
      out[b] = std::make_unique<BackendKernels>(specs[b].backend, programs, specs[b].opts);
    });
  for (std::thread& t : threads) t.join();
  return out;
}

std::vector<std::unique_ptr<BackendKernels>> build_backends(
    const std::vector<NamedProgram>& programs, const std::vector<Backend>& which,
    const BackendOptions& opts) {
  std::vector<BackendSpec> specs;
  for (Backend b : which) specs.push_back({b, opts});
  return build_backends(programs, specs);
}

}  // namespace gradc_test
