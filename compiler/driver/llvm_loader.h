// llvm_loader.h - the gradc command's way to LLVM: it opens the runtime
// library (runtime/llvm_backend.h) the first time an output or a run needs
// LLVM, so C++ output, --print, --explain and one-point --eval never load
// libLLVM.
#pragma once

#include <string>

#include "llvm_backend.h"

namespace gradc {

/// The backend, opened once per process; null with the reason in `error`
/// when the library is missing or from another build. Looks beside the
/// executable, then in its ../LIBDIR (an installed gradc); the environment
/// variable GRADC_RUNTIME_LIBRARY names the file instead.
const LlvmBackend* load_llvm_backend(std::string& error);

}  // namespace gradc
