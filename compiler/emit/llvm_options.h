// llvm_options.h - how the LLVM backend is asked for output and what it
// gives back. No LLVM types: the gradc command includes it without linking
// LLVM (emit/llvm_backend.h).
#pragma once

#include <functional>
#include <string>

namespace gradc {

enum class LlvmFormat { Text, Bitcode, Object };

struct LlvmOptions {
  int opt_level = 2;        ///< 0..3: the default pipelines O0..O3
  bool fast_math = false;   ///< allow reassociation etc.; changes results
  std::string target;       ///< target triple; empty: this machine
  /// CPU whose instructions the code may use: empty or "generic" (any CPU
  /// of the triple), "native" (this machine's), or a name ("haswell").
  std::string cpu;
  bool value_names = true;  ///< readable value names (off in the JIT: faster)
  bool every_kernel = false;  ///< every kernel built, not only --kernels' (the JIT)
  bool batch = false;  ///< every kernel's batch variant too, whatever --kernels says (the JIT)
  /// Told what the backend does next ("generating machine code"), for the
  /// command's progress line; may be empty.
  std::function<void(const char* step)> on_step;
};

/// The bytes of an output file, or an error message for the user.
struct LlvmOutput {
  std::string bytes;
  std::string error;
  /// The error is about the options: an unknown --target or --cpu (a usage
  /// error, exit status 2).
  bool bad_option = false;
};

}  // namespace gradc
