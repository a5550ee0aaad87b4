// parser.cpp - recursive descent over the token list, building the DAG
// through Builder as it goes. Each method carries its production from
// grammar/gradc.ebnf. On a syntax error the parser reports it, throws
// SyntaxError, and the statement loop resumes at the next `;` or newline.
#include "parser.h"

#include <numbers>
#include <unordered_map>
#include <unordered_set>

#include "builder.h"
#include "builtins.h"
#include "lexer.h"

namespace gradc {

bool is_reserved_name(std::string_view name) {
  return is_keyword(name) || find_builtin(name) || is_array_function(name) || name == "pi";
}

namespace {

struct SyntaxError {};

class Parser {
 public:
  Parser(const SourceFile& file, Diagnostics& diag, std::vector<Token> toks)
      : file_(file), diag_(diag), toks_(std::move(toks)), b_(prog_.graph) {}

  std::optional<Program> run();

 private:
  // --- token helpers -------------------------------------------------------
  const Token& peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  bool at(Tok k) const { return peek().kind == k; }
  bool at_separator() const { return at(Tok::Newline) || at(Tok::Semi) || at(Tok::Eof); }
  const Token& next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool accept(Tok k) {
    if (!at(k)) return false;
    ++pos_;
    return true;
  }
  std::string describe(const Token& t) const {
    if (t.kind == Tok::Ident || t.kind == Tok::Number) return fmt::format("'{}'", t.text);
    return std::string(tok_spelling(t.kind));
  }
  template <typename... Args>
  [[noreturn]] void fail(Loc loc, fmt::format_string<Args...> f, Args&&... args) {
    diag_.error(loc, f, std::forward<Args>(args)...);
    throw SyntaxError{};
  }
  const Token& expect(Tok k, std::string_view what) {
    if (!at(k)) unexpected(what);
    return next();
  }
  /// Report "expected WHAT, got X" - unless X is an Error token, whose
  /// problem the lexer has reported already - and abandon the statement.
  [[noreturn]] void unexpected(std::string_view what) {
    if (at(Tok::Error)) throw SyntaxError{};
    fail(peek().loc, "expected {}, got {}", what, describe(peek()));
  }

  /// Bounds the recursion depth of the expression methods.
  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser, Loc loc) : p(parser) {
      if (++p.depth_ > kMaxNesting)
        p.fail(loc, "expression is nested too deeply (the limit is {} levels)", kMaxNesting);
    }
    ~Nest() { --p.depth_; }
  };

  // --- productions (grammar/gradc.ebnf) ------------------------------------
  void program();
  void statement();
  void input_decl();
  void output_decl();
  void wrt_decl();
  void definition();
  std::vector<const Token*> name_list();
  NodeId expression();
  NodeId conditional();
  NodeId logical_or();
  NodeId logical_and();
  NodeId comparison();
  NodeId additive();
  NodeId multiplicative();
  NodeId unary();
  NodeId power();
  NodeId postfix();
  NodeId primary();
  NodeId call(const Token& name);
  NodeId name_use(const Token& name);

  // --- checks --------------------------------------------------------------
  void prescan();
  bool check_bindable(const Token& name, std::string_view what);
  void resolve_outputs_and_wrt();

  const SourceFile& file_;
  Diagnostics& diag_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  Program prog_;
  Builder b_;

  bool has_input_statement_ = false;
  std::unordered_set<std::string_view> defined_somewhere_;
  struct Symbol {
    NodeId node;
    Loc loc;
    bool is_input;
  };
  std::unordered_map<std::string_view, Symbol> symbols_;
  std::vector<Variable> output_names_, wrt_names_;
  bool saw_output_ = false, saw_wrt_ = false;
};

// Before parsing: does the program have an `input` statement, and which names
// does it define anywhere (for "used before its definition")?
void Parser::prescan() {
  bool start = true;
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    const Token& t = toks_[i];
    if (start && t.kind == Tok::Ident) {
      if (t.text == "input") has_input_statement_ = true;
      if (toks_[i + 1].kind == Tok::Assign) defined_somewhere_.insert(t.text);
    }
    start = t.kind == Tok::Newline || t.kind == Tok::Semi;
  }
}

std::optional<Program> Parser::run() {
  prescan();
  program();
  resolve_outputs_and_wrt();
  if (diag_.has_errors()) return std::nullopt;
  prog_.forward_nodes = prog_.graph.size();
  return std::move(prog_);
}

// program = statement { (";" | NEWLINE) statement } EOF
void Parser::program() {
  bool any_statement = false;
  while (!at(Tok::Eof)) {
    if (!at_separator()) any_statement = true;
    try {
      statement();
      if (!at_separator()) {
        if (at(Tok::RParen)) fail(peek().loc, "extra ')' with no matching '('");
        unexpected("end of statement");
      }
    } catch (const SyntaxError&) {
      while (!at_separator()) next();  // recover at the next statement
    }
    if (!at(Tok::Eof)) next();         // the separator
  }
  if (!any_statement && !diag_.has_errors())
    diag_.error(Loc{1, 1}, "the program is empty: it has no statements");
}

// statement = [ input_decl | output_decl | wrt_decl | definition ]
void Parser::statement() {
  if (at_separator()) return;
  const Token& t = peek();
  if (t.kind == Tok::Ident && peek(1).kind == Tok::Assign) return definition();
  if (t.kind == Tok::Ident && t.text == "input") return input_decl();
  if (t.kind == Tok::Ident && t.text == "output") return output_decl();
  if (t.kind == Tok::Ident && t.text == "wrt") return wrt_decl();
  if (t.kind == Tok::Ident && peek(1).kind == Tok::EqEq)
    fail(peek(1).loc, "expected '=' to define '{}', got '=='", t.text);
  unexpected("a statement ('NAME = expression', 'input', 'output' or 'wrt')");
}

// name_list = NAME { "," NAME }
std::vector<const Token*> Parser::name_list() {
  std::vector<const Token*> names;
  do {
    const Token& t = expect(Tok::Ident, "a name");
    if (at(Tok::LBracket))
      fail(peek().loc, "array inputs ('{}[...]') are not supported yet", t.text);
    names.push_back(&t);
  } while (accept(Tok::Comma));
  return names;
}

// input_decl = "input" name_list
void Parser::input_decl() {
  next();
  for (const Token* t : name_list()) {
    if (!check_bindable(*t, "declared as an input")) continue;
    NodeId node = b_.input(uint32_t(prog_.inputs.size()));
    symbols_.emplace(t->text, Symbol{node, t->loc, true});
    prog_.inputs.push_back(Variable{std::string(t->text), node, t->loc});
  }
}

// output_decl = "output" name_list
void Parser::output_decl() {
  next();
  saw_output_ = true;
  for (const Token* t : name_list())
    output_names_.push_back(Variable{std::string(t->text), kNoNode, t->loc});
}

// wrt_decl = "wrt" name_list
void Parser::wrt_decl() {
  next();
  saw_wrt_ = true;
  for (const Token* t : name_list())
    wrt_names_.push_back(Variable{std::string(t->text), kNoNode, t->loc});
}

// Can `name` be bound here? Reports reserved names and redefinitions.
bool Parser::check_bindable(const Token& name, std::string_view what) {
  if (is_keyword(name.text)) {
    diag_.error(name.loc, "'{}' is a keyword and cannot be {}", name.text, what);
  } else if (name.text == "pi") {
    diag_.error(name.loc, "'pi' is a built-in constant and cannot be {}", what);
  } else if (find_builtin(name.text) || is_array_function(name.text)) {
    diag_.error(name.loc, "'{}' is a built-in function and cannot be {}", name.text, what);
  } else if (auto it = symbols_.find(name.text); it != symbols_.end()) {
    diag_.error(name.loc, "redefinition of '{}' (first {} at line {}, column {})", name.text,
                it->second.is_input ? "declared as an input" : "defined", it->second.loc.line,
                it->second.loc.col);
  } else {
    return true;
  }
  return false;
}

// definition = NAME "=" expression
void Parser::definition() {
  const Token& name = next();
  next();  // '='
  NodeId value = b_.zero();
  bool ok = true;
  try {
    value = expression();
  } catch (const SyntaxError&) {
    ok = false;
  }
  // Bind the name even after an error, so later uses do not cascade.
  if (check_bindable(name, "defined")) {
    symbols_.emplace(name.text, Symbol{value, name.loc, false});
    prog_.definitions.push_back(Variable{std::string(name.text), value, name.loc});
  }
  if (!ok) throw SyntaxError{};
}

// expression = conditional
NodeId Parser::expression() { return conditional(); }

// conditional = logical_or [ "?" conditional ":" conditional ]
NodeId Parser::conditional() {
  Nest nest(*this, peek().loc);
  NodeId c = logical_or();
  if (!at(Tok::Question)) return c;
  Loc q = next().loc;
  NodeId a = conditional();
  if (!at(Tok::Colon))
    unexpected(fmt::format("':' to complete the '?' at line {}, column {}", q.line, q.col));
  next();
  NodeId b = conditional();
  return b_.select(c, a, b);
}

// logical_or = logical_and { "||" logical_and }
NodeId Parser::logical_or() {
  NodeId x = logical_and();
  while (accept(Tok::OrOr)) x = b_.binary(Op::Or, x, logical_and());
  return x;
}

// logical_and = comparison { "&&" comparison }
NodeId Parser::logical_and() {
  NodeId x = comparison();
  while (accept(Tok::AndAnd)) x = b_.binary(Op::And, x, comparison());
  return x;
}

// comparison = additive [ ("<" | "<=" | ">" | ">=" | "==" | "!=") additive ]
NodeId Parser::comparison() {
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
  NodeId x = additive();
  auto op = comparison_op(peek().kind);
  if (!op) return x;
  next();
  NodeId y = additive();
  if (comparison_op(peek().kind))
    fail(peek().loc, "comparison operators cannot be chained; add parentheses");
  return b_.binary(*op, x, y);
}

// additive = multiplicative { ("+" | "-") multiplicative }
NodeId Parser::additive() {
  NodeId x = multiplicative();
  for (;;) {
    if (accept(Tok::Plus)) x = b_.add(x, multiplicative());
    else if (accept(Tok::Minus)) x = b_.sub(x, multiplicative());
    else return x;
  }
}

// multiplicative = unary { ("*" | "/" | "@") unary }
NodeId Parser::multiplicative() {
  NodeId x = unary();
  for (;;) {
    if (accept(Tok::Star)) x = b_.mul(x, unary());
    else if (accept(Tok::Slash)) x = b_.div(x, unary());
    else if (at(Tok::At))
      fail(peek().loc, "the '@' operator (matrix product) is not supported yet: arrays "
                       "come in a later version");
    else return x;
  }
}

// unary = ("-" | "+" | "!") unary | power
NodeId Parser::unary() {
  if (at(Tok::Minus) || at(Tok::Plus) || at(Tok::Bang)) {
    Nest nest(*this, peek().loc);
    Tok op = next().kind;
    NodeId x = unary();
    return op == Tok::Minus ? b_.neg(x) : op == Tok::Bang ? b_.unary(Op::Not, x) : x;
  }
  return power();
}

// power = postfix [ "^" unary ]        ("**" is the same token as "^")
NodeId Parser::power() {
  NodeId base = postfix();
  if (!at(Tok::Caret)) return base;
  Nest nest(*this, peek().loc);
  next();
  return b_.pow(base, unary());
}

// postfix = primary        (indexing: arrays, not supported yet)
NodeId Parser::postfix() {
  NodeId x = primary();
  if (at(Tok::LBracket)) fail(peek().loc, "indexing ('[...]') is not supported yet: arrays "
                                          "come in a later version");
  return x;
}

// primary = NUMBER | call | NAME | "(" expression ")"
NodeId Parser::primary() {
  const Token& t = peek();
  switch (t.kind) {
    case Tok::Number: next(); return b_.constant(t.number);
    case Tok::Ident:
      next();
      if (at(Tok::LParen)) return call(t);
      return name_use(t);
    case Tok::LParen: {
      next();
      NodeId x = expression();
        if (!at(Tok::RParen))
        unexpected(fmt::format("')' to close the '(' at line {}, column {}", t.loc.line,
                               t.loc.col));
      next();
      return x;
    }
    case Tok::LBracket:
      fail(t.loc, "array literals are not supported yet: arrays come in a later version");
    case Tok::RParen: fail(t.loc, "expected an expression, got extra ')'");
    default: unexpected("an expression");
  }
}

// call = NAME "(" [ expression { "," expression } ] ")"
NodeId Parser::call(const Token& name) {
  Loc open = next().loc;
  std::vector<NodeId> args;
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
  auto builtin = find_builtin(name.text);
  if (!builtin) {
    if (is_array_function(name.text))
      diag_.error(name.loc, "array function '{}' is not supported yet: arrays come in a later "
                            "version", name.text);
    else if (symbols_.count(name.text) || name.text == "pi" || is_keyword(name.text))
      diag_.error(name.loc, "'{}' is not a function", name.text);
    else
      diag_.error(name.loc, "unknown function '{}'", name.text);
    return b_.zero();
  }
  if (int(args.size()) != builtin->arity) {
    diag_.error(name.loc, "'{}' takes {} argument{}, got {}", name.text, builtin->arity,
                builtin->arity == 1 ? "" : "s", args.size());
    return b_.zero();
  }
  return b_.make(builtin->op, args[0], args.size() > 1 ? args[1] : kNoNode,
                 args.size() > 2 ? args[2] : kNoNode);
}

// A name in an expression: a defined name, an input, `pi`, or (without an
// input statement) a new implicit input.
NodeId Parser::name_use(const Token& t) {
  if (auto it = symbols_.find(t.text); it != symbols_.end()) return it->second.node;
  if (t.text == "pi") return b_.constant(std::numbers::pi);
  if (is_keyword(t.text)) fail(t.loc, "'{}' is a keyword, not a value", t.text);
  if (find_builtin(t.text) || is_array_function(t.text))
    fail(t.loc, "built-in function '{}' cannot be used as a variable", t.text);
  if (defined_somewhere_.count(t.text)) {
    diag_.error(t.loc, "use of '{}' before its definition", t.text);
    return b_.zero();
  }
  if (has_input_statement_) {
    diag_.error(t.loc, "use of undeclared name '{}'", t.text);
    symbols_.emplace(t.text, Symbol{b_.zero(), t.loc, false});  // report once
    return b_.zero();
  }
  NodeId node = b_.input(uint32_t(prog_.inputs.size()));
  symbols_.emplace(t.text, Symbol{node, t.loc, true});
  prog_.inputs.push_back(Variable{std::string(t.text), node, t.loc});
  return node;
}

void Parser::resolve_outputs_and_wrt() {
  std::unordered_set<std::string> seen;
  for (const Variable& v : output_names_) {
    auto it = symbols_.find(v.name);
    if (it == symbols_.end()) {
      diag_.error(v.loc, "output '{}' is not defined", v.name);
    } else if (!seen.insert(v.name).second) {
      diag_.error(v.loc, "'{}' is listed as an output twice", v.name);
    } else {
      prog_.outputs.push_back(Variable{v.name, it->second.node, v.loc});
    }
  }
  if (!saw_output_ && !prog_.definitions.empty())
    prog_.outputs.push_back(prog_.definitions.back());
  if (!saw_output_ && prog_.definitions.empty() && !diag_.has_errors())
    diag_.error(Loc{1, 1}, "the program has no output: define a value or name one with 'output'");
  if (!saw_wrt_) {
    for (uint32_t i = 0; i < prog_.inputs.size(); ++i) prog_.wrt.push_back(i);
    return;
  }
  std::vector<bool> chosen(prog_.inputs.size(), false);
  for (const Variable& v : wrt_names_) {
    auto it = std::find_if(prog_.inputs.begin(), prog_.inputs.end(),
                           [&](const Variable& in) { return in.name == v.name; });
    if (it == prog_.inputs.end()) {
      diag_.error(v.loc, "'{}' in 'wrt' is not an input", v.name);
      continue;
    }
    size_t index = size_t(it - prog_.inputs.begin());
    if (chosen[index]) diag_.error(v.loc, "'{}' is listed in 'wrt' twice", v.name);
    chosen[index] = true;
  }
  for (uint32_t i = 0; i < chosen.size(); ++i)
    if (chosen[i]) prog_.wrt.push_back(i);
}

}  // namespace

std::optional<Program> parse_program(const SourceFile& file, Diagnostics& diag) {
  try {
    std::vector<Token> toks = lex(file, diag);
    return Parser(file, diag, std::move(toks)).run();
  } catch (const TooManyErrors&) {
    return std::nullopt;
  }
}

namespace {

// Mark the inputs named by --wrt in `chosen`; report unknown and repeated names.
void check_wrt_names(const Program& p, const std::vector<std::string>& names,
                     Diagnostics& diag, std::vector<bool>& chosen, bool& ok) {
  for (const std::string& name : names) {
    auto it = std::find_if(p.inputs.begin(), p.inputs.end(),
                           [&](const Variable& in) { return in.name == name; });
    if (it == p.inputs.end()) {
      diag.error_noloc("--wrt names '{}', which is not an input of the program", name);
      ok = false;
      continue;
    }
    size_t index = size_t(it - p.inputs.begin());
    if (chosen[index]) {
      diag.error_noloc("--wrt names '{}' twice", name);
      ok = false;
    }
    chosen[index] = true;
  }
}

}  // namespace

bool set_wrt(Program& p, const std::vector<std::string>& names, Diagnostics& diag) {
  std::vector<bool> chosen(p.inputs.size(), false);
  bool ok = true;
  try {
    check_wrt_names(p, names, diag, chosen, ok);
  } catch (const TooManyErrors&) {
    return false;  // the first 20 errors are reported
  }
  if (!ok) return false;
  p.wrt.clear();
  for (uint32_t i = 0; i < chosen.size(); ++i)
    if (chosen[i]) p.wrt.push_back(i);
  return true;
}

}  // namespace gradc
