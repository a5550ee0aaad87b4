// kernel_stack.h - gradc's own calls of JIT-compiled kernels (--eval with
// -O or many points, --check) run on a thread whose stack holds the
// kernels' scratch arrays: kernels allocate nothing (SPEC 3), so a split
// kernel keeps the values crossing its parts on the stack, which can pass
// the main thread's (8 MiB by default, less under `ulimit -s`).
#pragma once

#include <functional>

#include "compiled.h"

namespace gradc {

/// f(), on the calling thread if its stack limit holds every kernel of `c`
/// with room to spare, else on a thread with a stack that does (the
/// scratch array of any kernel is at most 8 bytes per node of the graph);
/// an exception f throws reaches the caller.
int run_on_kernel_stack(const Compiled& c, const std::function<int()>& f);

}  // namespace gradc
