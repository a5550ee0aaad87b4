// plot_sample.cpp - evaluating the plotted roots along x, and locating by
// bisection the switches of piecewise operations between grid points.
#include "emit/plot_sample.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ir/scalar_math.h"

namespace gradc {

namespace {

uint64_t mix(uint64_t h, uint64_t v) {  // splitmix64's finalizer over h + v
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 27);
}

uint64_t bits(double v) {
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// 0 for zero, 1 positive, 2 negative, 3 NaN.
uint64_t sign3(double v) { return v == 0 ? 0 : v > 0 ? 1 : v < 0 ? 2 : 3; }

// The piece of piecewise operation `n` that its operand values `v` (and its
// own value `self`) select, into `state`; false for an operation that is
// continuous wherever it is finite (its domain's edges show as NaN or inf,
// which the signature records separately).
bool piece(const Node& n, const std::vector<double>& v, double self, uint64_t& state) {
  switch (n.op) {
    case Op::Const: case Op::Input: case Op::Neg: case Op::Exp: case Op::Log: case Op::Log1p:
    case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos: case Op::Asin:
    case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh: case Op::Tanh: case Op::Erf: case Op::Erfc:
    case Op::Sigmoid: case Op::Softplus: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
    case Op::Add:
    case Op::Sub: case Op::Mul:
      return false;
    case Op::Not: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq:
    case Op::Ne: case Op::And: case Op::Or:  // 0 or 1
      state = self != 0;
      return true;
    case Op::Select: state = v[n.a] != 0; return true;
    case Op::Relu: case Op::LeakyRelu: state = v[n.a] > 0; return true;
    case Op::Abs: case Op::Sign: state = sign3(v[n.a]); return true;
    case Op::Floor: case Op::Ceil: state = bits(self); return true;
    // A pole where a denominator or a power's base crosses zero.
    case Op::Div: state = sign3(v[n.b]); return true;
    case Op::Pow: state = sign3(v[n.a]); return true;
    // tan = sin/cos has a pole where cos changes sign.
    case Op::Tan: state = std::signbit(std::cos(v[n.a])); return true;
    // atan2(y, x) jumps by 2 pi where y changes sign at x < 0.
    case Op::Atan2: state = v[n.b] < 0 ? 1 + std::signbit(v[n.a]) : 0; return true;
    case Op::Max: case Op::Min: {  // fmax/fmin: a NaN operand is ignored
      double a = v[n.a], b = v[n.b];
      state = a > b ? 0 : a < b ? 1 : a == b ? 2 : std::isnan(a) ? 3 : 4;
      return true;
    }
  }
  return false;
}

/// One evaluation: the roots' values and the pieces everything is on.
struct Sample {
  double x = 0;
  std::vector<double> values, derivs;
  uint64_t signature = 0;
};

/// Evaluates the cone of the roots (the nodes they depend on) at any x.
class Evaluator {
 public:
  Evaluator(const Graph& g, const PlotSampling& s) : g_(g), s_(s), v_(g.size(), 0.0) {
    std::vector<bool> live(g.size(), false);
    for (NodeId r : s.values) live[r] = true;
    for (NodeId r : s.derivs) live[r] = true;
    for (NodeId id = NodeId(g.size()); id-- > 0;) {  // operands have smaller ids
      if (!live[id]) continue;
      for (int k = 0; k < arity(g[id]); ++k) live[operand(g[id], k)] = true;
    }
    for (NodeId id = 0; id < g.size(); ++id)
      if (live[id]) cone_.push_back(id);
  }

  size_t cone_size() const { return cone_.size(); }

  Sample at(double x) {
    Sample out;
    out.x = x;
    uint64_t h = 0;
    for (NodeId id : cone_) {
      const Node& n = g_[id];
      double& r = v_[id];
      switch (arity(n)) {
        case 0:
          r = n.op == Op::Const ? g_.const_value(id)
              : n.a == s_.var   ? x
              : n.a < s_.point.size() ? s_.point[n.a]
                                      : std::nan("");
          break;
        case 1: r = math::apply(n.op, v_[n.a]); break;
        case 2: r = math::apply(n.op, v_[n.a], v_[n.b]); break;
        default: r = math::select(v_[n.a], v_[n.b], v_[n.c]); break;
      }
      uint64_t state = 0;
      if (piece(n, v_, r, state)) h = mix(h, mix(id, state));
    }
    for (NodeId r : s_.values) out.values.push_back(v_[r]);
    for (NodeId r : s_.derivs) out.derivs.push_back(v_[r]);
    for (double y : out.values) h = mix(h, std::isfinite(y));  // a domain's edge
    for (double y : out.derivs) h = mix(h, std::isfinite(y));
    out.signature = h;
    return out;
  }

 private:
  const Graph& g_;
  const PlotSampling& s_;
  std::vector<NodeId> cone_;  // ascending ids: a topological order
  std::vector<double> v_;
};

/// Narrow [left, right] (different signatures) down to a pair `width` or
/// less apart: the first is on left's piece, the second is not.
std::pair<Sample, Sample> bisect(Evaluator& ev, const Sample& left, const Sample& right,
                                 double width, int& spent) {
  Sample a = left, b = right;
  while (b.x - a.x > width) {
    double m = a.x + (b.x - a.x) / 2;
    if (!(a.x < m && m < b.x)) break;  // adjacent doubles
    Sample s = ev.at(m);
    ++spent;
    (s.signature == left.signature ? a : b) = std::move(s);
  }
  return {std::move(a), std::move(b)};
}

}  // namespace

PlotSamples sample_plot(const Graph& g, const PlotSampling& s) {
  Evaluator ev(g, s);
  const int steps = kPlotGridPoints - 1;
  std::vector<Sample> grid;
  for (int i = 0; i <= steps; ++i)
    grid.push_back(ev.at(i == steps ? s.hi : s.lo + (s.hi - s.lo) * (double(i) / steps)));

  PlotSamples out;
  out.values.resize(s.values.size());
  out.derivs.resize(s.derivs.size());
  auto push = [&](PlotGap gap, const Sample& p) {
    if (!out.x.empty()) out.gaps.push_back(gap);
    out.x.push_back(p.x);
    for (size_t k = 0; k < p.values.size(); ++k) out.values[k].push_back(p.values[k]);
    for (size_t k = 0; k < p.derivs.size(); ++k) out.derivs[k].push_back(p.derivs[k]);
  };
  // Bisection costs about 21 evaluations per switch; a large program gets
  // fewer (the grid alone is 801 evaluations of it).
  const int budget = int(std::min<double>(kPlotBisectionBudget,
                                          std::max<double>(64, 4e8 / double(ev.cone_size() + 1))));
  const double width = (s.hi - s.lo) * kPlotSwitchWidth;
  int spent = 0;
  push(PlotGap::Smooth, grid[0]);
  for (int i = 0; i < steps; ++i) {
    const Sample& next = grid[i + 1];
    Sample left = grid[i];
    PlotGap last = PlotGap::Smooth;
    for (int located = 0; left.signature != next.signature; ++located) {
      if (located == kPlotSwitchesPerStep || spent >= budget) {
        last = PlotGap::Unlocated;
        ++out.unlocated;
        break;
      }
      auto [a, b] = bisect(ev, left, next, width, spent);
      if (a.x != left.x) push(PlotGap::Smooth, a);
      if (b.x == next.x) {  // the next grid point is the first of the new piece
        last = PlotGap::Switch;
        break;
      }
      push(PlotGap::Switch, b);
      left = std::move(b);
    }
    push(last, next);
  }
  return out;
}

}  // namespace gradc
