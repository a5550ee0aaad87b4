// fuzz_input.h - how the libFuzzer targets read their input: two option
// bytes, then the program text. Shared by fuzz_compile and fuzz_interp, so
// their corpora are interchangeable (docs/fuzzing.md describes the format).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

#include "plan/kernel_spec.h"
#include "pipeline.h"

namespace gradc::fuzz {

/// What the option bytes ask for. Byte 0, bit by bit:
///   0-1 --mode: 0 auto, 1 reverse, 2 forward, 3 auto
///   2   --hessian (adds the hess kernel)
///   3   also --print=latex and --print=dot (text is always printed)
///   4   --wrt=x (an error where x is not an input)
///   5   no LLVM IR
///   6-7 LLVM -O level 0..3
/// Byte 1: bits 0-6 choose kernels in kAllKernelKinds order (f grad jvp vjp
/// hess hvp sparse; 0 = the default f,grad); bit 7 --dump-after every pass.
/// Missing bytes count as 0, so the example programs are inputs too (their
/// first two characters become options).
struct Input {
  CompileOptions compile;
  bool latex_and_dot = false;
  bool llvm = true;
  int opt_level = 0;
  bool dump = false;
  std::string program;
};

inline Input decode(const uint8_t* data, size_t size) {
  Input in;
  uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
  in.compile.mode = (b0 & 3) == 1 ? DiffMode::Reverse : (b0 & 3) == 2 ? DiffMode::Forward
                                                                       : DiffMode::Auto;
  in.latex_and_dot = b0 & 8;
  if (b0 & 16) in.compile.wrt = std::vector<std::string>{"x"};
  in.llvm = !(b0 & 32);
  in.opt_level = b0 >> 6;
  in.dump = b1 & 128;
  if (b1 & 127) {
    in.compile.kernels.clear();
    for (int i = 0; i < 7; ++i)
      if (b1 & (1 << i)) in.compile.kernels.push_back(kAllKernelKinds[i]);
  }
  bool hess = false;
  for (KernelKind k : in.compile.kernels) hess = hess || k == KernelKind::Hess;
  if ((b0 & 4) && !hess) in.compile.kernels.push_back(KernelKind::Hess);
  size_t skip = size < 2 ? size : 2;
  in.program.assign(reinterpret_cast<const char*>(data) + skip, size - skip);
  return in;
}

/// A deterministic point for the program's n input scalars, varied by `seed`:
/// finite, nonzero values of both signs, some outside [-1, 1].
/// Compile `in`'s program with its options; errors (diagnostics, never a
/// finding) give nullopt.
inline std::optional<Compiled> compile_input(Input& in) {
  SourceFile source("fuzz.expr", std::move(in.program));
  std::ostringstream errors;
  Diagnostics diag(&source, errors);
  PassTimer timer;
  std::optional<Compiled> c = compile(source, diag, in.compile, timer);
  diag.flush();
  return c;
}

inline std::vector<double> point(size_t n, uint64_t seed) {
  static constexpr double kValues[] = {0.5, -1.25, 2.0, 0.75, -0.3, 1.5, 3.0, -2.5, 0.125};
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = kValues[(seed + 7 * i) % std::size(kValues)];
  return v;
}

/// FNV-1a of the input, to vary the point with the program.
inline uint64_t hash(const uint8_t* data, size_t size) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

}  // namespace gradc::fuzz
