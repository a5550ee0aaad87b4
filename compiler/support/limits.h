// limits.h - the scale of gradc's size limits (kMaxArrayElements,
// kMaxUnrolledProducts, kMaxJacobianEntries, kMaxHessianEntries; documented
// in docs/semantics.md). The fuzz build (tests/fuzz) lowers them all by the
// same factor, so the fuzzer explores the limit checks instead of spending
// its time and memory on million-node unrolls; every other build gets the
// documented limits.
#pragma once

#ifndef GRADC_LIMIT_SHIFT
#define GRADC_LIMIT_SHIFT 0
#endif

namespace gradc {

/// Every size limit is divided by 2^kLimitShift (0 except in the fuzz build).
inline constexpr int kLimitShift = GRADC_LIMIT_SHIFT;
static_assert(kLimitShift >= 0 && kLimitShift <= 20, "GRADC_LIMIT_SHIFT must be 0..20");

}  // namespace gradc
