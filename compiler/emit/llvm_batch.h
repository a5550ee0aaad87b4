// llvm_batch.h - the batch kernels of SPEC 3 in LLVM IR: `NAME_batch(count,
// in, out)` and `NAME_grad_batch(count, in, out, jac)`.
//
// Points go through in blocks of kBatchLanes. A kernel of one part calls
// its block form (llvm_kernel.h, build_llvm_block_kernel) per block: vector
// code on the block's points where they are, its input and result tiles
// transposed in registers. A split kernel: each block's arguments are
// transposed into local arrays, entry i of point p at [i*B + p]; the lanes
// form of the kernel (llvm_kernel.h, lane_stride B) runs once per point p
// in a loop that LLVM's loop vectorizer widens: B points side by side are
// consecutive addresses, so a vector register holds one value of W points
// (W from the target CPU: 8 with AVX-512, 4 with AVX2, 2 with SSE2; see
// batch_vector_bits), loaded and stored whole, selects become vector
// selects lane by lane, and math functions are the vector library's (glibc's
// libmvec, declared by optimize_llvm_module). The results are transposed
// back. The count % B points after the last whole block go through one
// more block when there are at least kBatchTailMin of them (copied into
// arrays of B points, the last one repeated in the lanes beyond them, and
// their results copied back), else through the one-point kernel, one by
// one; a split kernel's always go one by one. A kernel split into parts
// runs its parts' lanes forms in turn, each in its own lanes loop and
// function, passing values through a scratch array of B lanes. Block
// buffers and the scratch array are on the stack (kernels allocate
// nothing); a kernel whose arrays would exceed kMaxBatchStackDoubles is called
// once per point (no SIMD).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan/kernel_spec.h"

namespace llvm {
class BranchInst;
class Function;
class IRBuilderBase;
class MDNode;
class Module;
class TargetMachine;
class Triple;
class Value;
}  // namespace llvm

namespace gradc {

/// Points per block of a batch kernel (the widest vectors: AVX-512's 8).
inline constexpr uint32_t kBatchLanes = 8;

/// The fewest points left after the whole blocks that go through one more
/// block, padded with copies of the last point (below it, the points left
/// go one by one). A block costs about as much as 2 to 3 points one by one
/// (bench/: BA 2, MLP 3): 4 points left take half the time of one by one
/// for BA. A split kernel's block costs about 9 points one by one (the GMM
/// gradient), so its points left always go one by one.
inline constexpr uint64_t kBatchTailMin = 4;

/// The most doubles a block's arrays on the stack may take (1 MiB): its
/// transposed arrays, its tail arrays and its scratch array of lanes;
/// larger kernels run point by point, on the one-point kernel's stack.
inline constexpr uint64_t kMaxBatchStackDoubles = uint64_t{1} << 17;

/// The widest vectors, in bits, a batch kernel's loops may use on `tm`'s
/// target: 512 (8 doubles) on x86-64 Linux with AVX-512, whose vector math
/// glibc's libmvec has at 8 lanes (optimize_llvm_module declares it then),
/// else 256 (the target's registers may bound it further: SSE2 gives 2).
uint32_t batch_vector_bits(const llvm::TargetMachine& tm);

/// `llvm.loop.vectorize.enable` = `vectorize` on the loop whose latch
/// branch is `br`; with `parallel`, also `llvm.loop.parallel_accesses` for
/// that access group (no iteration touches memory another one does).
void mark_loop(llvm::BranchInst* br, bool vectorize, llvm::MDNode* parallel = nullptr);

/// Transpose the T x T matrix whose rows are the T vectors `rows` (T a power
/// of 2): row i becomes the vector of the rows' entries i. T log2(T)
/// shuffles: T = 8 gives 8 loads' worth of points as the vectors of 8
/// entries, and back.
void transpose_square(llvm::IRBuilderBase& b, std::vector<llvm::Value*>& rows);

/// Does `triple` have glibc's vector math library, libmvec (x86-64 Linux
/// with glibc; not musl)?
bool target_has_libmvec(const llvm::Triple& triple);

/// The lanes of the vector math library's functions that a batch kernel
/// may call on `tm`'s target: 8 with AVX-512, 4 with AVX2, 2 otherwise
/// where it has libmvec; 0 elsewhere (each lane calls libm).
unsigned batch_vector_math_lanes(const llvm::TargetMachine& tm);

/// Does `tm`'s target load and store vectors under a mask (x86-64 with AVX2
/// or AVX-512)? Elsewhere LLVM expands a masked load into a branch per lane.
bool batch_masked_tiles(const llvm::TargetMachine& tm);

/// Can `spec`'s batch kernel compute blocks of points in vectors (block or
/// lanes form), with a scratch array of `scratch_slots` values per lane: do
/// its arrays for a block take at most kMaxBatchStackDoubles?
bool batch_vectorizable(const KernelSpec& spec, uint32_t scratch_slots);

/// Define `extern "C" void <kernel>_batch(i64 count, <the spec's arrays>)`
/// in `m`: `block` (the kernel's block form, build_llvm_block_kernel) once
/// per block of points; or `lanes` (the kernel's lanes form,
/// build_llvm_lane_parts with lane_stride kBatchLanes; several parts pass
/// `scratch_slots` values per lane) over blocks transposed into buffers,
/// its loops vectorized up to `vector_bits` (batch_vector_bits); or, if
/// neither, `kernel` once per point.
llvm::Function* build_llvm_batch(const KernelSpec& spec, llvm::Function* kernel,
                                 llvm::Function* block, const std::vector<llvm::Function*>& lanes,
                                 uint32_t scratch_slots, uint32_t vector_bits, llvm::Module& m);

}  // namespace gradc
