// llvm_kernel.cpp - kernel bodies as LLVM IR, split into parts when large
// (see llvm_kernel.h). One loop over the kernel's items; no recursion.
#include "emit/llvm_kernel.h"

#include <fmt/format.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include "emit/llvm_ops.h"
#include "plan/schedule.h"

namespace gradc {

namespace {

// One thing a kernel does: compute a node, or store a root to out[]/jac[].
struct Item {
  enum Kind { Step, Out, Jac } kind;
  NodeId node;
  size_t index;  // into out[] or jac[]
};

class KernelBuilder {
 public:
  KernelBuilder(const Compiled& c, const LlvmKernelOptions& opts, llvm::Module& m);
  llvm::Function* build(const std::string& fn_name);

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  size_t part_of(size_t item) const { return item / kLlvmPartNodes; }
  size_t num_parts() const { return (items_.size() + kLlvmPartNodes - 1) / kLlvmPartNodes; }
  void collect_items(const std::vector<NodeId>& roots);
  void assign_slots();
  void name_values(const std::vector<NodeId>& roots);
  llvm::Function* new_function(const std::string& name, bool with_scratch);
  /// Emit items [begin, end) into `f`, whose arguments are in, out, jac[, s].
  void emit_items(llvm::Function* f, size_t begin, size_t end, uint32_t part);
  void emit_step(NodeId id);
  llvm::Value* get(NodeId id);
  llvm::Value* cond_of(NodeId id);
  llvm::Value* element(llvm::Value* base, size_t index);

  const Compiled& c_;
  const Graph& g_;
  LlvmKernelOptions opts_;
  llvm::Module& m_;
  llvm::IRBuilder<> b_;
  LlvmOpLowering ops_;
  llvm::Type* double_;
  std::vector<Item> items_;
  std::vector<std::string> input_names_;  // by input scalar
  std::unordered_map<NodeId, std::string> names_;
  // By node id: the part defining it, its scratch slot (if a later part
  // reads it), and its value / i1 truth in the part being emitted.
  std::vector<uint32_t> def_part_, slot_, value_part_;
  std::vector<llvm::Value*> value_, cond_;
  uint32_t slots_ = 0, part_ = 0;
  llvm::Value *in_ = nullptr, *out_ = nullptr, *jac_ = nullptr, *scratch_ = nullptr;
};

KernelBuilder::KernelBuilder(const Compiled& c, const LlvmKernelOptions& opts, llvm::Module& m)
    : c_(c), g_(c.prog.graph), opts_(opts), m_(m), b_(m.getContext()), ops_(b_),
      double_(b_.getDoubleTy()) {
  if (opts.fast_math) b_.setFastMathFlags(llvm::FastMathFlags::getFast());
  for (const Variable& v : c.prog.inputs)
    for (size_t e = 0; e < v.size(); ++e)
      input_names_.push_back(v.is_scalar() ? v.name : fmt::format("{}.{}", v.name, e));
}

// Steps in id order, each store right after the step computing its value
// (stores of inputs and constants first): a Jacobian entry leaves the
// registers as soon as it is known, as in the C++ backend, instead of every
// entry staying live until the end.
void KernelBuilder::collect_items(const std::vector<NodeId>& roots) {
  std::vector<bool> live = live_nodes(g_, roots);
  std::vector<Item> stores;
  for (size_t i = 0; i < c_.outputs.size(); ++i) stores.push_back({Item::Out, c_.outputs[i], i});
  if (opts_.grad)
    for (size_t i = 0; i < c_.jacobian.size(); ++i) stores.push_back({Item::Jac, c_.jacobian[i], i});
  // Bucket the stores by the node they store (counting sort: linear).
  std::vector<uint32_t> first(g_.size() + 1, 0);
  for (const Item& st : stores) ++first[st.node + 1];
  for (size_t id = 0; id < g_.size(); ++id) first[id + 1] += first[id];
  std::vector<Item> by_node(stores.size());
  std::vector<uint32_t> next(first.begin(), first.end() - 1);
  for (const Item& st : stores) by_node[next[st.node]++] = st;

  auto stores_of = [&](NodeId id) {
    for (uint32_t i = first[id]; i < first[id + 1]; ++i) items_.push_back(by_node[i]);
  };
  for (NodeId id = 0; id < g_.size(); ++id)
    if (g_[id].op == Op::Const || g_[id].op == Op::Input) stores_of(id);
  for (NodeId id = 0; id < g_.size(); ++id) {
    if (!live[id] || g_[id].op == Op::Const || g_[id].op == Op::Input) continue;
    items_.push_back({Item::Step, id, 0});
    stores_of(id);
  }
}

// A value defined in one part and read in a later one gets a scratch slot.
void KernelBuilder::assign_slots() {
  def_part_.assign(g_.size(), kNone);
  slot_.assign(g_.size(), kNone);
  for (size_t i = 0; i < items_.size(); ++i)
    if (items_[i].kind == Item::Step) def_part_[items_[i].node] = uint32_t(part_of(i));
  auto reads = [&](NodeId id, size_t item) {
    if (def_part_[id] != kNone && def_part_[id] < part_of(item) && slot_[id] == kNone)
      slot_[id] = slots_++;
  };
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].kind != Item::Step) {
      reads(items_[i].node, i);
      continue;
    }
    const Node& n = g_[items_[i].node];
    for (int k = 0; k < arity(n); ++k) reads(operand(n, k), i);
  }
}

// Values get the names --print and the C++ backend use: source names,
// outputs, dOUT_dIN, and t1, t2, ... for shared subexpressions.
void KernelBuilder::name_values(const std::vector<NodeId>& roots) {
  if (!opts_.value_names) return;
  Schedule s = make_schedule(g_, roots, opts_.grad ? c_.grad_hints : c_.forward_hints);
  for (NodeId id : s.steps) names_.emplace(id, s.name(id));
}

llvm::Value* KernelBuilder::element(llvm::Value* base, size_t index) {
  return b_.CreateConstInBoundsGEP1_64(double_, base, index);
}

llvm::Value* KernelBuilder::get(NodeId id) {
  const Node& n = g_[id];
  if (n.op == Op::Const) return llvm::ConstantFP::get(double_, g_.const_value(id));
  if (value_part_[id] == part_) return value_[id];
  llvm::Value* v;
  if (n.op == Op::Input) {
    // Inputs never change during a call (in[] must not overlap out[] or
    // jac[]): marked invariant, a load can be repeated instead of its value
    // being spilled when registers run out.
    llvm::LoadInst* load =
        b_.CreateLoad(double_, element(in_, n.a), opts_.value_names ? input_names_[n.a] : "");
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(m_.getContext(), {}));
    v = load;
  } else {  // computed by an earlier part
    v = b_.CreateLoad(double_, element(scratch_, slot_[id]));
  }
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

void KernelBuilder::emit_step(NodeId id) {
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
  if (auto name = names_.find(id); name != names_.end() && llvm::isa<llvm::Instruction>(v) &&
                                   !v->hasName())
    v->setName(name->second);
  value_part_[id] = part_;
  value_[id] = v;
  cond_[id] = cond;
  if (scratch_ && slot_[id] != kNone) b_.CreateStore(v, element(scratch_, slot_[id]));
}

llvm::Function* KernelBuilder::new_function(const std::string& name, bool part) {
  llvm::Type* ptr = b_.getPtrTy();
  std::vector<llvm::Type*> params(opts_.grad || part ? 3 : 2, ptr);
  if (part) params.push_back(ptr);
  auto* type = llvm::FunctionType::get(b_.getVoidTy(), params, false);
  auto linkage = part ? llvm::Function::InternalLinkage : llvm::Function::ExternalLinkage;
  llvm::Function* f = llvm::Function::Create(type, linkage, name, m_);
  f->setDoesNotThrow();
  f->addFnAttr("no-trapping-math", "true");
  if (part) f->addFnAttr(llvm::Attribute::NoInline);
  // in[n], out[m] and jac[m*k] are distinct arrays (restrict pointers);
  // the scratch array of a split kernel is the caller's own.
  const char* arg_names[] = {"in", "out", "jac", "s"};
  const size_t sizes[] = {c_.prog.num_input_scalars(), c_.outputs.size(), c_.jacobian.size(), 0};
  for (unsigned i = 0; i < f->arg_size(); ++i) {
    f->getArg(i)->setName(arg_names[i]);
    f->addParamAttr(i, llvm::Attribute::NoCapture);
    f->addParamAttr(i, llvm::Attribute::NoAlias);
    bool jac_of_forward = i == 2 && !opts_.grad;  // a part of NAME gets jac = null
    if (sizes[i] > 0 && !jac_of_forward)
      f->addDereferenceableParamAttr(i, sizes[i] * sizeof(double));
  }
  return f;
}

void KernelBuilder::emit_items(llvm::Function* f, size_t begin, size_t end, uint32_t part) {
  b_.SetInsertPoint(llvm::BasicBlock::Create(m_.getContext(), "entry", f));
  in_ = f->getArg(0);
  out_ = f->getArg(1);
  jac_ = f->arg_size() > 2 ? f->getArg(2) : nullptr;
  scratch_ = f->arg_size() > 3 ? f->getArg(3) : nullptr;
  part_ = part;
  for (size_t i = begin; i < end; ++i) {
    const Item& item = items_[i];
    if (item.kind == Item::Step) emit_step(item.node);
    else b_.CreateStore(get(item.node), element(item.kind == Item::Out ? out_ : jac_, item.index));
  }
  b_.CreateRetVoid();
}

llvm::Function* KernelBuilder::build(const std::string& fn_name) {
  std::vector<NodeId> roots = opts_.grad ? c_.all_roots() : c_.outputs;
  collect_items(roots);
  name_values(roots);
  value_part_.assign(g_.size(), kNone);
  value_.assign(g_.size(), nullptr);
  cond_.assign(g_.size(), nullptr);
  llvm::Function* kernel = new_function(fn_name, false);
  if (num_parts() <= 1) {
    emit_items(kernel, 0, items_.size(), 0);
    return kernel;
  }
  assign_slots();
  std::vector<llvm::Function*> parts;
  for (size_t p = 0; p < num_parts(); ++p) {
    parts.push_back(new_function(fmt::format("{}.part{}", fn_name, p + 1), true));
    emit_items(parts.back(), p * kLlvmPartNodes,
               std::min(items_.size(), (p + 1) * kLlvmPartNodes), uint32_t(p));
  }
  // The kernel: a scratch array for values passed between parts, and the calls.
  b_.SetInsertPoint(llvm::BasicBlock::Create(m_.getContext(), "entry", kernel));
  llvm::Value* s = b_.CreateAlloca(llvm::ArrayType::get(double_, std::max<uint32_t>(slots_, 1)),
                                   nullptr, "s");
  llvm::Value* jac = opts_.grad ? static_cast<llvm::Value*>(kernel->getArg(2))
                                : llvm::ConstantPointerNull::get(b_.getPtrTy());
  for (llvm::Function* part : parts) b_.CreateCall(part, {kernel->getArg(0), kernel->getArg(1), jac, s});
  b_.CreateRetVoid();
  return kernel;
}

}  // namespace

llvm::Function* build_llvm_kernel(const Compiled& c, const std::string& fn_name,
                                  const LlvmKernelOptions& opts, llvm::Module& m) {
  return KernelBuilder(c, opts, m).build(fn_name);
}

}  // namespace gradc
