// llvm_ops.h - the meaning of every IR op as LLVM instructions on doubles.
//
// The LLVM counterpart of scalar_math.h (the reference semantics) and of the
// C++ text in expr_render.cpp: the same formulas, operation for operation, so
// the backends agree to the last bit wherever libm is the same. Functions
// LLVM has intrinsics for use them (llvm.exp.f64, ...); the rest are calls
// to the C math library (erf, cbrt, atan2, log1p, expm1).
#pragma once

#include <llvm/IR/IRBuilder.h>

#include "ir/ir.h"

namespace gradc {


/// Emits the instructions of single ops at a builder's insertion point.
class LlvmOpLowering {
 public:
  explicit LlvmOpLowering(llvm::IRBuilder<>& b);

  /// The i1 truth of a boolean op (is_boolean_op) on doubles `x` (and `y`).
  /// Not and the logical ops take i1 operands (see truth()).
  llvm::Value* condition(Op op, llvm::Value* x, llvm::Value* y);
  /// x != 0 as i1: how a double is used as a condition.
  llvm::Value* truth(llvm::Value* x);
  /// 1.0 if `cond` else 0.0.
  llvm::Value* as_double(llvm::Value* cond);
  /// The double result of a non-boolean op with arity 1 or 2 (`y` unused
  /// for unary ops). Select and the boolean ops go through condition().
  llvm::Value* value(Op op, llvm::Value* x, llvm::Value* y);

 private:
  llvm::Value* intrinsic(llvm::Intrinsic::ID id, llvm::Value* x);
  llvm::Value* libm(const char* name, llvm::Value* x);
  llvm::Value* libm(const char* name, llvm::Value* x, llvm::Value* y);
  llvm::Value* constant(double v);

  llvm::IRBuilder<>& b_;
};

}  // namespace gradc
