// parser.cpp - statements, names and declarations; the expression
// productions are in parse_expr.cpp. See parser_impl.h.
#include "front/parser.h"

#include <fmt/format.h>

#include "front/array_ops.h"
#include "front/builtins.h"
#include "front/parser_impl.h"
#include "support/spelling.h"

namespace gradc {

bool is_reserved_name(std::string_view name) {
  return is_keyword(name) || is_reserved_builtin(name) || name == "pi";
}

size_t Program::num_input_scalars() const {
  size_t n = 0;
  for (const Variable& v : inputs) n += v.size();
  return n;
}

uint32_t Program::input_of_scalar(size_t index) const {
  // Inputs are in ABI order: the last one whose offset is <= index.
  auto after = std::upper_bound(inputs.begin(), inputs.end(), index,
                                [&](size_t i, const Variable& v) { return i < graph[v.nodes[0]].a; });
  return uint32_t(after - inputs.begin()) - 1;
}

std::vector<const Variable*> Program::wrt_variables() const {
  std::vector<const Variable*> out;
  for (uint32_t j : wrt) out.push_back(&inputs[j]);
  for (const Variable& v : wrt_values) out.push_back(&v);
  return out;
}

namespace detail {

// Before parsing: does the program have an `input` statement, and which names
// does it define anywhere (for "used before its definition")?
void Parser::prescan() {
  bool start = true;
  if (wrt_override_) wrt_named_.insert(wrt_override_->begin(), wrt_override_->end());
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    const Token& t = toks_[i];
    if (start && t.kind == Tok::Ident) {
      if (t.text == "input" && toks_[i + 1].kind != Tok::Assign) {
        has_input_statement_ = true;
        for (size_t j = i + 1; toks_[j].kind == Tok::Ident; ++j) {  // input a, W[2,3], b
          inputs_somewhere_.emplace(toks_[j].text, toks_[j].loc);
          if (toks_[++j].kind == Tok::LBracket)
            while (toks_[j].kind != Tok::RBracket && toks_[j].kind != Tok::Newline &&
                   toks_[j].kind != Tok::Eof)
              ++j;
          if (toks_[j].kind == Tok::RBracket) ++j;
          if (toks_[j].kind != Tok::Comma) break;
        }
      }
      if (t.text == "wrt" && toks_[i + 1].kind == Tok::Ident && !wrt_override_)
        for (size_t j = i + 1; toks_[j].kind == Tok::Ident; j += 2) {  // wrt a, b, c
          wrt_named_.emplace(toks_[j].text);
          if (toks_[j + 1].kind != Tok::Comma) break;
        }
      if (toks_[i + 1].kind == Tok::Assign) defined_somewhere_.insert(t.text);
      if (toks_[i + 1].kind == Tok::LParen) {  // f(a, b) = ...: skip to its ')'
        size_t j = i + 2;
        while (toks_[j].kind == Tok::Ident || toks_[j].kind == Tok::Comma) ++j;
        if (toks_[j].kind == Tok::RParen && toks_[j + 1].kind == Tok::Assign) {
          // A reserved name cannot become a function (function_def says so
          // once); its calls stay calls of the built-in.
          if (!is_keyword(t.text) && t.text != "pi" && !is_reserved_builtin(t.text))
            functions_somewhere_.emplace(t.text, t.loc);
          i = j;
        }
      }
    }
    start = t.kind == Tok::Newline || t.kind == Tok::Semi;
  }
}

bool Parser::at_function_def() const {
  size_t j = 2;
  while (peek(j).kind == Tok::Ident || peek(j).kind == Tok::Comma) ++j;
  return peek(0).kind == Tok::Ident && peek(1).kind == Tok::LParen &&
         peek(j).kind == Tok::RParen && peek(j + 1).kind == Tok::Assign;
}

std::optional<Program> Parser::run(bool whole_file) {
  prescan();
  program();
  if (!whole_file) return std::nullopt;  // no checks of names defined past the end
  resolve_outputs_and_wrt();
  if (!diag_.has_errors()) warn_unused();  // with errors, mostly their echo
  if (diag_.has_errors()) return std::nullopt;
  prog_.forward_nodes = prog_.graph.size();
  return std::move(prog_);
}

// program = statement { (";" | NEWLINE) statement } EOF
void Parser::program() {
  bool any_statement = false;
  while (!at(Tok::Eof)) {
    if (!at_separator()) any_statement = true;
    const Loc statement_loc = peek().loc;
    try {
      statement();
      if (!at_separator()) {
        if (at(Tok::RParen)) fail(peek().loc, "extra ')' with no matching '('");
        if (at(Tok::RBracket)) fail(peek().loc, "extra ']' with no matching '['");
        unexpected("end of statement");
      }
    } catch (const SyntaxError&) {
      while (!at_separator()) next();  // recover at the next statement
    } catch (const NodeLimitExceeded& e) {
      // Later statements would only grow the graph further: stop here.
      diag_.error(statement_loc, "this statement grows the program past the limit of {} nodes "
                  "(--max-nodes=N raises it; memory grows with it, about 150 bytes per node)",
                  e.limit);
      return;
    }
    if (!at(Tok::Eof)) next();         // the separator
  }
  if (!any_statement && !diag_.has_errors())
    diag_.error(Loc{1, 1}, "the program is empty: it has no statements");
}

// statement = [ input_decl | output_decl | wrt_decl | definition | function_def ]
void Parser::statement() {
  if (at_separator()) return;
  const Token& t = peek();
  if (t.kind == Tok::Ident && peek(1).kind == Tok::Assign) return definition();
  if (at_function_def()) return function_def();
  if (t.kind == Tok::Ident && peek(1).kind == Tok::Error) throw SyntaxError{};  // reported: `caf\xE9 =`
  if (t.kind == Tok::Ident && t.text == "input") return input_decl();
  if (t.kind == Tok::Ident && t.text == "output") return output_decl();
  if (t.kind == Tok::Ident && t.text == "wrt") return wrt_decl();
  if (t.kind == Tok::Ident && peek(1).kind == Tok::EqEq)
    fail(peek(1).loc, "expected '=' to define '{}', got '=='", t.text);
  if (t.kind == Tok::Ident && peek(1).kind == Tok::LBracket) {
    // `v[0] = 3`: an element on the left of '='.
    size_t j = 2;
    int depth = 1;  // to the ']' that closes the first '[': `v[v[0]] = 3` too
    for (; depth > 0 && !(peek(j).kind == Tok::Newline || peek(j).kind == Tok::Semi ||
                          peek(j).kind == Tok::Eof); ++j)
      depth += peek(j).kind == Tok::LBracket ? 1 : peek(j).kind == Tok::RBracket ? -1 : 0;
    if (depth == 0 && peek(j).kind == Tok::Assign)
      fail(peek(1).loc, "an element of '{}' cannot be defined on its own: define the array whole "
           "({} = [a, b, c]) or give the element a name of its own", t.text, t.text);
  }
  if (t.kind == Tok::Ident && peek(1).kind != Tok::LParen) {
    // `a := x`, `a b = 1`, `x + 1`: a name, then not '='.
    next();
    unexpected(fmt::format("'=' after '{}' (a statement is 'NAME = expression', "
                           "'f(a, b) = expression', 'input', 'output' or 'wrt')", t.text));
  }
  unexpected("a statement ('NAME = expression', 'f(a, b) = expression', 'input', 'output' or "
             "'wrt')");
}

// name_list = NAME { "," NAME }
std::vector<const Token*> Parser::name_list() {
  std::vector<const Token*> names;
  do names.push_back(&expect(Tok::Ident, "a name"));
  while (accept(Tok::Comma));
  return names;
}

// index_list = NUMBER { "," NUMBER }        (whole numbers)
// `what` ("an index", "a dimension") names the numbers in messages.
std::vector<long> Parser::index_list(std::string_view what) {
  std::vector<long> out;
  do {
    if (at(Tok::Ident) || at(Tok::LParen))
      fail(peek().loc, "{} must be a constant whole number, got {} (arrays have fixed sizes{})",
           what, describe(peek()),
           what == "an index" ? " and are unrolled at compile time, so a run-time value cannot "
                                "pick an element" : "");
    const Token& t = expect(Tok::Number, "a whole number");
    if (t.number != std::floor(t.number)) fail(t.loc, "expected a whole number, got '{}'", t.text);
    if (t.number > 1e9) fail(t.loc, "'{}' is too large for {} (at most 1000000000)", t.text, what);
    out.push_back(long(t.number));
  } while (accept(Tok::Comma));
  return out;
}

// input_decl = "input" input_item { "," input_item }
void Parser::input_decl() {
  next();
  do input_item();
  while (accept(Tok::Comma));
}

// input_item = NAME [ "[" index_list "]" ]
void Parser::input_item() {
  const Token& name = expect(Tok::Ident, "a name");
  // Keep a name whose declaration is wrong declared, as a poisoned value, so
  // its uses do not cascade into more errors.
  auto poison = [&] {
    if (check_bindable(name, "declared as an input"))
      symbols_.emplace(name.text, Symbol{Value::poison(b_.zero()), name.loc, true});
  };
  Shape shape;
  bool bad_size = false;  // reported; the statement's other inputs still count
  try {
    if (accept(Tok::LBracket)) {
      Loc dims_loc = peek().loc;
      size_t total = 1;
      for (long d : index_list("a dimension")) {
        if (bad_size) continue;
        if (d < 1) {
          diag_.error(dims_loc, "array dimensions must be at least 1, got {}", d);
          bad_size = true;
          continue;
        }
        total *= size_t(d);
        if (total > kMaxArrayElements) {
          diag_.error(dims_loc, "array '{}' is too large (more than {} elements)", name.text,
                      kMaxArrayElements);
          bad_size = true;
          continue;
        }
        shape.push_back(uint32_t(d));
      }
      expect(Tok::RBracket, "']' to close the dimensions");
    }
  } catch (const SyntaxError&) {
    poison();
    throw;
  }
  if (bad_size) return poison();
  if (check_bindable(name, "declared as an input")) new_input(name, std::move(shape));
}

Value Parser::new_input(const Token& name, Shape shape) {
  Variable v{std::string(name.text), shape, {}, name.loc, {}};
  for (size_t i = 0; i < shape_size(shape); ++i) v.nodes.push_back(b_.input(next_input_scalar_++));
  Value value = shape.empty() ? Value::of(v.nodes[0]) : Value{shape, v.nodes, kNoNode, false, -1};
  if (record_ops_) {
    value.op = int32_t(prog_.ops.size());
    prog_.ops.push_back(OpRecord{std::string(name.text), {}, {}, shape, {std::string(name.text)}, true});
  }
  symbols_.emplace(name.text, Symbol{value, name.loc, true});
  prog_.inputs.push_back(std::move(v));
  return value;
}

// output_decl = "output" name_list
void Parser::output_decl() {
  next();
  saw_output_ = true;
  for (const Token* t : name_list()) output_names_.push_back(Variable{std::string(t->text), {}, {}, t->loc, {}});
}

// wrt_decl = "wrt" name_list
void Parser::wrt_decl() {
  next();
  saw_wrt_ = true;
  for (const Token* t : name_list()) wrt_names_.push_back(Variable{std::string(t->text), {}, {}, t->loc, {}});
}

// Can `name` be bound here? Reports reserved names and redefinitions.
bool Parser::check_bindable(const Token& name, std::string_view what) {
  if (is_keyword(name.text)) {
    diag_.error(name.loc, "'{}' is a keyword and cannot be {}", name.text, what);
  } else if (name.text == "pi") {
    diag_.error(name.loc, "'pi' is a built-in constant and cannot be {}", what);
  } else if (is_reserved_builtin(name.text)) {
    diag_.error(name.loc, "'{}' is a built-in function and cannot be {}", name.text, what);
  } else if (auto f = functions_.find(name.text); f != functions_.end()) {
    diag_.error(name.loc, "redefinition of '{}' (a function defined at line {}, column {})",
                name.text, f->second.loc.line, f->second.loc.col);
  } else if (auto it = symbols_.find(name.text); it != symbols_.end()) {
    diag_.error(name.loc, "redefinition of '{}' (first {} at line {}, column {})", name.text,
                it->second.is_input ? "declared as an input" : "defined", it->second.loc.line,
                it->second.loc.col);
  } else {
    return true;
  }
  return false;
}

// A value that `wrt` names is a node of its own, each element (SPEC 1:
// dOUT/dh counts the uses of h the program writes). Its expression written
// again elsewhere, or made by a rewrite (a/d -> a*(1/d), sqrt(s)*sqrt(s)
// -> s), is another node, so it does not count as a use of h. Constant
// elements stay as they are: choose_wrt reports them.
void Parser::mark_wrt_value(Value& value) {
  auto mark = [&](NodeId& n) {
    if (!prog_.graph.is_const(n)) n = prog_.graph.add(Node{Op::WrtValue, n, NodeId(next_wrt_tag_++)});
  };
  if (value.is_scalar()) mark(value.scalar);
  for (NodeId& n : value.elems) mark(n);
}

// definition = NAME "=" expression
void Parser::definition() {
  const Token& name = next();
  next();  // '='
  Value value = Value::poison(b_.zero());
  bool ok = true;
  const size_t begin = pos_;
  try {
    value = expression();
  } catch (const SyntaxError&) {
    ok = false;
  }
  // Bind the name even after an error, so later uses do not cascade.
  if (check_bindable(name, "defined")) {
    if (ok && !value.poisoned && wrt_named_.count(std::string(name.text))) mark_wrt_value(value);
    prog_.definitions.push_back(Variable{std::string(name.text), value.shape, value.nodes(), name.loc, {}});
    if (ok && pos_ > begin) {  // the expression's text, from its first token to its last
      // Its tokens, one space wherever the source has white space or a
      // comment between two of them (line breaks inside brackets too): one
      // line, as --explain shows it.
      std::string& formula = prog_.definitions.back().formula;
      for (size_t t = begin; t < pos_; ++t) {
        if (t > begin && toks_[t].text.data() != toks_[t - 1].text.data() + toks_[t - 1].text.size())
          formula += ' ';
        formula += toks_[t].text;
      }
    }
    if (!value.poisoned && record_ops_) {  // the record that makes the value gets the name
      if (value.op < 0) {   // a constant: a record of its own
        value.op = int32_t(prog_.ops.size());
        prog_.ops.push_back(OpRecord{"constant", {}, {}, value.shape, {}, false});
      }
      prog_.ops[size_t(value.op)].names.emplace_back(name.text);
    }
    symbols_.emplace(name.text, Symbol{std::move(value), name.loc, false});
  }
  if (!ok) throw SyntaxError{};
}

// param_list = [ NAME { "," NAME } ]
std::vector<const Token*> Parser::param_list(std::string_view function) {
  std::vector<const Token*> params;
  if (at(Tok::RParen)) return params;
  for (const Token* p : name_list()) {
    if (is_reserved_name(p->text))
      diag_.error(p->loc, "'{}' is {} and cannot be a parameter of '{}'", p->text,
                  is_keyword(p->text) ? "a keyword" : p->text == "pi" ? "a built-in constant"
                                                                        : "a built-in function",
                  function);
    for (const Token* q : params)
      if (q->text == p->text)
        diag_.error(p->loc, "'{}' is a parameter of '{}' twice", p->text, function);
    params.push_back(p);
  }
  return params;
}

// function_def = NAME "(" param_list ")" "=" expression
// The body is parsed once here with the parameters standing for values of
// any shape (poisoned placeholders: only errors that do not depend on the
// arguments are reported), then again at every call (inline_call).
void Parser::function_def() {
  const Token& name = next();
  next();  // '('
  Function f;
  f.loc = name.loc;
  for (const Token* p : param_list(name.text)) f.params.push_back(p->text);
  expect(Tok::RParen, "',' or ')' after a parameter");  // at_function_def saw `n(a b) = `
  next();  // '='
  std::unordered_map<std::string_view, Value> placeholders;
  for (std::string_view p : f.params) placeholders.emplace(p, Value::poison(b_.zero()));
  f.body_begin = pos_;
  int errors = diag_.error_count();
  const auto* outer = std::exchange(params_, &placeholders);
  std::string_view outer_def = std::exchange(defining_, name.text);
  bool syntax_ok = true;
  try {
    expression();
  } catch (const SyntaxError&) {
    syntax_ok = false;
  }
  params_ = outer;
  defining_ = outer_def;
  f.body_end = pos_;
  f.ok = syntax_ok && diag_.error_count() == errors && at_separator();
  bool bindable = true;
  if (auto it = functions_.find(name.text); it != functions_.end()) {
    diag_.error(name.loc, "redefinition of function '{}' (first defined at line {}, column {})",
                name.text, it->second.loc.line, it->second.loc.col);
    bindable = false;
  } else if (!check_bindable(name, "defined as a function")) {
    bindable = false;
  }
  if (bindable) functions_.emplace(name.text, std::move(f));
  if (!syntax_ok) throw SyntaxError{};
}

// A definition that is not an output and that nothing uses is dead code,
// often a sign of a typo where it should have been used.
void Parser::warn_unused() {
  std::unordered_set<std::string_view> outputs;
  for (const Variable& v : prog_.outputs) outputs.insert(v.name);
  for (const Variable& v : wrt_names_) outputs.insert(v.name);
  for (const Variable& d : prog_.definitions) {
    auto it = symbols_.find(d.name);
    if (it != symbols_.end() && !it->second.used && !outputs.count(d.name))
      diag_.warning(d.loc, "'{}' is defined but never used (it is not an output)", d.name);
  }
  for (const auto& [name, f] : functions_)
    if (!f.used) diag_.warning(f.loc, "function '{}' is defined but never called", name);
}

void Parser::resolve_outputs_and_wrt() {
  for (const auto& f : functions_) prog_.functions.emplace_back(f.first);
  std::unordered_set<std::string> seen;
  for (const Variable& v : output_names_) {
    auto it = symbols_.find(v.name);
    if (it == symbols_.end() && functions_.count(v.name)) {
      diag_.error(v.loc, "output '{}' is a function, not a value: name a value it computes "
                  "(y = {}(x)) and output that", v.name, v.name);
    } else if (it == symbols_.end()) {
      diag_.error(v.loc, "output '{}' is not defined", v.name);
    } else if (!seen.insert(v.name).second) {
      diag_.error(v.loc, "'{}' is listed as an output twice", v.name);
    } else {
      const Value& value = it->second.value;
      prog_.outputs.push_back(Variable{v.name, value.shape, value.nodes(), v.loc, {}});
      prog_.output_ops.push_back(value.op);
    }
  }
  if (!saw_output_ && !prog_.definitions.empty()) {
    prog_.outputs.push_back(prog_.definitions.back());
    auto it = symbols_.find(prog_.definitions.back().name);
    prog_.output_ops.push_back(it == symbols_.end() ? -1 : it->second.value.op);
  }
  if (!saw_output_ && prog_.definitions.empty() && !diag_.has_errors())
    diag_.error(Loc{1, 1}, "the program has no output: define a value or name one with 'output'");
  if (!saw_wrt_) {
    for (uint32_t i = 0; i < prog_.inputs.size(); ++i) prog_.wrt.push_back(i);
    return;
  }
  std::vector<WrtName> names;
  for (const Variable& v : wrt_names_) {
    auto it = symbols_.find(v.name);
    if (it != symbols_.end() && it->second.value.poisoned) continue;  // its error is reported
    names.push_back({v.name, v.loc});
  }
  choose_wrt(prog_, names, diag_, nullptr);
}

}  // namespace detail

std::optional<Program> parse_program(const SourceFile& file, Diagnostics& diag,
                                     size_t max_nodes, const std::vector<std::string>* wrt,
                                     bool record_ops) {
  try {
    std::vector<Token> toks;
    {
      // The lexer runs ahead: the parser's errors before its last one are
      // still reported, and printed first.
      Diagnostics::DeferLimit defer(diag);
      toks = lex(file, diag);
    }
    const bool whole_file = !diag.error_limit_reached();
    return detail::Parser(diag, std::move(toks), max_nodes, wrt, record_ops).run(whole_file);
  } catch (const TooManyErrors&) {
    return std::nullopt;
  }
}

bool choose_wrt(Program& p, const std::vector<WrtName>& names, Diagnostics& diag,
                const char* option) {
  const bool command_line = option != nullptr;
  std::vector<bool> input_chosen(p.inputs.size(), false), value_chosen(p.definitions.size(), false);
  bool ok = true;
  auto error = [&](Loc loc, const std::string& message) {
    if (command_line) diag.error_noloc("{}", message);
    else diag.error(loc, "{}", message);
    ok = false;
  };
  // Each name's first variable, looked up once per wrt name (not a search:
  // a program may list every one of 100,000 inputs).
  auto index = [](const std::vector<Variable>& vars) {
    std::unordered_map<std::string_view, size_t> first;
    first.reserve(vars.size());
    for (size_t i = 0; i < vars.size(); ++i) first.try_emplace(vars[i].name, i);
    return first;
  };
  const auto input_index = index(p.inputs), definition_index = index(p.definitions);
  auto find = [](const std::unordered_map<std::string_view, size_t>& first, size_t none,
                 const std::string& name) {
    auto it = first.find(name);
    return it == first.end() ? none : it->second;
  };
  try {
    for (const WrtName& n : names) {
      std::string where = command_line ? fmt::format("{} names '{}'", option, n.name)
                                       : fmt::format("'{}' in 'wrt'", n.name);
      std::string twice = command_line ? fmt::format("{} names '{}' twice", option, n.name)
                                       : fmt::format("'{}' is listed in 'wrt' twice", n.name);
      size_t in = find(input_index, p.inputs.size(), n.name),
             def = find(definition_index, p.definitions.size(), n.name);
      if (in < p.inputs.size()) {
        if (input_chosen[in]) error(n.loc, twice);
        input_chosen[in] = true;
      } else if (def < p.definitions.size()) {
        // An intermediate value: dOUT/dh, everything h depends on held fixed.
        const Variable& v = p.definitions[def];
        bool constant = std::any_of(v.nodes.begin(), v.nodes.end(),
                                    [&](NodeId x) { return p.graph.is_const(x); });
        if (value_chosen[def]) error(n.loc, twice);
        else if (constant)
          error(n.loc, fmt::format("{}: '{}' is a constant{}, which no input can change, so it "
                                   "has no derivative", where, n.name,
                                   v.is_scalar() ? "" : " (in part)"));
        value_chosen[def] = true;
      } else if (std::count(p.functions.begin(), p.functions.end(), n.name)) {
        error(n.loc, fmt::format("{}{} a function, not a value: name a value it computes "
                                 "(y = {}(x)) and differentiate with respect to that",
                                 where, command_line ? ", which is" : " is", n.name));
      } else {
        Closest closest(n.name);
        for (const Variable& v : p.inputs) closest.offer(v.name);
        for (const Variable& v : p.definitions) closest.offer(v.name);
        const std::string meant = closest.did_you_mean();
        error(n.loc, command_line ? fmt::format("{}, which is neither an input nor a value of "
                                                "the program{}", where, meant)
                                  : fmt::format("{} is neither an input nor a value the program "
                                                "defines{}", where, meant));
      }
    }
  } catch (const TooManyErrors&) {
    return false;  // the first errors, to the limit, are reported
  }
  if (!ok) return false;
  p.wrt.clear();
  p.wrt_values.clear();
  for (uint32_t i = 0; i < input_chosen.size(); ++i)
    if (input_chosen[i]) p.wrt.push_back(i);
  for (size_t i = 0; i < value_chosen.size(); ++i)
    if (value_chosen[i]) p.wrt_values.push_back(p.definitions[i]);
  return true;
}

bool set_wrt(Program& p, const std::vector<std::string>& names, Diagnostics& diag,
             const char* option) {
  std::vector<WrtName> named;
  for (const std::string& n : names) named.push_back({n, Loc{}});
  return choose_wrt(p, named, diag, option);
}

}  // namespace gradc
