// scalar_math.h - the meaning of every op on doubles.
//
// This is the reference semantics: the interpreter and constant folding call
// these functions. The ops that generated C++ calls a helper function for are
// defined in helpers.def, which generated code prints as text: one source
// for both. The cross-backend tests compare every backend with these.
#pragma once

#include <cmath>

#include "ir/ir.h"

namespace gradc::math {

// sigmoid, softplus, gelu, sign, relu, leaky_relu, max_num, min_num: the
// functions that generated C++ defines too, from the same text.
#define GRADC_HELPER(op, function, cpp_function, comment, parameters, ...) \
  inline double function parameters { __VA_ARGS__ }
#include "ir/helpers.def"
#undef GRADC_HELPER

inline double truth(bool b) { return b ? 1.0 : 0.0; }

/// Apply a unary op.
inline double apply(Op op, double x) {
  switch (op) {
    case Op::Neg: return -x;
    case Op::Not: return truth(x == 0);
    case Op::Exp: return std::exp(x);
    case Op::Log: return std::log(x);
    case Op::Log1p: return std::log1p(x);
    case Op::Expm1: return std::expm1(x);
    case Op::Sqrt: return std::sqrt(x);
    case Op::Cbrt: return std::cbrt(x);
    case Op::Sin: return std::sin(x);
    case Op::Cos: return std::cos(x);
    case Op::Tan: return std::tan(x);
    case Op::Asin: return std::asin(x);
    case Op::Acos: return std::acos(x);
    case Op::Atan: return std::atan(x);
    case Op::Sinh: return std::sinh(x);
    case Op::Cosh: return std::cosh(x);
    case Op::Tanh: return std::tanh(x);
    case Op::Erf: return std::erf(x);
    case Op::Erfc: return std::erfc(x);
    case Op::Abs: return std::fabs(x);
    case Op::Sign: return sign(x);
    case Op::Floor: return std::floor(x);
    case Op::Ceil: return std::ceil(x);
    case Op::Sigmoid: return sigmoid(x);
    case Op::Softplus: return softplus(x);
    case Op::Relu: return relu(x);
    case Op::Gelu: return gelu(x);
    case Op::NoGrad: return x;
    case Op::WrtValue: return x;
    case Op::Const: case Op::Input: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div:
    case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::Atan2: case Op::Max: case Op::Min: case Op::LeakyRelu:
    case Op::Select: break;
  }
  return std::nan("");  // not a unary op
}

/// Apply a binary op.
inline double apply(Op op, double a, double b) {
  switch (op) {
    case Op::Add: return a + b;
    case Op::Sub: return a - b;
    case Op::Mul: return a * b;
    case Op::Div: return a / b;
    case Op::Pow: return std::pow(a, b);
    case Op::Lt: return truth(a < b);
    case Op::Le: return truth(a <= b);
    case Op::Gt: return truth(a > b);
    case Op::Ge: return truth(a >= b);
    case Op::Eq: return truth(a == b);
    case Op::Ne: return truth(a != b);
    case Op::And: return truth(a != 0 && b != 0);
    case Op::Or: return truth(a != 0 || b != 0);
    case Op::Atan2: return std::atan2(a, b);
    case Op::Max: return max_num(a, b);
    case Op::Min: return min_num(a, b);
    case Op::LeakyRelu: return leaky_relu(a, b);
    case Op::Const: case Op::Input: case Op::Neg: case Op::Not: case Op::Exp: case Op::Log:
    case Op::Log1p: case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos:
    case Op::Tan: case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh:
    case Op::Tanh: case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil:
    case Op::Sigmoid: case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
    case Op::Select: break;
  }
  return std::nan("");  // not a binary op
}

/// c ? a : b
inline double select(double c, double a, double b) { return c != 0 ? a : b; }

}  // namespace gradc::math
