// llvm_kernel.cpp - kernel bodies as LLVM IR, split into parts as the plan
// says (see llvm_kernel.h). One loop over the plan's items; no recursion.
#include "emit/llvm_kernel.h"

#include <fmt/format.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include "emit/llvm_batch.h"
#include "emit/llvm_ops.h"

namespace gradc {

namespace {

class KernelBuilder {
 public:
  KernelBuilder(const Compiled& c, const KernelPlan& plan, const LlvmKernelOptions& opts,
                llvm::Module& m);
  llvm::Function* build(const std::string& fn_name);
  /// The lanes form: one function per part (see build_llvm_lane_parts).
  std::vector<llvm::Function*> build_lane_parts(const std::string& fn_name);
  /// The block form (see build_llvm_block_kernel).
  llvm::Function* build_block(const std::string& fn_name);

 private:
  static constexpr uint32_t kNone = KernelPlan::kNone;
  llvm::Function* new_function(const std::string& name, bool part);
  /// Emit the items of part `part` into `f`, whose arguments are the
  /// kernel's arrays [and the scratch array].
  void emit_part(llvm::Function* f, uint32_t part);
  /// Emit loop `l` of the plan: iteration 0's items in a loop block whose
  /// counter indexes the leaves, the stores and the loop's scratch arrays.
  void emit_loop(uint32_t l);
  /// Count one item (or table copy) emitted, and go on in a new basic
  /// block once the current one holds kMaxBlockItems (split kernels).
  void bound_block();
  /// Emit a Step, or a Store (in a loop, to entry index + store_stride*i).
  void emit_item(const PlanItem& item, int64_t store_stride);
  /// Emit `id` and the nodes inlined into it (none of them emitted yet).
  void emit_expression(NodeId id);
  /// Lane groups (plan/lanes.h) in a one-point kernel: a group's vector of
  /// two doubles, its members then extracted where scalars read them.
  bool lanes() const { return !plan_.lanes.empty() && !opts_.block_points && !opts_.lane_stride; }
  llvm::Value* emit_group(uint32_t group);
  /// Lane operands x, y as a vector: a group's, a pack, or a splat of the
  /// scalar both read.
  llvm::Value* lane_pair(NodeId x, NodeId y);
  /// The scalar value of `id`, emitting its expression if it is inlined.
  llvm::Value* scalar(NodeId id);
  void emit_node(NodeId id);
  llvm::Value* get(NodeId id);
  llvm::Value* load_input(uint32_t index);
  llvm::Value* cond_of(NodeId id);
  llvm::Value* element(llvm::Value* base, size_t index);
  /// Element base + stride*counter_ (in a loop).
  llvm::Value* element(llvm::Value* base, int64_t index, int64_t stride);
  /// The argument array and index of input scalar `index`.
  std::pair<uint32_t, size_t> input_place(uint32_t index) const;
  // The block form: entry `index` of read array `a` as a vector of the
  // block's points (its tile transposed on first use), and a result entry's
  // vector (its tile written once complete).
  llvm::Value* block_input(uint32_t a, size_t index);
  void block_result(uint32_t a, size_t index, llvm::Value* v);
  void check_results_written() const;
  /// Entries of array `a`'s tile starting at entry `first`: 8, or fewer
  /// for its last.
  size_t tile_entries(uint32_t a, size_t first) const {
    return std::min<size_t>(opts_.block_points, spec_.args[a].size - first);
  }
  /// No value emitted yet (a new function).
  void reset_values();
  /// Entries [first, first + n) of array `a`, n <= 8: the vector of each
  /// (into_vectors), or back, from `values` to the points.
  void move_tile(uint32_t a, size_t first, size_t n, std::vector<llvm::Value*>& values,
                 bool into_vectors);

  const Graph& g_;
  const KernelPlan& plan_;
  const KernelSpec& spec_;
  LlvmKernelOptions opts_;
  llvm::Module& m_;
  llvm::IRBuilder<> b_;
  LlvmOpLowering ops_;
  llvm::Type* double_;
  std::vector<std::string> input_names_;  // by input scalar of `in`
  // By node id: the part its value / i1 truth was made in, and those values.
  std::vector<uint32_t> value_part_;
  std::vector<llvm::Value*> value_, cond_;
  std::vector<NodeId> expr_;  // scratch for expression_nodes
  uint32_t part_ = 0;
  std::vector<llvm::Value*> args_;  // the current function's arrays, as spec_.args
  llvm::Value* scratch_ = nullptr;
  llvm::Value* counter_ = nullptr;       // the loop counter, in a loop's body
  size_t block_items_ = 0;               // items emitted into the current block (bound_block)
  std::vector<NodeId> loop_values_;      // nodes given a value in a loop's body
  // The block form, by array and entry: input vectors; result vectors and
  // how many of each tile's entries are computed.
  std::vector<std::vector<llvm::Value*>> block_values_;
  std::vector<std::vector<uint32_t>> tile_done_;
  std::vector<llvm::Value*> group_value_;  // by lane group, once emitted in this part
};

// The type of every value: double, or in the block form a vector of the
// block's points.
static llvm::Type* value_type(llvm::LLVMContext& ctx, const LlvmKernelOptions& opts) {
  llvm::Type* dbl = llvm::Type::getDoubleTy(ctx);
  return opts.block_points ? llvm::FixedVectorType::get(dbl, opts.block_points) : dbl;
}

KernelBuilder::KernelBuilder(const Compiled& c, const KernelPlan& plan,
                             const LlvmKernelOptions& opts, llvm::Module& m)
    : g_(c.prog.graph), plan_(plan), spec_(*plan.spec), opts_(opts), m_(m), b_(m.getContext()),
      ops_(b_, opts.block_points ? value_type(m.getContext(), opts) : nullptr,
           opts.vector_math_lanes),
      double_(value_type(m.getContext(), opts)) {
  if (opts.fast_math) b_.setFastMathFlags(llvm::FastMathFlags::getFast());
  for (const Variable& v : c.prog.inputs)
    for (size_t e = 0; e < v.size(); ++e)
      input_names_.push_back(v.is_scalar() ? v.name : fmt::format("{}.{}", v.name, e));
}

llvm::Value* KernelBuilder::element(llvm::Value* base, size_t index) {
  if (opts_.lane_stride) index *= opts_.lane_stride;  // the arrays and the scratch
  return b_.CreateConstInBoundsGEP1_64(double_, base, index);
}

llvm::Value* KernelBuilder::element(llvm::Value* base, int64_t index, int64_t stride) {
  llvm::Value* at = b_.CreateAdd(b_.CreateMul(counter_, b_.getInt64(uint64_t(stride))),
                                 b_.getInt64(uint64_t(index)));
  return b_.CreateInBoundsGEP(double_, base, at);
}

std::pair<uint32_t, size_t> KernelBuilder::input_place(uint32_t index) const {
  uint32_t a = spec_.read_arg_of(index);
  if (a == UINT32_MAX)
    throw InternalError(fmt::format("input scalar {} is not in any argument of the kernel", index));
  return {a, index - spec_.args[a].first_input};
}

// Input scalars never change during a call (read arrays must not overlap the
// written ones): marked invariant, a load can be repeated instead of its
// value being spilled when registers run out.
llvm::Value* KernelBuilder::load_input(uint32_t index) {
  auto [a, at] = input_place(index);
  if (opts_.block_points) return block_input(a, at);
  const KernelArray& arg = spec_.args[a];
  std::string name = !opts_.value_names ? ""
                     : arg.name == "in" ? input_names_[index]
                                        : fmt::format("{}.{}", arg.name, at);
  llvm::LoadInst* load = b_.CreateLoad(double_, element(args_[a], at), name);
  // Not in the lanes form: its arrays are a batch kernel's block buffers,
  // rewritten for every block.
  if (!opts_.lane_stride)
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(m_.getContext(), {}));
  return load;
}

llvm::Value* KernelBuilder::get(NodeId id) {
  const Node& n = g_[id];
  if (n.op == Op::Const) return llvm::ConstantFP::get(double_, g_.const_value(id));
  if (value_part_[id] == part_) return value_[id];
  llvm::Value* v = n.op == Op::Input ? load_input(n.a)  // first use in this part
                                     : b_.CreateLoad(double_, element(scratch_, plan_.slot[id]));
  value_part_[id] = part_;
  value_[id] = v;
  cond_[id] = nullptr;
  return v;
}

// The i1 of a comparison computed in this part, else value != 0.
llvm::Value* KernelBuilder::cond_of(NodeId id) {
  llvm::Value* v = get(id);
  return cond_[id] ? cond_[id] : ops_.truth(v);
}

void KernelBuilder::emit_node(NodeId id) {
  const Node& n = g_[id];
  llvm::Value* v = nullptr;
  llvm::Value* cond = nullptr;
  if (n.op == Op::Select) {
    v = b_.CreateSelect(cond_of(n.a), get(n.b), get(n.c));
  } else if (n.op == Op::And || n.op == Op::Or) {
    cond = ops_.condition(n.op, cond_of(n.a), cond_of(n.b));
  } else if (n.op == Op::Not) {
    cond = ops_.condition(n.op, cond_of(n.a), nullptr);
  } else if (is_boolean_op(n.op)) {
    cond = ops_.condition(n.op, get(n.a), get(n.b));
  } else {
    v = ops_.value(n.op, get(n.a), arity(n) == 2 ? get(n.b) : nullptr);
  }
  if (cond) v = ops_.as_double(cond);
  if (counter_) loop_values_.push_back(id);
  value_part_[id] = part_;
  value_[id] = v;
  cond_[id] = cond;
}

void KernelBuilder::emit_expression(NodeId id) {
  expression_nodes(g_, plan_.schedule, id, expr_);
  for (NodeId x : expr_) emit_node(x);
  llvm::Value* v = value_[id];
  if (opts_.value_names && plan_.schedule.materialized[id] && llvm::isa<llvm::Instruction>(v) &&
      !v->hasName())
    v->setName(plan_.schedule.name(id));
  if (scratch_ && plan_.slot[id] != kNone)
    b_.CreateStore(v, counter_ ? element(scratch_, plan_.slot[id], 1)
                               : element(scratch_, plan_.slot[id]));
}

namespace {

// Does code in blocks first..last (in function order) call a math function
// that is not exact? sqrt, fabs, floor, ceil and the like are correctly
// rounded in vector form too; sin, exp, ... would become libmvec's.
bool calls_math(llvm::BasicBlock* first, llvm::BasicBlock* last) {
  for (auto it = first->getIterator();; ++it) {
    for (llvm::Instruction& inst : *it)
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&inst)) {
        switch (call->getIntrinsicID()) {
          case llvm::Intrinsic::sqrt: case llvm::Intrinsic::fabs: case llvm::Intrinsic::floor:
          case llvm::Intrinsic::ceil: case llvm::Intrinsic::copysign:
          case llvm::Intrinsic::minnum: case llvm::Intrinsic::maxnum:
          case llvm::Intrinsic::minimum: case llvm::Intrinsic::maximum:
          case llvm::Intrinsic::trunc: case llvm::Intrinsic::rint:
            continue;
          default:
            return true;
        }
      }
    if (&*it == last) return false;
  }
}

}  // namespace

void KernelBuilder::emit_loop(uint32_t l) {
  const PlanLoop& loop = plan_.loops[l];
  if (opts_.lane_stride) throw InternalError("a loop in the lanes form of a kernel");
  llvm::LLVMContext& ctx = m_.getContext();
  // Invariants and the running values' starts are computed before the loop.
  std::vector<llvm::Value*> before(loop.leaves.size(), nullptr);
  for (size_t k = 0; k < loop.leaves.size(); ++k) {
    const LoopLeaf& leaf = loop.leaves[k];
    if (leaf.kind == LoopLeaf::Invariant || leaf.kind == LoopLeaf::Carry)
      before[k] = get(leaf.node);
    if (leaf.kind == LoopLeaf::Table)  // copied into the scratch array
      for (size_t i = 0; i < leaf.table.size(); ++i) {
        b_.CreateStore(get(leaf.table[i]), element(scratch_, leaf.slot + i));
        bound_block();
      }
  }
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  llvm::Function* f = pre->getParent();
  auto* body = llvm::BasicBlock::Create(ctx, "loop", f);
  auto* done = llvm::BasicBlock::Create(ctx, "loop.end", f);
  b_.CreateBr(body);
  b_.SetInsertPoint(body);
  block_items_ = 0;
  llvm::PHINode* i = b_.CreatePHI(b_.getInt64Ty(), 2, "i");
  i->addIncoming(b_.getInt64(0), pre);
  counter_ = i;
  // The leaves as iteration i reads them; what they held before is put back after.
  struct Saved {
    NodeId id;
    uint32_t part;
    llvm::Value *value, *cond;
  };
  std::vector<Saved> saved;
  std::vector<llvm::PHINode*> carries(loop.leaves.size(), nullptr);
  for (size_t k = 0; k < loop.leaves.size(); ++k)  // phis first, at the block's top
    if (loop.leaves[k].kind == LoopLeaf::Carry) {
      carries[k] = b_.CreatePHI(double_, 2, "carry");
      carries[k]->addIncoming(before[k], pre);
    }
  for (size_t k = 0; k < loop.leaves.size(); ++k) {
    const LoopLeaf& leaf = loop.leaves[k];
    if (leaf.kind == LoopLeaf::Invariant) continue;
    llvm::Value* v = carries[k];
    if (leaf.kind == LoopLeaf::Input) {
      auto [a, index] = input_place(g_[leaf.node].a);
      llvm::LoadInst* load = b_.CreateLoad(double_, element(args_[a], int64_t(index), leaf.stride));
      load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx, {}));
      v = load;
    } else if (leaf.kind == LoopLeaf::Scratch) {
      v = b_.CreateLoad(double_, element(scratch_, plan_.slot[leaf.node], leaf.stride));
    } else if (leaf.kind == LoopLeaf::Table) {
      v = b_.CreateLoad(double_, element(scratch_, leaf.slot, 1));
    }
    saved.push_back({leaf.node, value_part_[leaf.node], value_[leaf.node], cond_[leaf.node]});
    value_part_[leaf.node] = part_;
    value_[leaf.node] = v;
    cond_[leaf.node] = nullptr;
  }
  loop_values_.clear();
  for (uint32_t j = 0; j < loop.body; ++j) {
    emit_item(plan_.items[loop.first + j], loop.store_stride[j]);
    bound_block();  // a long body too: the blocks run in a row, the last one loops back
  }
  llvm::BasicBlock* latch = b_.GetInsertBlock();
  for (size_t k = 0; k < loop.leaves.size(); ++k)
    if (carries[k]) carries[k]->addIncoming(value_[loop.leaves[k].carry], latch);
  llvm::Value* next = b_.CreateAdd(i, b_.getInt64(1), "i.next", true, true);
  i->addIncoming(next, latch);
  llvm::BranchInst* back = b_.CreateCondBr(b_.CreateICmpULT(next, b_.getInt64(loop.count)), body, done);
  // A one-point kernel's results must not depend on whether the module also
  // holds batch kernels, for which the vector math library (libmvec) is
  // declared and which the loop vectorizer would take here too (a few ulp
  // from libm's, docs/semantics.md): such a loop stays scalar.
  if (calls_math(body, latch)) mark_loop(back, false);
  b_.SetInsertPoint(done);
  block_items_ = 0;
  counter_ = nullptr;
  // The body's values exist only in the loop: later code reads them from
  // the scratch array.
  for (NodeId id : loop_values_) value_part_[id] = kNone;
  for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
    value_part_[it->id] = it->part;
    value_[it->id] = it->value;
    cond_[it->id] = it->cond;
  }
}

// Straight-line code of a split kernel goes on in a new basic block every
// kMaxBlockItems items (a few hundred instructions): the machine
// scheduler's dependence graph is quadratic in a block's loads and stores
// (a loop's table copies are thousands in a row), and split kernels skip
// the pipeline that would merge the blocks again (emit_llvm.cpp). The
// fall-through branches cost no instruction once the code is laid out.
// Items are counted rather than instructions: an LLVM block's size() walks
// its list.
void KernelBuilder::bound_block() {
  constexpr size_t kMaxBlockItems = 96;
  if (!plan_.split() || opts_.lane_stride || ++block_items_ < kMaxBlockItems) return;
  block_items_ = 0;
  auto* next = llvm::BasicBlock::Create(m_.getContext(), "cont", b_.GetInsertBlock()->getParent());
  b_.CreateBr(next);
  b_.SetInsertPoint(next);
}

llvm::Function* KernelBuilder::new_function(const std::string& name, bool part) {
  llvm::Type* ptr = b_.getPtrTy();
  std::vector<llvm::Type*> params(spec_.args.size() + (part ? 1 : 0), ptr);
  auto* type = llvm::FunctionType::get(b_.getVoidTy(), params, false);
  bool lanes = opts_.lane_stride > 0;
  auto linkage = part || lanes || opts_.block_points ? llvm::Function::InternalLinkage
                                                     : llvm::Function::ExternalLinkage;
  llvm::Function* f = llvm::Function::Create(type, linkage, name, m_);
  f->setDoesNotThrow();
  f->addFnAttr("no-trapping-math", "true");
  // A frame beyond a page (a large scratch array, a part's spills) probes
  // each page as it grows: a stack too small faults at its guard page.
  f->addFnAttr("probe-stack", "inline-asm");
  if (lanes) f->addFnAttr(llvm::Attribute::AlwaysInline);
  else if (part && plan_.split()) f->addFnAttr(llvm::Attribute::NoInline);
  // The arrays are distinct (restrict pointers); the scratch array of a
  // split kernel is the caller's own.
  for (unsigned i = 0; i < f->arg_size(); ++i) {
    bool is_scratch = i == spec_.args.size();
    f->getArg(i)->setName(is_scratch ? "s" : spec_.args[i].name);
    f->addParamAttr(i, llvm::Attribute::NoCapture);
    // A lanes part is inlined into a parallel loop whose noalias arrays it
    // indexes: noalias here would only add scope declarations, which break
    // the loop's parallel mark (llvm_batch.cpp).
    if (!lanes) f->addParamAttr(i, llvm::Attribute::NoAlias);
    if (!is_scratch && spec_.args[i].size > 0 && !lanes)
      f->addDereferenceableParamAttr(
          i, spec_.args[i].size * std::max<uint32_t>(opts_.block_points, 1) * sizeof(double));
  }
  return f;
}

void KernelBuilder::emit_part(llvm::Function* f, uint32_t part) {
  b_.SetInsertPoint(llvm::BasicBlock::Create(m_.getContext(), "entry", f));
  block_items_ = 0;
  args_.clear();
  for (size_t a = 0; a < spec_.args.size(); ++a) args_.push_back(f->getArg(unsigned(a)));
  scratch_ = f->arg_size() > spec_.args.size() ? f->getArg(unsigned(spec_.args.size())) : nullptr;
  part_ = part;
  // The zero-filled arrays (one-point kernels: the batch forms' plans have none).
  if (part == 0 && !opts_.block_points && !opts_.lane_stride)
    for (size_t a = 0; a < spec_.args.size(); ++a)
      if (plan_.zero_filled[a])
        b_.CreateMemSet(args_[a], b_.getInt8(0), b_.getInt64(spec_.args[a].size * sizeof(double)),
                        llvm::MaybeAlign(8));
  for (size_t i = plan_.part_begin[part]; i < plan_.part_begin[part + 1]; ++i) {
    if (uint32_t l = plan_.loop_at[i]; l != kNone) {
      emit_loop(l);
      i = plan_.loops[l].end() - 1;
      continue;
    }
    emit_item(plan_.items[i], 0);
    bound_block();
  }
  if (opts_.block_points) check_results_written();
  b_.CreateRetVoid();
}

llvm::Value* KernelBuilder::scalar(NodeId id) {
  const Node& n = g_[id];
  if (n.op != Op::Const && n.op != Op::Input && !plan_.schedule.materialized[id] &&
      value_part_[id] != part_)
    emit_expression(id);
  return get(id);
}

llvm::Value* KernelBuilder::lane_pair(NodeId x, NodeId y) {
  if (x == y) return b_.CreateVectorSplat(kLanes, scalar(x));
  if (uint32_t gx = plan_.lanes.pair_group(x, y); gx != LanePlan::kNone) return emit_group(gx);
  llvm::Value* v = llvm::PoisonValue::get(llvm::FixedVectorType::get(double_, kLanes));
  v = b_.CreateInsertElement(v, scalar(x), uint64_t(0));
  return b_.CreateInsertElement(v, scalar(y), uint64_t(1));
}

// The group's operation on vectors (the scalar operations lane by lane); a
// materialized group once, its members then read as its lanes.
llvm::Value* KernelBuilder::emit_group(uint32_t group) {
  const LaneGroup& grp = plan_.lanes.groups[group];
  if (grp.materialized && group_value_[group] && value_part_[grp.member[0]] == part_)
    return group_value_[group];
  const Node& n = g_[grp.member[0]];
  auto pair = [&](int i) {
    return lane_pair(lane_operand(g_, grp, 0, i), lane_operand(g_, grp, 1, i));
  };
  llvm::Value* v = nullptr;
  // lane_op (plan/lanes.cpp) admits exactly these.
  if (n.op == Op::Select) v = b_.CreateSelect(cond_of(n.a), pair(1), pair(2));
  else if (n.op == Op::Neg) v = b_.CreateFNeg(pair(0));
  else if (n.op == Op::Add) v = b_.CreateFAdd(pair(0), pair(1));
  else if (n.op == Op::Sub) v = b_.CreateFSub(pair(0), pair(1));
  else if (n.op == Op::Mul) v = b_.CreateFMul(pair(0), pair(1));
  else if (n.op == Op::Div) v = b_.CreateFDiv(pair(0), pair(1));
  else throw InternalError(fmt::format("lane group of op {}", op_info(n.op).spelling));
  if (!grp.materialized) return v;
  group_value_[group] = v;
  for (uint32_t lane = 0; lane < kLanes; ++lane) {
    NodeId m = grp.member[lane];
    llvm::Value* x = b_.CreateExtractElement(v, uint64_t(lane));
    if (opts_.value_names && llvm::isa<llvm::Instruction>(x)) x->setName(plan_.schedule.name(m));
    value_part_[m] = part_;
    value_[m] = x;
    cond_[m] = nullptr;
  }
  return v;
}

void KernelBuilder::emit_item(const PlanItem& item, int64_t store_stride) {
  if (item.kind == PlanItem::Step) {
    if (uint32_t group = lanes() ? plan_.lanes.statement_group(item.node) : kNone; group != kNone) {
      if (value_part_[item.node] != part_) emit_group(group);  // at its lane 0's Step
      return;
    }
    emit_expression(item.node);
    return;
  }
  const Node& n = g_[item.node];
  bool inlined = n.op != Op::Const && n.op != Op::Input && !plan_.schedule.materialized[item.node];
  if (inlined && value_part_[item.node] != part_) emit_expression(item.node);
  if (opts_.block_points) return block_result(item.array, item.index, get(item.node));
  b_.CreateStore(get(item.node),
                 counter_ ? element(args_[item.array], int64_t(item.index), store_stride)
                          : element(args_[item.array], item.index));
}

// Tiles of 8 entries, where the block's 8 points (rows, at [p*size]) and
// the entries' vectors (rows of the transposed tile) meet: 8 vector loads
// (an input tile) or stores (a result tile) and 24 shuffles
// (transpose_square). An array's last tile of fewer entries: an input tile
// of 2 to 7 by masked loads where the target has them; else, and a last
// result tile, entry by entry.
void KernelBuilder::move_tile(uint32_t a, size_t first, size_t n, std::vector<llvm::Value*>& values,
                              bool into_vectors) {
  const uint32_t P = opts_.block_points;
  const size_t size = spec_.args[a].size;
  llvm::Type* dbl = b_.getDoubleTy();
  auto at = [&](uint32_t p, size_t entry) {
    return b_.CreateConstInBoundsGEP1_64(dbl, args_[a], p * size + entry);
  };
  if (n == P || (opts_.masked_tiles && n > 1 && into_vectors)) {
    // A whole tile; or a last input tile of n < 8 entries, its rows' first
    // n lanes by masked loads (the entries beyond are not the array's).
    // Results go entry by entry: masked stores measured slower
    // (bench/analysis/analysis.md).
    llvm::Value* mask = nullptr;
    if (n < P) {
      std::vector<llvm::Constant*> lanes;
      for (uint32_t p = 0; p < P; ++p) lanes.push_back(b_.getInt1(p < n));
      mask = llvm::ConstantVector::get(lanes);
    }
    std::vector<llvm::Value*> rows(P, llvm::ConstantFP::get(double_, 0.0));
    if (into_vectors) {
      for (uint32_t p = 0; p < P; ++p)
        rows[p] = mask ? static_cast<llvm::Value*>(b_.CreateMaskedLoad(
                             double_, at(p, first), llvm::Align(8), mask, rows[p]))
                       : b_.CreateAlignedLoad(double_, at(p, first), llvm::Align(8));
      transpose_square(b_, rows);
      for (size_t i = 0; i < n; ++i) values[first + i] = rows[i];
    } else {
      for (size_t i = 0; i < n; ++i) rows[i] = values[first + i];
      transpose_square(b_, rows);
      for (uint32_t p = 0; p < P; ++p) b_.CreateAlignedStore(rows[p], at(p, first), llvm::Align(8));
    }
    return;
  }
  for (size_t i = first; i < first + n; ++i) {
    if (into_vectors) {
      llvm::Value* v = llvm::PoisonValue::get(double_);
      for (uint32_t p = 0; p < P; ++p) v = b_.CreateInsertElement(v, b_.CreateLoad(dbl, at(p, i)), p);
      values[i] = v;
    } else {
      for (uint32_t p = 0; p < P; ++p) b_.CreateStore(b_.CreateExtractElement(values[i], p), at(p, i));
    }
  }
}

llvm::Value* KernelBuilder::block_input(uint32_t a, size_t index) {
  std::vector<llvm::Value*>& values = block_values_[a];
  if (!values[index]) {
    const size_t first = index / opts_.block_points * opts_.block_points;
    move_tile(a, first, tile_entries(a, first), values, true);
  }
  return values[index];
}

void KernelBuilder::block_result(uint32_t a, size_t index, llvm::Value* v) {
  std::vector<llvm::Value*>& values = block_values_[a];
  if (values[index]) throw InternalError("a result entry stored twice in a kernel plan");
  values[index] = v;
  const size_t tile = index / opts_.block_points, first = tile * opts_.block_points;
  const size_t n = tile_entries(a, first);
  if (++tile_done_[a][tile] == n) move_tile(a, first, n, values, false);
}

// Every result entry is a Store of the plan, so every result tile has been
// written once complete (block_result).
void KernelBuilder::check_results_written() const {
  for (uint32_t a = 0; a < spec_.args.size(); ++a) {
    if (!spec_.args[a].result) continue;
    const size_t P = opts_.block_points;
    for (size_t tile = 0; tile * P < spec_.args[a].size; ++tile)
      if (tile_done_[a][tile] != tile_entries(a, tile * P))
        throw InternalError("a result entry the kernel plan does not store (block form)");
  }
}

void KernelBuilder::reset_values() {
  group_value_.assign(plan_.lanes.groups.size(), nullptr);
  value_part_.assign(g_.size(), kNone);
  value_.assign(g_.size(), nullptr);
  cond_.assign(g_.size(), nullptr);
}

llvm::Function* KernelBuilder::build_block(const std::string& fn_name) {
  if (plan_.split() || !plan_.loops.empty() || plan_.has_scratch() || opts_.block_points != kBatchLanes)
    throw InternalError("the block form of a kernel that is split or has loops");
  reset_values();
  block_values_.assign(spec_.args.size(), {});
  tile_done_.assign(spec_.args.size(), {});
  for (size_t a = 0; a < spec_.args.size(); ++a) {
    block_values_[a].assign(spec_.args[a].size, nullptr);
    tile_done_[a].assign((spec_.args[a].size + opts_.block_points - 1) / opts_.block_points, 0);
  }
  llvm::Function* f = new_function(fn_name, false);
  emit_part(f, 0);
  return f;
}

std::vector<llvm::Function*> KernelBuilder::build_lane_parts(const std::string& fn_name) {
  reset_values();
  std::vector<llvm::Function*> parts;
  if (!plan_.split()) {
    parts.push_back(new_function(fn_name, false));
    emit_part(parts.back(), 0);
    return parts;
  }
  for (uint32_t p = 0; p < plan_.num_parts(); ++p) {
    parts.push_back(new_function(fmt::format("{}.part{}", fn_name, p + 1), true));
    emit_part(parts.back(), p);
  }
  return parts;
}

llvm::Function* KernelBuilder::build(const std::string& fn_name) {
  reset_values();
  llvm::Function* kernel = new_function(fn_name, false);
  if (!plan_.has_scratch()) {
    emit_part(kernel, 0);
    return kernel;
  }
  std::vector<llvm::Function*> parts;
  for (uint32_t p = 0; p < plan_.num_parts(); ++p) {
    parts.push_back(new_function(fmt::format("{}.part{}", fn_name, p + 1), true));
    emit_part(parts.back(), p);
  }
  // The kernel: a scratch array for values passed between parts, and the calls.
  llvm::LLVMContext& ctx = m_.getContext();
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", kernel));
  uint32_t slots = std::max<uint32_t>(plan_.num_slots, 1);
  // On the stack however many (SPEC 3: kernels allocate nothing).
  llvm::Value* s = b_.CreateAlloca(llvm::ArrayType::get(double_, slots), nullptr, "s");
  std::vector<llvm::Value*> call_args;
  for (unsigned a = 0; a < spec_.args.size(); ++a) call_args.push_back(kernel->getArg(a));
  call_args.push_back(s);
  for (llvm::Function* part : parts) b_.CreateCall(part, call_args);
  b_.CreateRetVoid();
  return kernel;
}

}  // namespace

llvm::Function* build_llvm_kernel(const Compiled& c, const KernelPlan& plan,
                                  const std::string& fn_name, const LlvmKernelOptions& opts,
                                  llvm::Module& m) {
  return KernelBuilder(c, plan, opts, m).build(fn_name);
}

llvm::Function* build_llvm_block_kernel(const Compiled& c, const KernelPlan& plan,
                                        const std::string& fn_name,
                                        const LlvmKernelOptions& opts, llvm::Module& m) {
  if (!opts.block_points) throw InternalError("build_llvm_block_kernel without block points");
  return KernelBuilder(c, plan, opts, m).build_block(fn_name);
}

std::vector<llvm::Function*> build_llvm_lane_parts(const Compiled& c, const KernelPlan& plan,
                                                   const std::string& fn_name,
                                                   const LlvmKernelOptions& opts,
                                                   llvm::Module& m) {
  if (!opts.lane_stride) throw InternalError("build_llvm_lane_parts without a lane stride");
  return KernelBuilder(c, plan, opts, m).build_lane_parts(fn_name);
}

}  // namespace gradc
