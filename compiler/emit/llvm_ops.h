// llvm_ops.h - the meaning of every IR op as LLVM instructions on doubles.
//
// The LLVM counterpart of scalar_math.h (the reference semantics) and of the
// C++ text in expr_render.cpp: the same formulas, operation for operation, so
// the backends agree to the last bit wherever libm is the same. Functions
// LLVM has intrinsics for use them (llvm.exp.f64, ...); the rest are calls
// to the C math library (erf, cbrt, atan2, log1p, expm1).
//
// The values may also be vectors of doubles, one point per lane (the block
// form of a batch kernel, llvm_kernel.h): the same instructions on vectors,
// and the math functions glibc's vector library (libmvec) has are called
// at the widest vectors the target's registers hold (`vector_math_lanes`:
// _ZGVeN8v_tanh with AVX-512, _ZGVdN4v_tanh twice with AVX2, ...); without
// it (0: no libmvec on the target, or -O0), each lane calls the scalar
// function.
#pragma once

#include <llvm/IR/IRBuilder.h>

#include "ir/ir.h"

namespace gradc {


/// Emits the instructions of single ops at a builder's insertion point.
class LlvmOpLowering {
 public:
  /// Ops on doubles, or on `vector_type` (<N x double>) with libmvec
  /// functions of `vector_math_lanes` lanes (8, 4 or 2; 0: none).
  explicit LlvmOpLowering(llvm::IRBuilder<>& b, llvm::Type* vector_type = nullptr,
                          unsigned vector_math_lanes = 0);

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
  /// `result`, except where x == y: the bits of x `bits_op` (And, Or) y.
  llvm::Value* equal_bits(llvm::Value* x, llvm::Value* y, llvm::Value* result,
                          llvm::Instruction::BinaryOps bits_op);
  /// `name` of the vector library on vector arguments, in pieces of
  /// vector_math_lanes_ lanes; or lane by lane through libm's `name`.
  llvm::Value* vector_call(const char* name, llvm::ArrayRef<llvm::Value*> args);

  llvm::IRBuilder<>& b_;
  llvm::Type* type_;  // double, or the vector of doubles
  unsigned vector_math_lanes_;
};

}  // namespace gradc
