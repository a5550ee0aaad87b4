// llvm_ops.cpp - one case per op; keep in step with scalar_math.h and the
// C++ helpers in expr_render.cpp (the cross-backend tests compare all three).
#include "emit/llvm_ops.h"

#include <llvm/IR/Module.h>

#include <string>
#include <vector>

namespace gradc {

LlvmOpLowering::LlvmOpLowering(llvm::IRBuilder<>& b, llvm::Type* vector_type,
                               unsigned vector_math_lanes)
    : b_(b), type_(vector_type ? vector_type : b.getDoubleTy()),
      vector_math_lanes_(vector_math_lanes) {}

llvm::Value* LlvmOpLowering::constant(double v) {
  return llvm::ConstantFP::get(type_, v);  // a vector: v in every lane
}

// The unary intrinsics with a libmvec function of the same name (pow, the
// binary one, is called by name in value()); the others
// (sqrt, fabs, floor, ceil) stay intrinsics, which LLVM lowers to vector
// instructions where the CPU has them (floor and ceil need SSE4.1; without
// it, a libm call per lane).
static const char* vector_library_name(llvm::Intrinsic::ID id) {
  switch (id) {
    case llvm::Intrinsic::exp: return "exp";
    case llvm::Intrinsic::log: return "log";
    case llvm::Intrinsic::sin: return "sin";
    case llvm::Intrinsic::cos: return "cos";
    case llvm::Intrinsic::tan: return "tan";
    case llvm::Intrinsic::asin: return "asin";
    case llvm::Intrinsic::acos: return "acos";
    case llvm::Intrinsic::atan: return "atan";
    case llvm::Intrinsic::sinh: return "sinh";
    case llvm::Intrinsic::cosh: return "cosh";
    case llvm::Intrinsic::tanh: return "tanh";
    default: return nullptr;
  }
}

llvm::Value* LlvmOpLowering::intrinsic(llvm::Intrinsic::ID id, llvm::Value* x) {
  if (x->getType()->isVectorTy())
    if (const char* name = vector_library_name(id)) return vector_call(name, {x});
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

// The x86-64 vector function ABI's names: _ZGV, the ISA (b: SSE, d: AVX2,
// e: AVX-512), N (unmasked), the lanes, one v per vector argument, the
// scalar name. glibc's libmvec declares them as the scalar functions
// (SIMD pragmas), its accuracy within 4 ulp (docs/semantics.md).
llvm::Value* LlvmOpLowering::vector_call(const char* name, llvm::ArrayRef<llvm::Value*> args) {
  auto* type = llvm::cast<llvm::FixedVectorType>(args[0]->getType());
  const unsigned n = type->getNumElements();
  llvm::Module& m = *b_.GetInsertBlock()->getModule();
  llvm::Value* result = llvm::PoisonValue::get(type);
  const unsigned w = vector_math_lanes_;
  if (w == 0 || n % w != 0) {  // no vector library: lane by lane
    llvm::FunctionCallee f = declare_libm(m, name, unsigned(args.size()));
    for (unsigned lane = 0; lane < n; ++lane) {
      llvm::SmallVector<llvm::Value*, 2> scalars;
      for (llvm::Value* a : args) scalars.push_back(b_.CreateExtractElement(a, lane));
      llvm::CallInst* call = b_.CreateCall(f, scalars);
      call->setDoesNotAccessMemory();
      result = b_.CreateInsertElement(result, call, lane);
    }
    return result;
  }
  auto* piece_type = llvm::FixedVectorType::get(b_.getDoubleTy(), w);
  const char isa = w == 8 ? 'e' : w == 4 ? 'd' : 'b';
  const std::string vector_name =
      std::string("_ZGV") + isa + "N" + std::to_string(w) + std::string(args.size(), 'v') + "_" + name;
  llvm::SmallVector<llvm::Type*, 2> params(args.size(), piece_type);
  llvm::FunctionCallee f =
      m.getOrInsertFunction(vector_name, llvm::FunctionType::get(piece_type, params, false));
  if (auto* fn = llvm::dyn_cast<llvm::Function>(f.getCallee())) {
    fn->setDoesNotAccessMemory();
    fn->setDoesNotThrow();
    fn->addFnAttr(llvm::Attribute::WillReturn);
  }
  std::vector<llvm::Value*> pieces;  // the results, w lanes each
  for (unsigned first = 0; first < n; first += w) {
    llvm::SmallVector<int, 8> lanes;
    for (unsigned lane = 0; lane < w; ++lane) lanes.push_back(int(first + lane));
    llvm::SmallVector<llvm::Value*, 2> piece_args;
    for (llvm::Value* a : args) piece_args.push_back(w == n ? a : b_.CreateShuffleVector(a, lanes));
    llvm::CallInst* call = b_.CreateCall(f, piece_args);
    call->setDoesNotAccessMemory();
    pieces.push_back(call);
  }
  // Join the pieces pairwise until one vector of n lanes is left.
  while (pieces.size() > 1) {
    std::vector<llvm::Value*> joined;
    for (size_t i = 0; i < pieces.size(); i += 2) {
      unsigned lanes = llvm::cast<llvm::FixedVectorType>(pieces[i]->getType())->getNumElements();
      llvm::SmallVector<int, 8> all;
      for (unsigned lane = 0; lane < 2 * lanes; ++lane) all.push_back(int(lane));
      joined.push_back(b_.CreateShuffleVector(pieces[i], pieces[i + 1], all));
    }
    pieces = std::move(joined);
  }
  return pieces[0];
}

llvm::Value* LlvmOpLowering::libm(const char* name, llvm::Value* x) {
  if (x->getType()->isVectorTy()) return vector_call(name, {x});
  llvm::CallInst* call = b_.CreateCall(declare_libm(*b_.GetInsertBlock()->getModule(), name, 1), {x});
  call->setDoesNotAccessMemory();
  return call;
}

llvm::Value* LlvmOpLowering::libm(const char* name, llvm::Value* x, llvm::Value* y) {
  if (x->getType()->isVectorTy()) return vector_call(name, {x, y});
  llvm::CallInst* call =
      b_.CreateCall(declare_libm(*b_.GetInsertBlock()->getModule(), name, 2), {x, y});
  call->setDoesNotAccessMemory();
  return call;
}

llvm::Value* LlvmOpLowering::equal_bits(llvm::Value* x, llvm::Value* y, llvm::Value* result,
                                       llvm::Instruction::BinaryOps bits_op) {
  llvm::Type* bits_type = x->getType()->getWithNewType(b_.getInt64Ty());
  llvm::Value* bits =
      b_.CreateBinOp(bits_op, b_.CreateBitCast(x, bits_type), b_.CreateBitCast(y, bits_type));
  return b_.CreateSelect(b_.CreateFCmpOEQ(x, y), b_.CreateBitCast(bits, x->getType()), result);
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
    case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil: case Op::Sigmoid:
    case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
    case Op::Add: case Op::Sub:
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
    case Op::Pow:
      if (x->getType()->isVectorTy()) return vector_call("pow", {x, y});
      return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, x, y);
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
    case Op::Erfc: return libm("erfc", x);
    case Op::Atan2: return libm("atan2", x, y);
    // IEEE 754-2019 maximumNumber/minimumNumber (scalar_math.h max_num):
    // llvm.maxnum/minnum ignore a NaN operand but may return either zero of
    // {-0, +0}; where x == y the bits of x AND y (max: +0) or x OR y (min:
    // -0) are the result, which for equal nonzero values is x itself.
    case Op::Max: return equal_bits(x, y, b_.CreateMaxNum(x, y), llvm::Instruction::And);
    case Op::Min: return equal_bits(x, y, b_.CreateMinNum(x, y), llvm::Instruction::Or);
    case Op::NoGrad: return x;  // only the value matters in a kernel
    case Op::WrtValue: return x;
    case Op::Relu:  // x <= 0 ? 0.0 : x (unordered > : NaN stays NaN)
      return b_.CreateSelect(b_.CreateFCmpUGT(x, zero), x, zero);
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
    case Op::Gelu: {  // 0.5*x * erfc(x * (-1/sqrt 2)) (helpers.def)
      llvm::Value* erfc = libm("erfc", b_.CreateFMul(x, constant(-0.70710678118654752440)));
      return b_.CreateFMul(b_.CreateFMul(constant(0.5), x), erfc);
    }
    case Op::Const: case Op::Input: case Op::Select:
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::Not:
      break;  // leaves, and ops whose value goes through condition()
  }
  return nullptr;
}

}  // namespace gradc
