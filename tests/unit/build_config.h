// build_config.h - what differs between the test builds (the plain and the
// sanitized one): defined in build_config.cpp alone, so that every other
// test source compiles to the same object in both (scripts/test.sh shares
// those objects between the two builds through ccache).
#pragma once

namespace gradc_test {

/// The gradc command of this build tree.
extern const char* const kGradcBinary;

/// Built with AddressSanitizer (-DGRADC_SANITIZE=ON)? There LLVM's many small
/// allocations go through ASan's allocator and in-process code generation is
/// several times slower, so the property tests give the compiled backends
/// only the first quarter of their random programs (backend_share; the
/// plain run takes all). The tests themselves are not instrumented.
extern const bool kSanitized;

}  // namespace gradc_test
