// parser_impl.h - the Parser class, shared by parser.cpp (statements and
// names) and parse_expr.cpp (expressions). Internal to the front end.
//
// The parser's methods are named after the productions of
// grammar/gradc.ebnf. It builds the DAG through Builder as it goes; arrays
// are unrolled into scalar nodes (array_ops.h). On a syntax error it
// reports it and throws SyntaxError; the statement loop resumes at the next
// `;` or newline. Semantic errors (names, shapes, calls) are reported and
// parsing goes on with a placeholder value.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <span>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/builder.h"
#include "front/lexer.h"
#include "front/parser.h"
#include "front/value.h"

namespace gradc::detail {

struct SyntaxError {};

/// Deepest chain of user-function calls inside function bodies.
inline constexpr int kMaxInlineDepth = 64;

class Parser {
 public:
  Parser(Diagnostics& diag, std::vector<Token> toks, size_t max_nodes,
         const std::vector<std::string>* wrt, bool record_ops)
      : diag_(diag), toks_(std::move(toks)), b_(prog_.graph), wrt_override_(wrt),
        record_ops_(record_ops) {
    prog_.graph.set_node_limit(max_nodes);
  }

  /// Parse the tokens; `whole_file`: they are the whole file (not cut at
  /// the error limit), so the program's final checks apply.
  std::optional<Program> run(bool whole_file);

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
  /// A token as written ('**', not the '^' it means), for messages.
  std::string describe(const Token& t) const {
    if (t.kind == Tok::Newline || t.kind == Tok::Eof || t.text.empty())
      return std::string(tok_spelling(t.kind));
    return fmt::format("'{}'", t.text);
  }
  template <typename... Args>
  [[noreturn]] void fail(Loc loc, fmt::format_string<Args...> f, Args&&... args) {
    diag_.error(loc, f, std::forward<Args>(args)...);
    throw SyntaxError{};
  }
  /// Report "expected WHAT, got X" - unless X is an Error token, whose
  /// problem the lexer has reported already - and abandon the statement.
  [[noreturn]] void unexpected(std::string_view what) {
    if (at(Tok::Error)) throw SyntaxError{};
    fail(peek().loc, "expected {}, got {}", what, describe(peek()));
  }
  const Token& expect(Tok k, std::string_view what) {
    if (!at(k)) unexpected(what);
    return next();
  }

  /// Bounds the recursion depth of the expression methods.
  struct Nest {
    Parser& p;
    Nest(Parser& parser, Loc loc) : p(parser) {
      if (++p.depth_ > kMaxNesting)
        p.fail(loc, "expression is nested too deeply (the limit is {} levels)", kMaxNesting);
    }
    ~Nest() { --p.depth_; }
  };

  // --- productions (grammar/gradc.ebnf); statements in parser.cpp ------------
  void program();
  void statement();
  void input_decl();
  void input_item();
  void output_decl();
  void wrt_decl();
  void definition();
  void function_def();
  std::vector<const Token*> param_list(std::string_view function);
  std::vector<const Token*> name_list();
  std::vector<long> index_list(std::string_view what);
  // --- expressions, in parse_expr.cpp ----------------------------------------
  Value expression();
  Value conditional();
  Value logical_or();
  Value logical_and();
  Value comparison();
  Value additive();
  Value multiplicative();
  Value unary();
  Value power();
  Value postfix();
  Value primary();
  Value array_literal();
  Value call(const Token& name);
  /// A call of a user function: its body parsed again with the parameters
  /// bound to `args` (inlining), memoized per argument nodes.
  Value inline_call(const Token& name, const std::vector<Value>& args);
  Value name_use(const Token& name);

  // --- helpers -------------------------------------------------------------
  /// Record that `v` is `label` applied to `operands` (Program::ops).
  Value traced(Value v, std::string_view label, std::initializer_list<const Value*> operands);
  Value traced(Value v, std::string_view label, std::span<const Value* const> operands);
  /// `op` applied elementwise; a shape error is reported at `loc`.
  Value apply(Op op, Loc loc, std::string_view what, std::initializer_list<const Value*> args);
  /// The Value for a fresh input `name` of `shape`; records it.
  Value new_input(const Token& name, Shape shape);
  void prescan();
  /// Is the statement at the current token `NAME ( ... ) =`, a function definition?
  bool at_function_def() const;
  bool check_bindable(const Token& name, std::string_view what);
  void resolve_outputs_and_wrt();
  /// Warn about definitions that are neither outputs nor used.
  void warn_unused();
  /// Warn that implicit input `name` may be a misspelled definition.
  void warn_implicit_input(const Token& name);
  /// "; did you mean 'alpha'?" for an undeclared `alpah`: the closest name
  /// in scope or defined later, or "" (also once the budget is spent).
  std::string suggest_name(std::string_view name);
  size_t spelling_budget_ = 10'000'000;  ///< name comparisons left for suggestions

  Diagnostics& diag_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  Program prog_;
  Builder b_;
  uint32_t next_input_scalar_ = 0;

  bool has_input_statement_ = false;
  std::unordered_set<std::string_view> defined_somewhere_;
  /// Names an `input` statement declares, at their declaration (for "used
  /// before its declaration"); and those already reported so.
  std::unordered_map<std::string_view, Loc> inputs_somewhere_;
  std::unordered_set<std::string_view> used_before_input_;
  /// The names `wrt` will name (its statements, or wrt_override_): a value
  /// defined under one gets a node of its own (mark_wrt_value).
  const std::vector<std::string>* wrt_override_;
  /// Keep Program::ops (parse_program's record_ops); without it every
  /// Value::op stays -1.
  bool record_ops_;
  std::unordered_set<std::string> wrt_named_;
  uint32_t next_wrt_tag_ = 0;
  void mark_wrt_value(Value& value);
  struct Symbol {
    Value value;
    Loc loc;
    bool is_input;
    bool used = false;  ///< named in an expression (for "never used")
  };
  std::unordered_map<std::string_view, Symbol> symbols_;
  /// `f(a, b) = EXPR`: the body is kept as its token range and parsed again
  /// at each call with the parameters bound (calls are inlined, SPEC 1).
  struct Function {
    std::vector<std::string_view> params;
    size_t body_begin = 0, body_end = 0;  ///< token range of EXPR
    Loc loc;
    bool ok = true;     ///< the body parsed without errors
    bool used = false;  ///< called somewhere (for "never called")
    std::map<std::vector<uint32_t>, Value> memo;  ///< argument shapes and nodes -> result
  };
  std::unordered_map<std::string_view, Function> functions_;
  /// Functions defined anywhere (prescan; not the reserved names), at their name.
  std::unordered_map<std::string_view, Loc> functions_somewhere_;
  std::string_view defining_;  ///< the function whose body is being checked
  /// Parameters of the function body being parsed (nullptr outside bodies).
  const std::unordered_map<std::string_view, Value>* params_ = nullptr;
  int inline_depth_ = 0;
  /// The call outside every function body being inlined, and whether the
  /// nesting limit was reported within it (once: its other paths past the
  /// limit are the same error).
  struct OuterCall {
    std::string_view name;
    Loc loc;
    bool too_deep_reported = false;
  } outer_call_;

  std::vector<Variable> output_names_, wrt_names_;
  bool saw_output_ = false, saw_wrt_ = false;
};

}  // namespace gradc::detail
