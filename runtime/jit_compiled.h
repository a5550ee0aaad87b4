// jit_compiled.h - the JIT entry point for code that already holds a
// compiled program (the gradc command's --eval and --check). Internal: not
// installed; apps use jit_compile in gradc_runtime.h.
#pragma once

#include "gradc_runtime.h"
#include "compiled.h"

namespace gradc {

/// JIT-compile the kernels of `c` (opts.wrt and opts.file_name are unused:
/// `c` is already differentiated; of opts.kernels, only "batch" counts: the
/// batch kernels are built if it is there or c has them).
Kernel jit_compiled(const Compiled& c, const JitOptions& opts);

}  // namespace gradc
