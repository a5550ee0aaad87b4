// parse_expr.cpp - the expression productions, loosest operator first.
// Values may be arrays: operators and built-ins apply elementwise (a scalar
// combines with any array), and shape errors are reported at the operator.
#include <numbers>

#include "front/array_ops.h"
#include "front/builtins.h"
#include "front/parser_impl.h"
#include "support/spelling.h"

namespace gradc::detail {

namespace {
// "; did you mean 'sigmoid'?" for `sigmod`, or "".
std::string suggest_function(std::string_view name) {
  Closest closest(name);
  for (std::string_view f : function_names()) closest.offer(f);
  return closest.did_you_mean();
}

bool any_poisoned(std::initializer_list<const Value*> args) {
  for (const Value* a : args)
    if (a->poisoned) return true;
  return false;
}
}  // namespace

Value Parser::traced(Value v, std::string_view label, std::initializer_list<const Value*> operands) {
  return traced(std::move(v), label, std::span<const Value* const>(operands.begin(), operands.size()));
}

Value Parser::traced(Value v, std::string_view label, std::span<const Value* const> operands) {
  if (v.poisoned || !record_ops_) return v;
  OpRecord r;
  r.label = std::string(label);
  r.shape = v.shape;
  for (const Value* a : operands) {
    r.operands.push_back(a->op);
    if (a->op < 0 && a->is_scalar() && prog_.graph.is_const(a->scalar))
      r.constants.push_back(prog_.graph.const_value(a->scalar));
  }
  v.op = int32_t(prog_.ops.size());
  prog_.ops.push_back(std::move(r));
  return v;
}

Value Parser::apply(Op op, Loc loc, std::string_view what, std::initializer_list<const Value*> args) {
  if (any_poisoned(args)) return Value::poison(b_.zero());  // its error is reported
  std::string error;
  Value v = elementwise(b_, op, std::span<const Value* const>(args.begin(), args.size()), what, error);
  if (!error.empty()) diag_.error(loc, "{}", error);
  return traced(std::move(v), what, args);
}

// expression = conditional
Value Parser::expression() { return conditional(); }

// conditional = logical_or [ "?" conditional ":" conditional ]
Value Parser::conditional() {
  Nest nest(*this, peek().loc);
  Value c = logical_or();
  if (!at(Tok::Question)) return c;
  Loc q = next().loc;
  Value a = conditional();
  if (!at(Tok::Colon))
    unexpected(fmt::format("':' to complete the '?' at line {}, column {}", q.line, q.col));
  next();
  Value b = conditional();
  return apply(Op::Select, q, "?:", {&c, &a, &b});
}

// logical_or = logical_and { "||" logical_and }
Value Parser::logical_or() {
  Value x = logical_and();
  while (at(Tok::OrOr)) {
    Loc loc = next().loc;
    Value y = logical_and();
    x = apply(Op::Or, loc, "||", {&x, &y});
  }
  return x;
}

// logical_and = comparison { "&&" comparison }
Value Parser::logical_and() {
  Value x = comparison();
  while (at(Tok::AndAnd)) {
    Loc loc = next().loc;
    Value y = comparison();
    x = apply(Op::And, loc, "&&", {&x, &y});
  }
  return x;
}

// comparison = additive [ ("<" | "<=" | ">" | ">=" | "==" | "!=") additive ]
Value Parser::comparison() {
  auto comparison_op = [](Tok k) -> std::optional<Op> {
    switch (k) {
      case Tok::Lt: return Op::Lt;
      case Tok::Le: return Op::Le;
      case Tok::Gt: return Op::Gt;
      case Tok::Ge: return Op::Ge;
      case Tok::EqEq: return Op::Eq;
      case Tok::Ne: return Op::Ne;
      default: return std::nullopt;
    }
  };
  Value x = additive();
  auto op = comparison_op(peek().kind);
  if (!op) return x;
  const Token& t = next();
  Value y = additive();
  if (comparison_op(peek().kind))
    fail(peek().loc, "comparison operators cannot be chained; add parentheses");
  return apply(*op, t.loc, t.text, {&x, &y});
}

// additive = multiplicative { ("+" | "-") multiplicative }
Value Parser::additive() {
  Value x = multiplicative();
  while (at(Tok::Plus) || at(Tok::Minus)) {
    const Token& t = next();
    Value y = multiplicative();
    x = apply(t.kind == Tok::Plus ? Op::Add : Op::Sub, t.loc, t.text, {&x, &y});
  }
  return x;
}

// multiplicative = unary { ("*" | "/" | "@") unary }
Value Parser::multiplicative() {
  Value x = unary();
  while (at(Tok::Star) || at(Tok::Slash) || at(Tok::At)) {
    const Token& t = next();
    Value y = unary();
    if (t.kind != Tok::At) {
      x = apply(t.kind == Tok::Star ? Op::Mul : Op::Div, t.loc, t.text, {&x, &y});
      continue;
    }
    if (x.poisoned || y.poisoned) {
      x = Value::poison(b_.zero());
      continue;
    }
    std::string error;
    Value product = matmul(b_, x, y, error);
    if (!error.empty()) diag_.error(t.loc, "{}", error);
    x = traced(std::move(product), "@", {&x, &y});
  }
  return x;
}

// unary = ("-" | "+" | "!") unary | power
Value Parser::unary() {
  if (!at(Tok::Minus) && !at(Tok::Plus) && !at(Tok::Bang)) return power();
  Nest nest(*this, peek().loc);
  const Token& t = next();
  Value x = unary();
  if (t.kind == Tok::Plus) return x;
  return apply(t.kind == Tok::Minus ? Op::Neg : Op::Not, t.loc, t.text, {&x});
}

// power = postfix [ "^" unary ]        ("**" is the same token as "^")
Value Parser::power() {
  Value base = postfix();
  if (!at(Tok::Caret)) return base;
  Nest nest(*this, peek().loc);
  const Token& t = next();
  Value exponent = unary();
  return apply(Op::Pow, t.loc, "^", {&base, &exponent});
}

// postfix = primary { "[" index_list "]" }
Value Parser::postfix() {
  Value x = primary();
  while (at(Tok::LBracket)) {
    Loc open = next().loc;
    std::vector<long> indices = index_list("an index");
    expect(Tok::RBracket, "']' to close the index");
    if (x.poisoned) continue;
    std::string error;
    Value element = index_value(x, indices, error);
    if (!error.empty()) {
      diag_.error(open, "{}", error);
      x = Value::poison(b_.zero());
      continue;
    }
    std::string label = "[";
    for (size_t k = 0; k < indices.size(); ++k) label += fmt::format("{}{}", k ? ", " : "", indices[k]);
    x = traced(std::move(element), label + "]", {&x});
  }
  return x;
}

// primary = NUMBER | call | NAME | "(" expression ")" | array_literal
Value Parser::primary() {
  const Token& t = peek();
  switch (t.kind) {
    case Tok::Number: next(); return Value::of(b_.constant(t.number));
    case Tok::Ident:
      next();
      if (at(Tok::LParen)) return call(t);
      return name_use(t);
    case Tok::LParen: {
      next();
      Value x = expression();
      if (!at(Tok::RParen))
        unexpected(fmt::format("')' to close the '(' at line {}, column {}", t.loc.line,
                               t.loc.col));
      next();
      return x;
    }
    case Tok::LBracket: return array_literal();
    case Tok::RParen: fail(t.loc, "expected an expression, got extra ')'");
    default: unexpected("an expression");
  }
}

// array_literal = "[" expression { "," expression } "]"
Value Parser::array_literal() {
  const Token& open = next();  // no Nest: each element's expression() counts the level
  std::vector<Value> elems;
  do elems.push_back(expression());
  while (accept(Tok::Comma));
  if (!at(Tok::RBracket))
    unexpected(fmt::format("']' to close the '[' at line {}, column {}", open.loc.line,
                           open.loc.col));
  next();
  for (const Value& e : elems)
    if (e.poisoned) return Value::poison(b_.zero());
  std::string error;
  Value v = stack_values(elems, error);
  if (error.empty()) {  // a literal of constants is a constant; else one record for [...]
    bool constant = std::all_of(elems.begin(), elems.end(), [](const Value& e) { return e.op < 0; });
    if (constant || !record_ops_) return v;
    OpRecord r{"[...]", {}, {}, v.shape, {}, false};
    for (const Value& e : elems) r.operands.push_back(e.op);
    v.op = int32_t(prog_.ops.size());
    prog_.ops.push_back(std::move(r));
    return v;
  }
  diag_.error(open.loc, "{}", error);
  return Value::poison(b_.zero());
}

// call = NAME "(" [ expression { "," expression } ] ")"
Value Parser::call(const Token& name) {
  Loc open = next().loc;
  std::vector<Value> args;
  if (!at(Tok::RParen)) {
    do args.push_back(expression());
    while (accept(Tok::Comma));
  }
  if (!at(Tok::RParen))
    unexpected(fmt::format("')' to close the call to '{}' opened at line {}, column {}",
                           name.text, open.line, open.col));
  next();
  // Errors here are not syntax errors: report them and go on parsing, so
  // every bad call of a statement is reported.
  if (functions_.count(name.text)) return inline_call(name, args);
  if (name.text == defining_) {
    diag_.error(name.loc, "'{}' calls itself: functions are inlined, so recursion is not "
                "supported", name.text);
    return Value::poison(b_.zero());
  }
  // A name bound as a value (an input, say) whose definition as a function
  // was rejected is "not a function" below.
  if (functions_somewhere_.count(name.text) && !symbols_.count(name.text)) {
    diag_.error(name.loc, "call of '{}' before its definition", name.text);
    return Value::poison(b_.zero());
  }
  auto builtin = find_builtin(name.text);
  int arity = builtin ? builtin->arity : array_function_arity(name.text);
  if (arity < 0) {
    if (symbols_.count(name.text) || name.text == "pi" || is_keyword(name.text))
      diag_.error(name.loc, "'{}' is not a function", name.text);
    else
      diag_.error(name.loc, "unknown function '{}'{}", name.text, suggest_function(name.text));
    return Value::poison(b_.zero());
  }
  if (int(args.size()) != arity) {
    diag_.error(name.loc, "'{}' takes {} argument{}, got {}", name.text, arity,
                arity == 1 ? "" : "s", args.size());
    return Value::poison(b_.zero());
  }
  for (const Value& a : args)
    if (a.poisoned) return Value::poison(b_.zero());
  std::string error;
  std::vector<const Value*> ptrs;
  for (const Value& a : args) ptrs.push_back(&a);
  Value v = builtin ? elementwise(b_, builtin->op, ptrs, name.text, error)
                    : array_function(b_, name.text, args, error);
  if (!error.empty()) {
    diag_.error(name.loc, "{}", error);
    return v;
  }
  return traced(std::move(v), name.text, ptrs);
}

Value Parser::inline_call(const Token& name, const std::vector<Value>& args) {
  Function& f = functions_.at(name.text);
  f.used = true;
  if (args.size() != f.params.size()) {
    diag_.error(name.loc, "'{}' takes {} argument{}, got {}", name.text, f.params.size(),
                f.params.size() == 1 ? "" : "s", args.size());
    return Value::poison(b_.zero());
  }
  for (const Value& a : args)
    if (a.poisoned) return Value::poison(b_.zero());
  if (!f.ok) return Value::poison(b_.zero());  // its error is reported at its definition
  // Equal arguments give equal nodes (hash-consing), so a call with the
  // same argument nodes is the same value: parsing each distinct call once
  // keeps f2(x) = f1(x) + f1(x), f3(x) = f2(x) + f2(x), ... linear.
  std::vector<uint32_t> key;
  for (const Value& a : args) {
    key.push_back(uint32_t(a.shape.size()));
    key.insert(key.end(), a.shape.begin(), a.shape.end());
    for (NodeId n : a.nodes()) key.push_back(n);
  }
  if (auto it = f.memo.find(key); it != f.memo.end()) return it->second;
  if (inline_depth_ == 0) outer_call_ = {name.text, name.loc, false};
  if (inline_depth_ >= kMaxInlineDepth) {
    if (!std::exchange(outer_call_.too_deep_reported, true))
      diag_.error(name.loc, "calls of functions are nested too deeply (the limit is {} levels, "
                  "from the call of '{}' at line {}, column {})", kMaxInlineDepth,
                  outer_call_.name, outer_call_.loc.line, outer_call_.loc.col);
    return Value::poison(b_.zero());
  }
  std::unordered_map<std::string_view, Value> bound;
  for (size_t i = 0; i < args.size(); ++i) bound.emplace(f.params[i], args[i]);
  // Parse the body in place of the call; the position, parameters and error
  // context are restored however the body's parse ends.
  struct Restore {
    Parser& p;
    size_t pos;
    const std::unordered_map<std::string_view, Value>* params;
    std::string context;
    ~Restore() {
      p.pos_ = pos;
      p.params_ = params;
      p.diag_.set_context(std::move(context));
      --p.inline_depth_;
    }
  } restore{*this, pos_, std::exchange(params_, &bound), diag_.set_context("")};
  diag_.set_context(fmt::format(" (in the call of '{}' at line {}, column {})", name.text,
                                name.loc.line, name.loc.col));
  ++inline_depth_;
  pos_ = f.body_begin;
  Value v = expression();
  f.memo.emplace(std::move(key), v);
  return v;
}

// A name in an expression: a defined name, an input, `pi`, or (without an
// input statement) a new implicit input.
Value Parser::name_use(const Token& t) {
  if (params_) {
    if (auto it = params_->find(t.text); it != params_->end()) return it->second;
  }
  if (auto it = symbols_.find(t.text); it != symbols_.end()) {
    it->second.used = true;
    return it->second.value;
  }
  if (t.text == "pi") return Value::of(b_.constant(std::numbers::pi));
  if (is_keyword(t.text)) fail(t.loc, "'{}' is a keyword, not a value", t.text);
  if (is_reserved_builtin(t.text))
    fail(t.loc, "built-in function '{}' cannot be used as a variable", t.text);
  if (defined_somewhere_.count(t.text)) {
    diag_.error(t.loc, "use of '{}' before its definition", t.text);
    return Value::poison(b_.zero());
  }
  // A function's name is not a value (nor, unbound, a new input).
  if (auto f = functions_somewhere_.find(t.text); f != functions_somewhere_.end()) {
    if (std::pair(f->second.line, f->second.col) > std::pair(t.loc.line, t.loc.col))  // not callable yet
      diag_.error(t.loc, "'{}' is a function defined later (at line {}, column {}); a function "
                  "is called as {}(...), after its definition", t.text, f->second.line,
                  f->second.col, t.text);
    else
      diag_.error(t.loc, "'{}' is a function (defined at line {}, column {}): call it as {}(...)",
                  t.text, f->second.line, f->second.col, t.text);
    return Value::poison(b_.zero());
  }
  // An input declared further down: its statement must come first (an input
  // statement turns implicit inputs off). Reported at its first use only.
  if (auto in = inputs_somewhere_.find(t.text);
      in != inputs_somewhere_.end() &&
      std::pair(in->second.line, in->second.col) > std::pair(t.loc.line, t.loc.col)) {
    if (used_before_input_.insert(t.text).second)
      diag_.error(t.loc, "use of '{}' before its declaration as an input (at line {}, column {})",
                  t.text, in->second.line, in->second.col);
    return Value::poison(b_.zero());
  }
  if (has_input_statement_) {
    diag_.error(t.loc, "use of undeclared name '{}'{}", t.text, suggest_name(t.text));
    symbols_.emplace(t.text, Symbol{Value::poison(b_.zero()), t.loc, false});  // report once
    return Value::poison(b_.zero());
  }
  warn_implicit_input(t);
  return new_input(t, {});
}

std::string Parser::suggest_name(std::string_view name) {
  const size_t cost = symbols_.size() + defined_somewhere_.size() + (params_ ? params_->size() : 0);
  if (spelling_budget_ < cost) return "";  // huge programs: no search
  spelling_budget_ -= cost;
  Closest closest(name);
  for (const auto& [n, symbol] : symbols_)
    if (!symbol.value.poisoned) closest.offer(n);  // not another undeclared name
  for (std::string_view n : defined_somewhere_) closest.offer(n);
  if (params_)
    for (const auto& entry : *params_) closest.offer(entry.first);
  return closest.did_you_mean();
}

// Without an input statement a typo becomes an input: `(hiden - y)^2` with
// `hidden` defined compiles, with derivative 0. Say so where it looks like one.
void Parser::warn_implicit_input(const Token& t) {
  if (spelling_budget_ < defined_somewhere_.size()) return;  // huge programs: no search
  spelling_budget_ -= defined_somewhere_.size();
  Closest closest(t.text);
  for (std::string_view name : defined_somewhere_) closest.offer(name);
  if (!closest.best().empty())
    diag_.warning(t.loc, "'{}' is used but never defined, so it is an input; did you mean '{}'?",
                  t.text, closest.best());
}

}  // namespace gradc::detail
