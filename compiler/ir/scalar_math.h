// scalar_math.h - the meaning of every op on doubles.
//
// This is the reference semantics: the interpreter and constant folding call
// these functions, and emit_cpp writes the same formulas as text (see
// cpp_helpers in emit_cpp.cpp). Keep the two in step; the cross-backend tests
// compare them to 1e-14.
#pragma once

#include <cmath>

#include "ir/ir.h"

namespace gradc::math {

/// Logistic function, computed without overflow for large |x|.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}
/// log(1 + exp(x)), computed without overflow for large x.
inline double softplus(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}
/// Exact GELU: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)).
inline double gelu(double x) {
  return 0.5 * x * (1.0 + std::erf(x * 0.70710678118654752440));
}
inline double sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0 * x; }
// relu(NaN) is NaN, as in PyTorch and JAX (max ignores a NaN; relu does not).
inline double relu(double x) { return x <= 0 ? 0.0 : x; }
inline double leaky_relu(double x, double s) { return x > 0 ? x : s * x; }
/// max and min as IEEE 754-2019's maximumNumber and minimumNumber: a NaN
/// operand is ignored (fmax/fmin) and -0 < +0, so every backend picks the
/// same zero (fmax(-0, +0) may be either: g++ and clang differ).
inline double max_num(double a, double b) {
  if (a < b || a != a) return b;
  if (a > b || b != b) return a;
  return std::signbit(a) ? b : a;  // a == b: +0 of {-0, +0}
}
inline double min_num(double a, double b) {
  if (a > b || a != a) return b;
  if (a < b || b != b) return a;
  return std::signbit(a) ? a : b;  // a == b: -0 of {-0, +0}
}
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
    case Op::Abs: return std::fabs(x);
    case Op::Sign: return sign(x);
    case Op::Floor: return std::floor(x);
    case Op::Ceil: return std::ceil(x);
    case Op::Sigmoid: return sigmoid(x);
    case Op::Softplus: return softplus(x);
    case Op::Relu: return relu(x);
    case Op::Gelu: return gelu(x);
    case Op::NoGrad: return x;
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
    case Op::Tanh: case Op::Erf: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil:
    case Op::Sigmoid: case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad:
    case Op::Select: break;
  }
  return std::nan("");  // not a binary op
}

/// c ? a : b
inline double select(double c, double a, double b) { return c != 0 ? a : b; }

}  // namespace gradc::math
