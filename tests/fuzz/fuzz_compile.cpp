// fuzz_compile.cpp - libFuzzer target: bytes -> the whole compiler pipeline,
// as the driver runs it: parse, differentiate (mode, kernels, --hessian and
// --wrt from the option bytes, fuzz_input.h), then --print (text, LaTeX,
// DOT), --dump-after, the C++ source and header, and LLVM IR text in memory.
// User errors are diagnostics, not findings; a crash, sanitizer report,
// leak, InternalError or any other escaping exception is a finding.
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "emit/dump.h"
#include "emit/emit_cpp.h"
#include "emit/emit_llvm.h"
#include "emit/print.h"
#include "fuzz_input.h"

namespace {

// LLVM's optimizer is the slowest stage by far (and not gradc's code): above
// these graph sizes the fuzzer skips it, or optimizes at -O0 only, so it
// spends its time on gradc. The limits of the fuzz build (GRADC_LIMIT_SHIFT)
// keep graphs this small for most inputs.
constexpr size_t kMaxLlvmNodes = 20000;
constexpr size_t kMaxOptimizedNodes = 4000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gradc;
  fuzz::Input in = fuzz::decode(data, size);
  std::optional<gradc::Compiled> c = fuzz::compile_input(in);
  if (!c) return 0;

  std::string text = print_text(*c, "fuzz.expr");
  if (in.latex_and_dot) text += print_latex(*c, "fuzz.expr") + print_dot(*c, "fuzz.expr");
  if (in.dump)
    for (const char* pass : kDumpPasses) text += dump_after(*c, pass);
  CppFiles cpp = emit_cpp(*c, "kernel", "fuzz.expr");
  std::string header = cpp_header(*c, "kernel", "fuzz.expr");
  if (in.llvm && c->prog.graph.size() <= kMaxLlvmNodes) {
    LlvmOptions lo;
    lo.opt_level = c->prog.graph.size() <= kMaxOptimizedNodes ? in.opt_level : 0;
    LlvmOutput ir = emit_llvm(*c, "kernel", "fuzz.expr", LlvmFormat::Text, lo);
    if (!ir.error.empty()) {  // the host target always exists: a gradc bug
      std::fprintf(stderr, "fuzz_compile: emit_llvm failed: %s\n", ir.error.c_str());
      std::abort();
    }
  }
  return 0;
}
