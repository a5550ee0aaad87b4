// llvm_batch.cpp - a batch kernel: the loop over blocks of points, each
// block the kernel's block form, or transposed into lanes for the lanes
// loops marked for the loop vectorizer and transposed back (see
// llvm_batch.h).
#include "emit/llvm_batch.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/Target/TargetMachine.h>

#include <functional>
#include <vector>

#include "plan/kernel_plan.h"

namespace gradc {

namespace {

// for (i = lo; i < hi; ++i) body(i), at the builder's insert point, which
// is left after the loop. Only the lanes loop is vectorized: the copies
// would become gathers and scatters.
void counted_loop(llvm::IRBuilder<>& b, llvm::Value* lo, llvm::Value* hi, const char* name,
                  bool vectorize, const std::function<void(llvm::Value*)>& body,
                  llvm::MDNode* parallel = nullptr) {
  llvm::LLVMContext& ctx = b.getContext();
  llvm::Function* f = b.GetInsertBlock()->getParent();
  llvm::BasicBlock* before = b.GetInsertBlock();
  auto* head = llvm::BasicBlock::Create(ctx, name, f);
  auto* after = llvm::BasicBlock::Create(ctx, std::string(name) + ".end", f);
  b.CreateCondBr(b.CreateICmpULT(lo, hi), head, after);
  b.SetInsertPoint(head);
  llvm::PHINode* i = b.CreatePHI(b.getInt64Ty(), 2, name);
  i->addIncoming(lo, before);
  body(i);
  llvm::Value* next = b.CreateAdd(i, b.getInt64(1), "", true, true);
  i->addIncoming(next, b.GetInsertBlock());
  mark_loop(b.CreateCondBr(b.CreateICmpULT(next, hi), head, after), vectorize, parallel);
  b.SetInsertPoint(after);
}

size_t total_entries(const KernelSpec& spec) {
  size_t n = 0;
  for (const KernelArray& a : spec.args) n += a.size;
  return n;
}

}  // namespace

// The parallel access group lets the loop vectorizer and loop-load
// elimination skip their dependence analysis,
// which compares every pair of the loop's loads and stores (a lanes loop
// has thousands: 21 of the 23 s that the batch kernels of a 22,000-node
// gradient took to compile at -O1).
void mark_loop(llvm::BranchInst* br, bool vectorize, llvm::MDNode* parallel) {
  llvm::LLVMContext& ctx = br->getContext();
  llvm::Metadata* hint[] = {
      llvm::MDString::get(ctx, "llvm.loop.vectorize.enable"),
      llvm::ConstantAsMetadata::get(llvm::ConstantInt::getBool(ctx, vectorize))};
  std::vector<llvm::Metadata*> operands{nullptr, llvm::MDNode::get(ctx, hint)};
  if (parallel) {
    llvm::Metadata* accesses[] = {llvm::MDString::get(ctx, "llvm.loop.parallel_accesses"),
                                  parallel};
    operands.push_back(llvm::MDNode::get(ctx, accesses));
  }
  llvm::MDNode* id = llvm::MDNode::getDistinct(ctx, operands);
  id->replaceOperandWith(0, id);
  br->setMetadata(llvm::LLVMContext::MD_loop, id);
}

bool target_has_libmvec(const llvm::Triple& triple) {
  // glibc's: not musl's or any other C library's.
  return triple.getArch() == llvm::Triple::x86_64 && triple.isOSLinux() &&
         (triple.isGNUEnvironment() || triple.getEnvironment() == llvm::Triple::UnknownEnvironment);
}

uint32_t batch_vector_bits(const llvm::TargetMachine& tm) {
  // Where optimize_llvm_module declares libmvec only: else each math call
  // of an 8-wide vector would be 8 scalar calls.
  const bool avx512 = target_has_libmvec(tm.getTargetTriple()) &&
                      tm.getMCSubtargetInfo()->checkFeatures("+avx512f");
  return avx512 ? 512 : 256;
}

unsigned batch_vector_math_lanes(const llvm::TargetMachine& tm) {
  if (!target_has_libmvec(tm.getTargetTriple())) return 0;
  const llvm::MCSubtargetInfo& cpu = *tm.getMCSubtargetInfo();
  return cpu.checkFeatures("+avx512f") ? 8 : cpu.checkFeatures("+avx2") ? 4 : 2;
}

bool batch_masked_tiles(const llvm::TargetMachine& tm) {
  const llvm::MCSubtargetInfo& cpu = *tm.getMCSubtargetInfo();
  return tm.getTargetTriple().getArch() == llvm::Triple::x86_64 &&
         (cpu.checkFeatures("+avx512f") || cpu.checkFeatures("+avx2"));
}

// Stage k swaps bit k of the row index with bit k of the column index,
// between rows r and r | 2^k: row r keeps its columns c with bit k clear and
// takes row (r | 2^k)'s column c ^ 2^k for the others, and the other row the
// reverse.
void transpose_square(llvm::IRBuilderBase& b, std::vector<llvm::Value*>& v) {
  const uint64_t T = v.size();
  for (uint64_t bit = 1; bit < T; bit *= 2) {
    std::vector<int> keep_low(T), keep_high(T);
    for (uint64_t c = 0; c < T; ++c) {
      keep_low[c] = int((c & bit) ? T + (c ^ bit) : c);
      keep_high[c] = int((c & bit) ? T + c : c ^ bit);
    }
    for (uint64_t r = 0; r < T; ++r)
      if (!(r & bit)) {
        llvm::Value* low = b.CreateShuffleVector(v[r], v[r | bit], keep_low);
        v[r | bit] = b.CreateShuffleVector(v[r], v[r | bit], keep_high);
        v[r] = low;
      }
  }
}

bool batch_vectorizable(const KernelSpec& spec, uint32_t scratch_slots) {
  // The block form has the tail arrays, the lanes form (split kernels) the
  // lanes buffers and the scratch array of B lanes: one array of B points
  // per kernel array either way (build_llvm_batch).
  return (total_entries(spec) + scratch_slots) * kBatchLanes <= kMaxBatchStackDoubles;
}

llvm::Function* build_llvm_batch(const KernelSpec& spec, llvm::Function* kernel,
                                 llvm::Function* block, const std::vector<llvm::Function*>& lanes,
                                 uint32_t scratch_slots, uint32_t vector_bits, llvm::Module& m) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* dbl = b.getDoubleTy();
  std::vector<llvm::Type*> params{i64};
  params.insert(params.end(), spec.args.size(), b.getPtrTy());
  auto* f = llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), params, false),
                                   llvm::Function::ExternalLinkage, kernel->getName() + "_batch",
                                   m);
  f->setDoesNotThrow();
  f->addFnAttr("no-trapping-math", "true");
  f->addFnAttr("probe-stack", "inline-asm");  // frames beyond a page probe it
  // The vectors the target's vector math has (llvm_batch.h).
  const std::string vector_width = std::to_string(vector_bits);
  f->addFnAttr("prefer-vector-width", vector_width);
  llvm::Value* count = f->getArg(0);
  count->setName("count");
  for (unsigned a = 0; a < spec.args.size(); ++a) {
    f->getArg(a + 1)->setName(spec.args[a].name);
    f->addParamAttr(a + 1, llvm::Attribute::NoCapture);
    f->addParamAttr(a + 1, llvm::Attribute::NoAlias);
  }
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", f));
  auto array = [&](unsigned a) { return f->getArg(a + 1); };
  auto at = [&](llvm::Value* base, llvm::Value* index, const llvm::Twine& name = "") {
    return b.CreateInBoundsGEP(dbl, base, index, name);
  };
  auto times = [&](llvm::Value* x, uint64_t k) { return b.CreateMul(x, b.getInt64(k), "", true, true); };

  // for (p = from; p < count; ++p) kernel(in + p*n, out + p*m, ...)
  auto point_by_point = [&](llvm::Value* from) {
    counted_loop(b, from, count, "point", false, [&](llvm::Value* p) {
      std::vector<llvm::Value*> args;
      for (unsigned a = 0; a < spec.args.size(); ++a)
        args.push_back(at(array(a), times(p, spec.args[a].size)));
      b.CreateCall(kernel, args);
    });
    b.CreateRetVoid();
    return f;
  };
  if (lanes.empty() && !block) return point_by_point(b.getInt64(0));

  // The block buffers: entry i of lane p at [i*B + p]; and the last
  // block's points when the count is not a multiple of B (the `tail`
  // arrays, B points one after another). On the stack within its bound,
  // else in the memory allocated once per call below.
  const uint64_t B = kBatchLanes;
  auto block_doubles = [&](const KernelArray& a) { return std::max<uint64_t>(a.size, 1) * B; };
  // The block form reads and writes the points where they are: no lanes
  // buffers, only the tail arrays.
  const bool lanes_buffers = block == nullptr;
  // Whether the count % B points left after the whole blocks may go through
  // one more block (at least kBatchTailMin of them). Not for a kernel split
  // into parts: its lanes gain too little over its one-point kernel (the
  // GMM gradient: 193 ns per point in whole blocks against 220) for a
  // padded block to pay (4 points took 490 ns each that way, 7 points 310),
  // so its points left go one by one, and it has no tail arrays.
  const bool tail_block = lanes.size() <= 1;
  const uint64_t tail_min = tail_block ? kBatchTailMin : B;
  // All on the stack (SPEC 3: kernels allocate nothing), bounded by
  // batch_vectorizable.
  std::vector<llvm::Value*> buffer, tail;
  for (const KernelArray& a : spec.args) {
    llvm::Type* points = llvm::ArrayType::get(dbl, block_doubles(a));
    if (lanes_buffers) buffer.push_back(b.CreateAlloca(points, nullptr, a.name + ".lanes"));
    if (tail_block) tail.push_back(b.CreateAlloca(points, nullptr, a.name + ".tail"));
  }
  // for (p = 0; p < B; ++p) part(buffers + p, [scratch + p]): the loop the
  // vectorizer widens, at the builder's insert point.
  auto lane_loop = [&](llvm::Function* part, const std::vector<llvm::Value*>& arrays,
                       llvm::Value* scratch) {
    // Lane p reads and writes only entries [i*B + p] of the arrays it is
    // given. The call carries the loop's access group, which inlining gives
    // every instruction of the part that touches memory; the part's
    // pointers are not noalias (llvm_kernel.cpp), as the scope declarations
    // inlining would add for them are memory operations without the group.
    llvm::MDNode* group = llvm::MDNode::getDistinct(ctx, {});
    counted_loop(
        b, b.getInt64(0), b.getInt64(B), "lane", true,
        [&](llvm::Value* p) {
          std::vector<llvm::Value*> args;
          for (llvm::Value* a : arrays) args.push_back(at(a, p));
          if (scratch) args.push_back(at(scratch, p));
          b.CreateCall(part, args)->setMetadata(llvm::LLVMContext::MD_access_group, group);
        },
        group);
  };
  // A split kernel: the values crossing parts in a scratch array of B lanes
  // (allocated once per call), and each part's lanes loop in its own
  // function, as the one-point kernel keeps its parts apart (code
  // generation is superlinear in a function's size).
  llvm::Value* scratch = nullptr;
  std::vector<llvm::Function*> part_loops;
  if (lanes.size() > 1) {
    scratch = b.CreateAlloca(llvm::ArrayType::get(dbl, std::max<uint64_t>(scratch_slots, 1) * B),
                             nullptr, "s.lanes");
    llvm::Type* ptr = b.getPtrTy();
    std::vector<llvm::Type*> loop_params(spec.args.size() + 1, ptr);
    for (size_t k = 0; k < lanes.size(); ++k) {
      auto* loop = llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), loop_params, false),
                                          llvm::Function::InternalLinkage,
                                          f->getName() + ".part" + llvm::Twine(k + 1), m);
      loop->setDoesNotThrow();
      loop->addFnAttr(llvm::Attribute::NoInline);
      loop->addFnAttr("probe-stack", "inline-asm");
      loop->addFnAttr("no-trapping-math", "true");
      loop->addFnAttr("prefer-vector-width", vector_width);
      for (unsigned a = 0; a < loop->arg_size(); ++a) {
        loop->addParamAttr(a, llvm::Attribute::NoCapture);
        loop->addParamAttr(a, llvm::Attribute::NoAlias);
      }
      llvm::IRBuilderBase::InsertPointGuard keep(b);
      b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", loop));
      std::vector<llvm::Value*> arrays;
      for (unsigned a = 0; a < spec.args.size(); ++a) arrays.push_back(loop->getArg(a));
      lane_loop(lanes[k], arrays, loop->getArg(unsigned(spec.args.size())));
      b.CreateRetVoid();
      part_loops.push_back(loop);
    }
  }
  // Fewer points than a tail block needs: one by one, without setting up
  // the lanes.
  {
    auto* few = llvm::BasicBlock::Create(ctx, "few", f);
    auto* lanes_setup = llvm::BasicBlock::Create(ctx, "lanes", f);
    b.CreateCondBr(b.CreateICmpULT(count, b.getInt64(tail_min)), few, lanes_setup);
    b.SetInsertPoint(few);
    point_by_point(b.getInt64(0));
    b.SetInsertPoint(lanes_setup);
  }
  // Transpose array `a` of the block's B points, starting at `points`
  // (point p's entry i at [p*size + i]), into its lanes buffer (entry i of
  // lane p at [i*B + p]), or back. Square tiles of T entries x T points
  // move as T vector loads, T log2(T) shuffles and T vector stores (a
  // transpose is its own inverse): tiles of 8 where the target has 8-double
  // vectors, then of 4 for the entries left; the entries after the last
  // whole tile go one by one.
  auto transpose = [&](unsigned a, llvm::Value* points, bool into_lanes) {
    const uint64_t size = spec.args[a].size;
    uint64_t done = 0;  // entries transposed so far
    for (uint64_t T : {uint64_t{8}, uint64_t{4}}) {
      if (T > B || T * 64 > vector_bits || size - done < T) continue;
      const uint64_t tiles = (size - done) / T, first_entry = done;
      llvm::Type* vector = llvm::FixedVectorType::get(dbl, unsigned(T));
      const char* tag = into_lanes ? "tile.in" : "tile.out";
      for (uint64_t q = 0; q < B; q += T)
        counted_loop(b, b.getInt64(0), b.getInt64(tiles), tag, false, [&](llvm::Value* t) {
          llvm::Value* e = b.CreateAdd(times(t, T), b.getInt64(first_entry));
          // Point q+j's entries e..e+T-1, and entry e+i's lanes q..q+T-1.
          auto point_at = [&](uint64_t j) { return at(points, b.CreateAdd(e, b.getInt64((q + j) * size))); };
          auto lanes_at = [&](uint64_t i) {
            return at(buffer[a], b.CreateAdd(times(b.CreateAdd(e, b.getInt64(i)), B), b.getInt64(q)));
          };
          std::vector<llvm::Value*> v(T);
          for (uint64_t j = 0; j < T; ++j)
            v[j] = b.CreateAlignedLoad(vector, into_lanes ? point_at(j) : lanes_at(j), llvm::Align(8));
          transpose_square(b, v);
          for (uint64_t i = 0; i < T; ++i)
            b.CreateAlignedStore(v[i], into_lanes ? lanes_at(i) : point_at(i), llvm::Align(8));
        });
      done += tiles * T;
    }
    if (done == size) return;
    counted_loop(b, b.getInt64(0), b.getInt64(B), into_lanes ? "lane.in" : "lane.out", false,
                 [&](llvm::Value* p) {
      llvm::Value* point = at(points, times(p, size));
      counted_loop(b, b.getInt64(done), b.getInt64(size), into_lanes ? "entry.in" : "entry.out",
                   false, [&](llvm::Value* i) {
        llvm::Value* lane = at(buffer[a], b.CreateAdd(times(i, B), p));
        if (into_lanes) b.CreateStore(b.CreateLoad(dbl, at(point, i)), lane);
        else b.CreateStore(b.CreateLoad(dbl, lane), at(point, i));
      });
    });
  };
  // Whole blocks of B points in lanes. The count % B points left: with at
  // least tail_min of them, one more block, on the tail arrays (those
  // points copied in, the last of them repeated in the lanes beyond them,
  // so that every lane computes on a real point; their results copied
  // out), else one by one.
  llvm::Value* whole = b.CreateUDiv(count, b.getInt64(B), "whole");
  llvm::Value* done = times(whole, B);
  llvm::Value* left = b.CreateSub(count, done, "left");
  llvm::Value* in_tail =
      tail_block ? b.CreateICmpUGE(left, b.getInt64(tail_min), "in_tail") : b.getFalse();
  // if (in_tail) body(), at the builder's insert point.
  auto if_tail = [&](const char* name, const std::function<void()>& body) {
    if (!tail_block) return;
    auto* then = llvm::BasicBlock::Create(ctx, name, f);
    auto* after = llvm::BasicBlock::Create(ctx, std::string(name) + ".end", f);
    b.CreateCondBr(in_tail, then, after);
    b.SetInsertPoint(then);
    body();
    b.CreateBr(after);
    b.SetInsertPoint(after);
  };
  // Point `tail_point` of the tail arrays from point `user_point` of the
  // user's arrays (into_tail: the inputs), or back (the results).
  auto copy_point = [&](llvm::Value* tail_point, llvm::Value* user_point, bool into_tail) {
    for (unsigned a = 0; a < spec.args.size(); ++a) {
      const uint64_t size = spec.args[a].size;
      if (spec.args[a].result == into_tail || size == 0) continue;
      llvm::Value* in_tail_arrays = at(tail[a], times(tail_point, size));
      llvm::Value* in_user_arrays = at(array(a), times(user_point, size));
      b.CreateMemCpy(into_tail ? in_tail_arrays : in_user_arrays, llvm::Align(8),
                     into_tail ? in_user_arrays : in_tail_arrays, llvm::Align(8),
                     size * sizeof(double));
    }
  };
  if_tail("tail.in", [&] {
    counted_loop(b, b.getInt64(0), b.getInt64(B), "tail.point", false, [&](llvm::Value* p) {
      llvm::Value* last = b.CreateSub(left, b.getInt64(1));
      copy_point(p, b.CreateAdd(done, b.CreateSelect(b.CreateICmpULT(p, left), p, last)), true);
    });
  });
  llvm::Value* blocks = b.CreateAdd(whole, b.CreateZExt(in_tail, i64), "blocks");
  counted_loop(b, b.getInt64(0), blocks, "block", false, [&](llvm::Value* index) {
    llvm::Value* first = times(index, B);
    llvm::Value* is_tail = tail_block ? b.CreateICmpEQ(index, whole, "is_tail") : nullptr;
    // The block's points: the user's arrays, or the tail arrays.
    auto points = [&](unsigned a) {
      llvm::Value* user = at(array(a), times(first, spec.args[a].size));
      return is_tail ? b.CreateSelect(is_tail, tail[a], user) : user;
    };
    if (block) {  // the block form: its own transposes, tile by tile
      std::vector<llvm::Value*> args;
      for (unsigned a = 0; a < spec.args.size(); ++a) args.push_back(points(a));
      b.CreateCall(block, args);
      return;
    }
    for (unsigned a = 0; a < spec.args.size(); ++a)  // in: transposed into lanes
      if (!spec.args[a].result && spec.args[a].size > 0)
        transpose(a, points(a), true);
    // The kernel, lane by lane: the loop the vectorizer widens (one per part).
    if (part_loops.empty()) {
      lane_loop(lanes[0], buffer, nullptr);
    } else {
      std::vector<llvm::Value*> args = buffer;
      args.push_back(scratch);
      for (llvm::Function* loop : part_loops) b.CreateCall(loop, args);
    }
    for (unsigned a = 0; a < spec.args.size(); ++a)  // out: transposed back
      if (spec.args[a].result && spec.args[a].size > 0)
        transpose(a, points(a), false);
  });
  if_tail("tail.out", [&] {
    counted_loop(b, b.getInt64(0), left, "tail.result", false, [&](llvm::Value* p) {
      copy_point(p, b.CreateAdd(done, p), false);
    });
  });
  return point_by_point(b.CreateSelect(in_tail, count, done));
}

}  // namespace gradc
