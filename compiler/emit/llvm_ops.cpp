// llvm_ops.cpp - one case per op; keep in step with scalar_math.h and the
// C++ helpers in expr_render.cpp (the cross-backend tests compare all three).
#include "emit/llvm_ops.h"

#include <llvm/IR/Module.h>

namespace gradc {

LlvmOpLowering::LlvmOpLowering(llvm::IRBuilder<>& b) : b_(b) {}

llvm::Value* LlvmOpLowering::constant(double v) {
  return llvm::ConstantFP::get(b_.getDoubleTy(), v);
}

llvm::Value* LlvmOpLowering::intrinsic(llvm::Intrinsic::ID id, llvm::Value* x) {
  return b_.CreateUnaryIntrinsic(id, x);
}

// A C math library function, declared on first use. It is marked as not
// touching memory (gradc kernels never read errno), so LLVM may CSE, hoist
// or delete calls as it does for the intrinsics.
static llvm::FunctionCallee declare_libm(llvm::Module& m, const char* name, unsigned arity) {
  llvm::Type* d = llvm::Type::getDoubleTy(m.getContext());
  llvm::SmallVector<llvm::Type*, 2> params(arity, d);
  llvm::FunctionCallee f = m.getOrInsertFunction(name, llvm::FunctionType::get(d, params, false));
  if (auto* fn = llvm::dyn_cast<llvm::Function>(f.getCallee())) {
    fn->setDoesNotAccessMemory();
    fn->setDoesNotThrow();
    fn->addFnAttr(llvm::Attribute::WillReturn);
  }
  return f;
}

llvm::Value* LlvmOpLowering::libm(const char* name, llvm::Value* x) {
  llvm::CallInst* call = b_.CreateCall(declare_libm(*b_.GetInsertBlock()->getModule(), name, 1), {x});
  call->setDoesNotAccessMemory();
  return call;
}

llvm::Value* LlvmOpLowering::libm(const char* name, llvm::Value* x, llvm::Value* y) {
  llvm::CallInst* call =
      b_.CreateCall(declare_libm(*b_.GetInsertBlock()->getModule(), name, 2), {x, y});
  call->setDoesNotAccessMemory();
  return call;
}

llvm::Value* LlvmOpLowering::truth(llvm::Value* x) { return b_.CreateFCmpUNE(x, constant(0.0)); }

llvm::Value* LlvmOpLowering::as_double(llvm::Value* cond) {
  return b_.CreateSelect(cond, constant(1.0), constant(0.0));
}

// Comparisons are ordered (false on NaN) except !=, as in C.
llvm::Value* LlvmOpLowering::condition(Op op, llvm::Value* x, llvm::Value* y) {
  switch (op) {
    case Op::Lt: return b_.CreateFCmpOLT(x, y);
    case Op::Le: return b_.CreateFCmpOLE(x, y);
    case Op::Gt: return b_.CreateFCmpOGT(x, y);
    case Op::Ge: return b_.CreateFCmpOGE(x, y);
    case Op::Eq: return b_.CreateFCmpOEQ(x, y);
    case Op::Ne: return b_.CreateFCmpUNE(x, y);
    case Op::And: return b_.CreateAnd(x, y);  // operands: i1 truths
    case Op::Or: return b_.CreateOr(x, y);
    case Op::Not: return b_.CreateNot(x);
    case Op::Const: case Op::Input: case Op::Neg: case Op::Exp: case Op::Log: case Op::Log1p:
    case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos: case Op::Tan:
    case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh: case Op::Tanh:
    case Op::Erf: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil: case Op::Sigmoid:
    case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad: case Op::Add: case Op::Sub:
    case Op::Mul: case Op::Div: case Op::Pow: case Op::Atan2: case Op::Max: case Op::Min:
    case Op::LeakyRelu: case Op::Select: break;
  }
  return nullptr;  // not a condition
}

llvm::Value* LlvmOpLowering::value(Op op, llvm::Value* x, llvm::Value* y) {
  llvm::Value* zero = constant(0.0);
  switch (op) {
    case Op::Neg: return b_.CreateFNeg(x);
    case Op::Add: return b_.CreateFAdd(x, y);
    case Op::Sub: return b_.CreateFSub(x, y);
    case Op::Mul: return b_.CreateFMul(x, y);
    case Op::Div: return b_.CreateFDiv(x, y);
    case Op::Pow: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, x, y);
    case Op::Exp: return intrinsic(llvm::Intrinsic::exp, x);
    case Op::Log: return intrinsic(llvm::Intrinsic::log, x);
    case Op::Sqrt: return intrinsic(llvm::Intrinsic::sqrt, x);
    case Op::Sin: return intrinsic(llvm::Intrinsic::sin, x);
    case Op::Cos: return intrinsic(llvm::Intrinsic::cos, x);
    case Op::Tan: return intrinsic(llvm::Intrinsic::tan, x);
    case Op::Asin: return intrinsic(llvm::Intrinsic::asin, x);
    case Op::Acos: return intrinsic(llvm::Intrinsic::acos, x);
    case Op::Atan: return intrinsic(llvm::Intrinsic::atan, x);
    case Op::Sinh: return intrinsic(llvm::Intrinsic::sinh, x);
    case Op::Cosh: return intrinsic(llvm::Intrinsic::cosh, x);
    case Op::Tanh: return intrinsic(llvm::Intrinsic::tanh, x);
    case Op::Abs: return intrinsic(llvm::Intrinsic::fabs, x);
    case Op::Floor: return intrinsic(llvm::Intrinsic::floor, x);
    case Op::Ceil: return intrinsic(llvm::Intrinsic::ceil, x);
    case Op::Log1p: return libm("log1p", x);
    case Op::Expm1: return libm("expm1", x);
    case Op::Cbrt: return libm("cbrt", x);
    case Op::Erf: return libm("erf", x);
    case Op::Atan2: return libm("atan2", x, y);
    // fmax/fmin: the other operand when one is NaN, as llvm.maxnum/minnum.
    case Op::Max: return b_.CreateMaxNum(x, y);
    case Op::Min: return b_.CreateMinNum(x, y);
    case Op::NoGrad: return x;  // only the value matters in a kernel
    case Op::Relu:  // x > 0 ? x : 0.0
      return b_.CreateSelect(b_.CreateFCmpOGT(x, zero), x, zero);
    case Op::LeakyRelu:  // x > 0 ? x : slope*x
      return b_.CreateSelect(b_.CreateFCmpOGT(x, zero), x, b_.CreateFMul(y, x));
    case Op::Sign: {  // x > 0 ? 1 : x < 0 ? -1 : 0*x (keeps -0 and NaN)
      llvm::Value* rest =
          b_.CreateSelect(b_.CreateFCmpOLT(x, zero), constant(-1.0), b_.CreateFMul(zero, x));
      return b_.CreateSelect(b_.CreateFCmpOGT(x, zero), constant(1.0), rest);
    }
    // sigmoid and softplus branch on the sign of x, and each branch calls
    // exp; both branches' exp is exp(-|x|), so one call serves both and the
    // select picks between cheap results (the values are bit for bit those
    // of scalar_math.h, including -0 and NaN).
    case Op::Sigmoid: {  // x >= 0 ? 1/(1 + exp(-x)) : e/(1 + e) with e = exp(x)
      llvm::Value* t = value(Op::Exp, b_.CreateFNeg(intrinsic(llvm::Intrinsic::fabs, x)), y);
      llvm::Value* numerator = b_.CreateSelect(b_.CreateFCmpOGE(x, zero), constant(1.0), t);
      return b_.CreateFDiv(numerator, b_.CreateFAdd(constant(1.0), t));
    }
    case Op::Softplus: {  // x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
      llvm::Value* t = value(Op::Exp, b_.CreateFNeg(intrinsic(llvm::Intrinsic::fabs, x)), y);
      llvm::Value* l = libm("log1p", t);
      return b_.CreateSelect(b_.CreateFCmpOGT(x, zero), b_.CreateFAdd(x, l), l);
    }
    case Op::Gelu: {  // 0.5*x * (1 + erf(x * (1/sqrt 2)))
      llvm::Value* erf = libm("erf", b_.CreateFMul(x, constant(0.70710678118654752440)));
      return b_.CreateFMul(b_.CreateFMul(constant(0.5), x), b_.CreateFAdd(constant(1.0), erf));
    }
    case Op::Const: case Op::Input: case Op::Select:
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::Not:
      break;  // leaves, and ops whose value goes through condition()
  }
  return nullptr;
}

}  // namespace gradc
