// random_array_program.cpp - the random array program generator: every
// production is asked for an expression of a given shape and builds it from
// parts whose shapes it chooses, so programs are shape-correct by construction.
#include "random_array_program.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "random_program.h"

namespace gradc_test {

namespace {

using Shape = std::vector<int>;

struct Named {
  std::string name;
  Shape shape;
};

// Names that collide with C++ (keywords, kernel parameters) and with the
// names --print makes for array elements (`h_0` beside an array `h`).
constexpr const char* kInputNames[] = {"x", "y", "W", "b", "v", "A", "M", "in", "q", "u", "x0"};
constexpr const char* kDefNames[] = {"a",   "h",   "z",    "s",   "t1",  "out",    "jac",
                                     "int", "loss", "p",   "r",   "tmp", "double", "h_0",
                                     "a_1", "std",  "e1",  "k"};
constexpr const char* kConstants[] = {"0.5", "2", "1.5", "0.25", ".75", "pi", "(-0.5)", "3"};

std::string shape_text(const Shape& s) {
  return s.empty() ? "" : fmt::format("[{}]", fmt::join(s, ","));
}

class Generator : RandomChoices {
 public:
  Generator(uint64_t seed, std::map<std::string, int>* features)
      : RandomChoices(seed), features_(features) {}
  std::string program();

 private:
  Shape random_shape();
  int inner_dim();
  std::vector<const Named*> named(const Shape& s);
  void note(const std::string& feature) {
    if (features_) ++(*features_)[feature];
  }
  std::string use(const Named& n) {
    used_variable_ = true;
    return n.name;
  }

  std::string leaf(const Shape& s);
  std::string expr(const Shape& s, int depth);
  std::string either(const Shape& s, int depth);  // shape s or, often, a scalar
  std::string scalar_expr(int depth);
  std::string array_expr(const Shape& s, int depth);
  std::string reduction(int depth);
  std::string matmul(const Shape& s, int depth);
  std::string literal(const Shape& s, int depth);
  std::string select(const Shape& s, int depth);
  std::string positive(const Shape& s, int depth);
  std::string bounded(const Shape& s, int depth);
  std::string condition(const Shape& s, int depth);

  std::map<std::string, int>* features_;
  std::vector<Named> inputs_, defined_;
  bool used_variable_ = false;
};

// Mostly the shape of an input, so names can appear as leaves.
Shape Generator::random_shape() {
  if (chance(0.7)) return inputs_[pick(int(inputs_.size()))].shape;
  switch (pick(5)) {
    case 0: return {};
    case 1: case 2: return {1 + pick(4)};
    default: return {1 + pick(3), 1 + pick(4)};
  }
}

// An inner dimension for `@`: often one some name already has.
int Generator::inner_dim() {
  std::vector<int> dims;
  for (const Named& n : inputs_) dims.insert(dims.end(), n.shape.begin(), n.shape.end());
  if (dims.empty() || chance(0.4)) return 1 + pick(4);
  return dims[pick(int(dims.size()))];
}

std::vector<const Named*> Generator::named(const Shape& s) {
  std::vector<const Named*> out;
  for (const Named& n : inputs_)
    if (n.shape == s) out.push_back(&n);
  for (size_t i = defined_.size(), seen = 0; i-- > 0 && seen < 3;)  // recent definitions
    if (defined_[i].shape == s) out.push_back(&defined_[i]), ++seen;
  return out;
}

// A name of shape s, a slice or transpose of one, a constant, or a literal.
std::string Generator::leaf(const Shape& s) {
  if (s.empty()) {
    if (chance(0.15)) return one_of(kConstants);
    std::vector<const Named*> arrays, scalars = named(s);
    for (const Named& n : inputs_)
      if (!n.shape.empty()) arrays.push_back(&n);
    if (!arrays.empty() && (scalars.empty() || chance(0.4))) {  // v[i], A[i,j]
      const Named& a = *arrays[pick(int(arrays.size()))];
      std::vector<int> idx;
      for (int d : a.shape) idx.push_back(pick(d));
      note(a.shape.size() == 1 ? "index v[i]" : "index A[i,j]");
      return fmt::format("{}[{}]", use(a), fmt::join(idx, ", "));
    }
    if (scalars.empty()) return one_of(kConstants);
    return use(*scalars[pick(int(scalars.size()))]);
  }
  std::vector<const Named*> same = named(s);
  if (!same.empty() && chance(0.75)) return use(*same[pick(int(same.size()))]);
  for (const Named& n : inputs_) {  // A[i] (a row), transpose(A)[j] (a column)
    if (s.size() == 1 && n.shape.size() == 2 && n.shape[1] == s[0] && chance(0.5)) {
      note("index A[i]");
      return fmt::format("{}[{}]", use(n), pick(n.shape[0]));
    }
    if (s.size() == 1 && n.shape.size() == 2 && n.shape[0] == s[0] && chance(0.5)) {
      note("transpose");
      return fmt::format("transpose({})[{}]", use(n), pick(n.shape[1]));
    }
    if (s.size() == 2 && n.shape == Shape{s[1], s[0]} && chance(0.6)) {
      note("transpose");
      return fmt::format("transpose({})", use(n));
    }
  }
  if (!same.empty()) return use(*same[pick(int(same.size()))]);
  return literal(s, 0);
}

std::string Generator::expr(const Shape& s, int depth) {
  if (depth <= 0 || chance(0.15)) return leaf(s);
  return s.empty() ? scalar_expr(depth) : array_expr(s, depth);
}

std::string Generator::either(const Shape& s, int depth) {
  if (s.empty() || !chance(0.3)) return expr(s, depth);
  note("broadcast");
  return expr({}, depth);
}

// A scalar from an array: every reduction, dot, vector @ vector, indexing.
std::string Generator::reduction(int depth) {
  Shape t = random_shape();
  if (t.empty()) t = {1 + pick(4)};
  Shape vec{t[0]};
  int form = pick(9);
  note(std::vector<std::string>{"sum", "mean", "dot", "norm", "logsumexp", "@", "softmax",
                                "sum of a scalar", "index expression"}[size_t(form)]);
  switch (form) {
    case 0: return fmt::format("sum({})", expr(t, depth - 1));
    case 1: return fmt::format("mean({})", expr(t, depth - 1));
    case 2: return fmt::format("dot({}, {})", expr(vec, depth - 1), expr(vec, depth - 1));
    case 3:  // kept away from 0, where norm is not differentiable
      if (chance(0.6)) return fmt::format("norm({})", positive(t, depth));
      return fmt::format("norm([0.5, {}])", expr({}, depth - 1));
    case 4: return fmt::format("logsumexp({})", expr(t, depth - 1));
    case 5: return matmul({}, depth);
    case 6: return fmt::format("softmax({})[{}]", expr(vec, depth - 1), pick(vec[0]));
    case 7: return fmt::format("sum({})", expr({}, depth - 1));  // sum of a scalar
    default: {
      std::vector<int> idx;
      for (int d : t) idx.push_back(pick(d));
      if (t.size() == 2 && chance(0.4)) idx.pop_back();  // a row, then an element of it
      std::string e = fmt::format("({})[{}]", expr(t, depth - 1), fmt::join(idx, ", "));
      return idx.size() == t.size() ? e : fmt::format("sum({})", e);
    }
  }
}

std::string Generator::scalar_expr(int depth) {
  auto e = [&] { return expr({}, depth - 1); };
  switch (pick(14)) {
    case 0: return fmt::format("({} + {})", e(), e());
    case 1: return fmt::format("({} - {})", e(), e());
    case 2: return fmt::format("({}*{})", e(), e());
    case 3: return fmt::format("({}/{})", e(), positive({}, depth));
    case 4: return fmt::format("{}({})", one_of({"tanh", "sigmoid", "sin", "relu", "abs"}), e());
    case 5: return fmt::format("exp({})", bounded({}, depth));
    case 6: return fmt::format("log({})", positive({}, depth));
    case 7: return select({}, depth);
    case 8: return fmt::format("{}({}, {})", one_of({"max", "min"}), e(), e());
    default: return reduction(depth);
  }
}

// An array of shape s (non-empty).
std::string Generator::array_expr(const Shape& s, int depth) {
  auto e = [&] { return expr(s, depth - 1); };
  auto binary = [&](const char* op) {
    std::string a = e(), b = either(s, depth - 1);
    if (chance(0.5)) std::swap(a, b);
    return fmt::format("({} {} {})", a, op, b);
  };
  switch (pick(19)) {
    case 0: return binary("+");
    case 1: return binary("-");
    case 2: return binary("*");
    case 3: return fmt::format("({}/{})", e(), positive(chance(0.3) ? Shape{} : s, depth));
    case 4:
      return fmt::format("{}({})", one_of({"tanh", "sigmoid", "relu", "sin", "cos", "abs",
                                           "softplus", "gelu", "-"}), e());
    case 5: return fmt::format("exp({})", bounded(s, depth));
    case 6: {
      std::string x = e();
      return chance(0.5) ? fmt::format("log(1 + {}*{})", x, x)
                         : fmt::format("log({})", positive(s, depth));
    }
    case 7: return fmt::format("sqrt({})", positive(s, depth));
    case 8: case 9: return matmul(s, depth);
    case 10:
      note("transpose");
      if (s.size() == 2) return fmt::format("transpose({})", expr({s[1], s[0]}, depth - 1));
      return fmt::format("transpose({})", e());
    case 11: {
      note("softmax");
      if (s.size() == 1) return fmt::format("softmax({})", e());
      std::vector<std::string> rows;  // a row-wise softmax, as rows of a literal
      for (int i = 0; i < s[0]; ++i)
        rows.push_back(fmt::format("softmax({})", expr({s[1]}, depth - 1)));
      return fmt::format("[{}]", fmt::join(rows, ", "));
    }
    case 12: return literal(s, depth);
    case 13: return select(s, depth);
    case 14:
      if (s.size() == 1) {  // a row of a matrix expression
        note("index A[i]");
        int rows = 1 + pick(3);
        return fmt::format("({})[{}]", expr({rows, s[0]}, depth - 1), pick(rows));
      }
      return fmt::format("{}({}, {})", one_of({"max", "min"}), e(), either(s, depth - 1));
    case 15: return fmt::format("{}({}, {})", one_of({"max", "min"}), e(), either(s, depth - 1));
    case 16: return fmt::format("leaky_relu({}, {})", e(), one_of({"0.1", "0.01"}));
    case 17: return chance(0.5) ? fmt::format("pow({}, 2)", e()) : fmt::format("({}^3)", e());
    default: return fmt::format("({}*{})", reduction(depth), e());  // scalar times array
  }
}

// `@` giving shape s: vector@vector, matrix@vector, vector@matrix, matrix@matrix.
std::string Generator::matmul(const Shape& s, int depth) {
  int k = inner_dim();
  bool left_matrix = s.size() == 2 || (s.size() == 1 && chance(0.5));
  note(fmt::format("@ {}{}", left_matrix ? "matrix" : "vector",
                   s.size() == 2 || (s.size() == 1 && !left_matrix) ? "-matrix" : "-vector"));
  if (s.empty()) return fmt::format("({} @ {})", expr({k}, depth - 1), expr({k}, depth - 1));
  if (s.size() == 2)
    return fmt::format("({} @ {})", expr({s[0], k}, depth - 1), expr({k, s[1]}, depth - 1));
  if (left_matrix)
    return fmt::format("({} @ {})", expr({s[0], k}, depth - 1), expr({k}, depth - 1));
  return fmt::format("({} @ {})", expr({k}, depth - 1), expr({k, s[0]}, depth - 1));
}

// [e0, e1, ...] for a vector; rows for a matrix, often as nested literals.
std::string Generator::literal(const Shape& s, int depth) {
  std::vector<std::string> elems;
  Shape inner(s.begin() + 1, s.end());
  note(s.size() == 1 ? "vector literal" : "matrix literal");
  for (int i = 0; i < s[0]; ++i)
    elems.push_back(inner.size() == 1 && chance(0.5) ? literal(inner, depth - 1)
                                                     : expr(inner, depth - 1));
  return fmt::format("[{}]", fmt::join(elems, ", "));
}

// `c ? a : b` or where(c, a, b): an array condition selects elementwise; a
// scalar condition needs an array branch to give shape s.
std::string Generator::select(const Shape& s, int depth) {
  bool array_cond = !s.empty() && chance(0.7);
  note(array_cond ? "array condition" : "scalar condition");
  std::string c = condition(array_cond ? s : Shape{}, depth);
  std::string a = s.empty() || !array_cond ? expr(s, depth - 1) : either(s, depth - 1);
  std::string b = either(s, depth - 1);
  if (chance(0.5)) std::swap(a, b);
  if (chance(0.3)) return fmt::format("where({}, {}, {})", c, a, b);
  return fmt::format("({} ? {} : {})", c, a, b);
}

std::string Generator::condition(const Shape& s, int depth) {
  auto e = [&] { return expr(s, depth - 1); };
  auto o = [&] { return either(s, depth - 1); };
  switch (pick(7)) {
    case 0: return fmt::format("{} > {}", e(), o());
    case 1: return fmt::format("{} < 0.5", e());
    case 2: return fmt::format("{} >= -0.3", e());
    case 3: return fmt::format("{} > 0 && {} < 1", e(), o());
    case 4: return fmt::format("{} < 0 || {} > 1", e(), o());
    case 5: return fmt::format("!({} > {})", e(), o());
    default: return fmt::format("{} <= {}", o(), e());
  }
}

// Elementwise > 0.09 for any finite argument.
std::string Generator::positive(const Shape& s, int depth) {
  std::string e = expr(s, depth - 1);
  return positive_form(pick(7), e);
}

// Elementwise in [-3, 3] (a name here is an input or a bounded definition).
std::string Generator::bounded(const Shape& s, int depth) {
  std::string e = expr(s, depth - 1);
  switch (pick(6)) {
    case 0: return fmt::format("sin({})", e);
    case 1: return fmt::format("tanh({})", e);
    case 2: return fmt::format("(2*sigmoid({}))", e);
    case 3: return fmt::format("(-({}*{}))", e, e);  // exp(-e^2) underflows to 0: fine
    case 4: return fmt::format("atan({})", e);
    default:
      for (const Named& n : inputs_)
        if (n.shape == s) return use(n);
      return fmt::format("cos({})", e);
  }
}

std::string Generator::program() {
  std::vector<std::string> in_pool(std::begin(kInputNames), std::end(kInputNames));
  std::shuffle(in_pool.begin(), in_pool.end(), rng_);
  int n_inputs = 1 + pick(4);
  std::vector<std::string> decls;
  for (int i = 0; i < n_inputs; ++i) {
    Shape s;
    int r = pick(10);
    if (r >= 3) s.push_back(1 + pick(r < 6 ? 4 : 3));  // a vector, or a matrix's rows
    if (r >= 6) s.push_back(1 + pick(4));
    inputs_.push_back({in_pool[size_t(i)], s});
    decls.push_back(in_pool[size_t(i)] + shape_text(s));
    note(fmt::format("input of rank {}", s.size()));
  }
  std::vector<std::string> def_pool(std::begin(kDefNames), std::end(kDefNames));
  std::shuffle(def_pool.begin(), def_pool.end(), rng_);

  std::string text = chance(0.3) ? "# a random array program\n" : "";
  text += fmt::format("input {}\n", fmt::join(decls, ", "));
  int statements = 1 + pick(5);
  for (int i = 0; i < statements; ++i) {
    used_variable_ = false;
    Shape s = random_shape();
    std::string rhs = expr(s, 2 + pick(2));
    if (!used_variable_)  // a scalar broadcasts to any shape
      rhs = fmt::format("{} + mean({})", rhs, inputs_[size_t(pick(n_inputs))].name);
    text += fmt::format("{} = {}{}", def_pool[size_t(i)], rhs, chance(0.2) ? "; " : "\n");
    defined_.push_back({def_pool[size_t(i)], s});
  }
  std::vector<Named> outs{defined_.back()};
  if (statements > 1 && chance(0.5)) {  // several outputs, arrays and scalars, any order
    outs = defined_;
    std::shuffle(outs.begin(), outs.end(), rng_);
    outs.resize(std::min<size_t>(outs.size(), 2 + pick(2)));
    if (chance(0.15)) outs.push_back(inputs_[0]);  // an input as an output
    std::vector<std::string> names;
    for (const Named& o : outs) names.push_back(o.name);
    text += fmt::format("output {}\n", fmt::join(names, ", "));
  }
  for (const Named& o : outs) note(fmt::format("output of rank {}", o.shape.size()));
  if (chance(0.3)) {  // a wrt subset, listed in any order
    std::vector<std::string> wrt;
    for (const Named& n : inputs_) wrt.push_back(n.name);
    std::shuffle(wrt.begin(), wrt.end(), rng_);
    wrt.resize(1 + size_t(pick(n_inputs)));
    text += fmt::format("wrt {}\n", fmt::join(wrt, ", "));
    note("wrt");
  }
  return text;
}

}  // namespace

std::string random_array_program(uint64_t seed, std::map<std::string, int>* features) {
  return Generator(seed, features).program();
}

}  // namespace gradc_test
