// emit_llvm.cpp - module assembly, verification, the pass pipeline, and the
// three output formats (IR text, bitcode, object through the TargetMachine).
#include "emit/emit_llvm.h"

#include <fmt/format.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <mutex>

#include "emit/llvm_batch.h"
#include "emit/llvm_kernel.h"
#include "support/version.h"

namespace gradc {

void initialize_llvm_targets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

void quiet_llvm_diagnostics(llvm::LLVMContext& ctx) {
  ctx.setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo* info, void*) {
    if (info->getSeverity() != llvm::DS_Error) return;
    std::string text;
    llvm::raw_string_ostream os(text);
    llvm::DiagnosticPrinterRawOStream printer(os);
    info->print(printer);
    // As LLVM's own handler does with an error (never expected here): no
    // exception may cross LLVM's frames.
    llvm::errs() << "gradc: internal error: LLVM: " << os.str() << "\n";
    std::exit(3);
  });
}

// glibc's libmvec (2.35 and later) beyond LLVM 19's own table for it,
// which has sin, cos, exp, log and pow at 2 lanes (SSE, `b`) and 4 (AVX2,
// `d`) only: the other functions at 2 and 4 lanes, and with `avx512` every
// function at 8 lanes (AVX-512, `e`), for the libm name and the intrinsic
// gradc calls. The 8-lane variants take zmm registers, so they are declared
// only for a target with AVX-512. The strings live as long as the process
// (the VecDescs point into them).
static std::vector<llvm::VecDesc> libmvec_functions(bool avx512) {
  struct Table {
    std::deque<std::string> strings;  // the VecDescs' storage (a deque never moves them)
    std::vector<llvm::VecDesc> narrow, wide;  // 2 and 4 lanes; 8 lanes
  };
  static const Table table = [] {
    Table t;
    auto add = [&](std::vector<llvm::VecDesc>& to, std::string scalar, const char* isa,
                   unsigned lanes, const char* f, int args) {
      std::string vs(args, 'v');
      const std::string& s = t.strings.emplace_back(std::move(scalar));
      const std::string& v = t.strings.emplace_back(fmt::format("_ZGV{}N{}{}_{}", isa, lanes, vs, f));
      const std::string& abi = t.strings.emplace_back(fmt::format("_ZGV_LLVM_N{}{}", lanes, vs));
      to.emplace_back(s, v, llvm::ElementCount::getFixed(lanes), false, abi);
    };
    const char* unary[] = {"tan",   "asin",  "acos", "atan",  "sinh",  "cosh", "tanh",
                           "asinh", "acosh", "atanh", "exp2", "exp10", "log2", "log10",
                           "log1p", "expm1", "cbrt", "erf",   "erfc"};
    const char* intrinsic[] = {"tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"};
    const char* in_llvm_table[] = {"sin", "cos", "exp", "log"};  // and pow
    auto add_all = [&](std::vector<llvm::VecDesc>& to, const char* isa, unsigned lanes,
                       bool with_llvm_table) {
      for (const char* f : unary) add(to, f, isa, lanes, f, 1);
      for (const char* f : intrinsic) add(to, fmt::format("llvm.{}.f64", f), isa, lanes, f, 1);
      for (const char* f : {"atan2", "hypot"}) add(to, f, isa, lanes, f, 2);
      if (!with_llvm_table) return;
      for (const char* f : in_llvm_table) {
        add(to, f, isa, lanes, f, 1);
        add(to, fmt::format("llvm.{}.f64", f), isa, lanes, f, 1);
      }
      add(to, "pow", isa, lanes, "pow", 2);
      add(to, "llvm.pow.f64", isa, lanes, "pow", 2);
    };
    add_all(t.narrow, "b", 2, false);
    add_all(t.narrow, "d", 4, false);
    add_all(t.wide, "e", 8, true);
    return t;
  }();
  std::vector<llvm::VecDesc> descs = table.narrow;
  if (avx512) descs.insert(descs.end(), table.wide.begin(), table.wide.end());
  return descs;
}

static llvm::CodeGenOptLevel codegen_level(int opt_level) {
  switch (opt_level) {
    case 0: return llvm::CodeGenOptLevel::None;
    case 1: return llvm::CodeGenOptLevel::Less;
    case 3: return llvm::CodeGenOptLevel::Aggressive;
    default: return llvm::CodeGenOptLevel::Default;
  }
}

std::unique_ptr<llvm::TargetMachine> make_target_machine(const LlvmOptions& opts,
                                                         std::string& error) {
  initialize_llvm_targets();
  std::string triple = opts.target.empty() ? llvm::sys::getDefaultTargetTriple()
                                           : llvm::Triple::normalize(opts.target);
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    // LLVM's "No available targets are compatible with triple" names no
    // alternative: list the architectures this LLVM can generate code for.
    std::vector<std::string> arches;
    for (int a = llvm::Triple::UnknownArch + 1; a <= llvm::Triple::LastArchType; ++a) {
      const auto arch = static_cast<llvm::Triple::ArchType>(a);
      llvm::Triple probe;
      probe.setArch(arch);
      std::string ignored;
      if (llvm::TargetRegistry::lookupTarget(probe.str(), ignored))
        arches.emplace_back(llvm::Triple::getArchTypeName(arch));
    }
    error = fmt::format("unknown target '{}': no architecture of this LLVM matches it (a target is "
                        "ARCH-OS-ENV, e.g. x86_64-linux-gnu or aarch64-linux-gnu; ARCH is one of: "
                        "{})", opts.target.empty() ? triple : opts.target, fmt::join(arches, ", "));
    return nullptr;
  }
  // By default the generic CPU of the target, as clang without -march:
  // objects run on any machine of the triple. Position-independent, so they
  // link into executables and shared libraries alike.
  std::string cpu = opts.cpu.empty() ? "generic" : opts.cpu, features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    const llvm::Triple host(llvm::sys::getDefaultTargetTriple());
    if (llvm::Triple(triple).getArch() != host.getArch()) {
      error = fmt::format("--cpu=native is this machine's CPU ({}, {}), which is not one of the "
                          "target '{}': name one of its CPUs, or give no --cpu (generic)", cpu,
                          host.getArchName().str(), triple);
      return nullptr;
    }
    for (const auto& [feature, on] : llvm::sys::getHostCPUFeatures())
      features += fmt::format("{}{}{}", features.empty() ? "" : ",", on ? '+' : '-', feature.str());
  }
  if (cpu != "generic") {  // checked first: LLVM would warn on stderr, then ignore it
    std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, "", ""));
    if (!sti || !sti->isCPUStringValid(cpu)) {
      error = fmt::format("unknown CPU '{}' for the target '{}'", opts.cpu, triple);
      return nullptr;
    }
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      codegen_level(opts.opt_level)));
  if (!tm) error = "cannot create a target machine for '" + triple + "'";
  return tm;
}

BuiltModule build_llvm_module(const Compiled& c, const std::string& name,
                              const std::string& source_file, llvm::LLVMContext& ctx,
                              llvm::TargetMachine& tm, const LlvmOptions& opts) {
  auto m = std::make_unique<llvm::Module>(name, ctx);
  m->setSourceFileName(source_file);
  m->setTargetTriple(tm.getTargetTriple().str());
  m->setDataLayout(tm.createDataLayout());
  LlvmKernelOptions k;
  k.fast_math = opts.fast_math;
  k.value_names = opts.value_names;
  bool any_batch = false;
  std::vector<llvm::Function*> giant;
  for (const KernelSpec& spec : c.kernels) {
    if (!opts.every_kernel && !c.emits(spec.kind)) continue;
    // Lane groups (gradients only: plan/lanes.h); the batch forms ignore them.
    KernelPlan plan = make_kernel_plan(c.prog.graph, spec, c.plan_options(true, true));
    llvm::Function* kernel =
        build_llvm_kernel(c, plan, name + std::string(kernel_suffix(spec.kind)), k, *m);
    if (plan.split()) {  // the kernel and the parts it calls
      giant.push_back(kernel);
      for (llvm::Instruction& i : llvm::instructions(*kernel))
        if (auto* call = llvm::dyn_cast<llvm::CallInst>(&i))
          if (llvm::Function* part = call->getCalledFunction(); part && !part->isDeclaration())
            giant.push_back(part);
    }
    if (c.has_batch(spec.kind) || opts.batch) {
      any_batch = true;
      std::vector<llvm::Function*> lanes;
      llvm::Function* block = nullptr;
      uint32_t lane_slots = 0;
      // Both batch forms run straight-line code: the block form is vector
      // code as it stands, and in the lanes form the loop vectorizer widens
      // the loop over points, which a loop in its body would keep scalar.
      // A kernel of one part is a block form, a split one lanes loops
      // (its parts pass values through a scratch array of lanes).
      KernelPlan straight;
      const KernelPlan* batch_plan = nullptr;
      if (batch_vectorizable(spec, 0))
        batch_plan = plan.loops.empty() && !plan.zero_fills()
                         ? &plan
                         : &(straight = make_kernel_plan(c.prog.graph, spec, c.plan_options(false)));
      if (batch_plan && !batch_vectorizable(spec, batch_plan->split() ? batch_plan->num_slots : 0))
        batch_plan = nullptr;  // its scratch lanes would take too much stack
      if (batch_plan) {
        if (!batch_plan->split()) {  // one part: the block form
          LlvmKernelOptions in_block = k;
          in_block.value_names = false;
          in_block.block_points = kBatchLanes;
          // At -O0 each lane calls libm, as the lanes loop (not vectorized
          // then) does: results equal the one-point kernels' to the bit.
          in_block.vector_math_lanes = opts.opt_level > 0 ? batch_vector_math_lanes(tm) : 0;
          in_block.masked_tiles = batch_masked_tiles(tm);
          block = build_llvm_block_kernel(c, *batch_plan, kernel->getName().str() + ".block",
                                          in_block, *m);
        } else {
          LlvmKernelOptions in_lanes = k;
          in_lanes.lane_stride = kBatchLanes;
          lanes = build_llvm_lane_parts(c, *batch_plan, kernel->getName().str() + ".lanes",
                                        in_lanes, *m);
          lane_slots = batch_plan->num_slots;
        }
      }
      build_llvm_batch(spec, kernel, block, lanes, lane_slots, batch_vector_bits(tm), *m);
    }
  }
  // Giant kernels: instruction selection by FastISel (LLVM's -O0 selector,
  // after the same IR optimizations). On straight-line floating-point parts
  // it is about 3x faster than SelectionDAG and its code runs as fast.
  if (!giant.empty()) tm.setFastISel(true);
  // Each function names its CPU and features, as clang's do, so that a .ll
  // or .bc compiled later (llc, clang) keeps what gradc chose for them: the
  // batch loops' vector width and the registers their libmvec calls take.
  for (llvm::Function& f : *m) {
    if (f.isDeclaration()) continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    if (!tm.getTargetFeatureString().empty())
      f.addFnAttr("target-features", tm.getTargetFeatureString());
  }
  // Who made the module, as clang records itself.
  llvm::NamedMDNode* ident = m->getOrInsertNamedMetadata("llvm.ident");
  ident->addOperand(llvm::MDNode::get(
      ctx, llvm::MDString::get(ctx, std::string("gradc ") + kVersion + " from " + source_file)));

  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*m, &os))
    throw InternalError("the LLVM module gradc built is invalid (verifyModule): " + os.str());
  return {std::move(m), std::move(giant), any_batch};
}

void optimize_llvm_module(BuiltModule& built, llvm::TargetMachine& tm, int opt_level) {
  llvm::Module& m = *built.module;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The standard instrumentation makes passes skip optnone functions.
  llvm::PassInstrumentationCallbacks pic;
  llvm::StandardInstrumentations si(m.getContext(), false);
  si.registerCallbacks(pic, &mam);
  llvm::PassBuilder pb(&tm, llvm::PipelineTuningOptions(), std::nullopt, &pic);
  // The vector math library for the batch kernels' loops: glibc's libmvec
  // on x86-64 Linux with glibc (the functions libmvec lacks stay scalar calls).
  llvm::Triple triple(m.getTargetTriple());
  llvm::TargetLibraryInfoImpl tlii(triple);
  if (built.batch && target_has_libmvec(triple)) {
    tlii.addVectorizableFunctionsFromVecLib(llvm::TargetLibraryInfoImpl::LIBMVEC_X86, triple);
    tlii.addVectorizableFunctions(libmvec_functions(batch_vector_bits(tm) == 512));
  }
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = opt_level <= 0   ? llvm::OptimizationLevel::O0
                                  : opt_level == 1 ? llvm::OptimizationLevel::O1
                                  : opt_level == 2 ? llvm::OptimizationLevel::O2
                                                   : llvm::OptimizationLevel::O3;
  // Giant functions get the lean pipeline, then sit out the default one as
  // optnone (which the standard instrumentation honours) while it runs on
  // the rest: the other kernels and every batch loop keep the full
  // pipeline and its vectorizer. Module passes may replace a function
  // (dead argument elimination makes a new one), so what to undo afterwards
  // is marked in the functions themselves.
  const char* kLeanOnly = "gradc-lean-only";
  const char* kNoInlineAdded = "gradc-noinline-added";
  const bool lean = opt_level > 0 && !built.giant.empty();
  if (lean) {
    llvm::FunctionPassManager fpm;
    fpm.addPass(llvm::EarlyCSEPass());
    fpm.addPass(llvm::InstCombinePass());
    for (llvm::Function* f : built.giant) {
      fpm.run(*f, fam);
      if (!f->hasFnAttribute(llvm::Attribute::NoInline)) {  // optnone needs noinline
        f->addFnAttr(llvm::Attribute::NoInline);
        f->addFnAttr(kNoInlineAdded);
      }
      f->addFnAttr(llvm::Attribute::OptimizeNone);
      f->addFnAttr(kLeanOnly);
    }
  }
  const size_t definitions = std::count_if(m.begin(), m.end(), [](const llvm::Function& f) {
    return !f.isDeclaration();
  });
  // Nothing else to optimize (every kernel giant, no batch loop): skip it.
  const bool rest = !lean || definitions > built.giant.size();
  built.giant.clear();  // the pipeline may delete them
  if (rest) {
    llvm::ModulePassManager mpm = opt_level <= 0 ? pb.buildO0DefaultPipeline(level)
                                                 : pb.buildPerModuleDefaultPipeline(level);
    mpm.run(m, mam);
  }
  // Code generation optimizes them as any other function (optnone would
  // select instructions and allocate registers as -O0 does). The libmvec
  // variants the pipeline noted on each math call (InjectTLIMappings) go:
  // the batch loops are vectorized already, and a .ll or .bc compiled
  // later (clang, llc) would read them as a licence to vectorize the
  // one-point kernels too, with every variant listed, AVX2's on a CPU
  // without it (wrong results through SSE registers, or SIGILL) and with
  // libmvec's last bits where the one-point kernels have libm's.
  for (llvm::Function& f : m) {
    for (llvm::BasicBlock& block : f)
      for (llvm::Instruction& inst : block)
        if (auto* call = llvm::dyn_cast<llvm::CallBase>(&inst))
          call->removeFnAttr("vector-function-abi-variant");
    if (f.hasFnAttribute(kLeanOnly)) {
      f.removeFnAttr(llvm::Attribute::OptimizeNone);
      f.removeFnAttr(kLeanOnly);
    }
    if (f.hasFnAttribute(kNoInlineAdded)) {
      f.removeFnAttr(llvm::Attribute::NoInline);
      f.removeFnAttr(kNoInlineAdded);
    }
  }
}

LlvmOutput emit_llvm(const Compiled& c, const std::string& name, const std::string& source_file,
                     LlvmFormat format, const LlvmOptions& opts) {
  LlvmOutput result;
  std::unique_ptr<llvm::TargetMachine> tm = make_target_machine(opts, result.error);
  if (!tm) {
    result.bad_option = true;  // the target or CPU the options name
    return result;
  }
  llvm::LLVMContext ctx;
  quiet_llvm_diagnostics(ctx);
  // An object keeps no value names: building them costs memory and time.
  if (format == LlvmFormat::Object) ctx.setDiscardValueNames(true);
  auto step = [&](const char* what) {
    if (opts.on_step) opts.on_step(what);
  };
  step("building LLVM IR");
  BuiltModule built = build_llvm_module(c, name, source_file, ctx, *tm, opts);
  const std::string optimizing = "optimizing (-O" + std::to_string(opts.opt_level) + ")";
  step(optimizing.c_str());
  optimize_llvm_module(built, *tm, opts.opt_level);
  step(format == LlvmFormat::Object ? "generating machine code" : "writing");
  llvm::Module* m = built.module.get();

  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  switch (format) {
    case LlvmFormat::Text:
      os << "; Generated by gradc " << kVersion << " from " << source_file << "; do not edit.\n"
         << "; Kernels (gradc ABI):";
      for (const KernelSpec& spec : c.kernels) {
        if (!c.emits(spec.kind)) continue;
        os << " " << name << kernel_suffix(spec.kind) << "(";
        for (size_t a = 0; a < spec.args.size(); ++a) os << (a ? ", " : "") << spec.args[a].name;
        os << ")";
        if (c.emits_batch(spec.kind))
          os << " " << name << kernel_suffix(spec.kind) << "_batch(count, ...)";
      }
      os << "\n";
      if (c.emits_any_batch())
        os << "; The _batch kernels call the vector math of glibc (libmvec): link with -lmvec.\n";
      m->print(os, nullptr);
      break;
    case LlvmFormat::Bitcode:
      llvm::WriteBitcodeToFile(*m, os);
      break;
    case LlvmFormat::Object: {
      llvm::legacy::PassManager pm;
      if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
        result.error = "the target '" + tm->getTargetTriple().str() + "' cannot write objects";
        return result;
      }
      pm.run(*m);
      break;
    }
  }
  result.bytes.assign(buffer.begin(), buffer.end());
  return result;
}

}  // namespace gradc
