// parser.h - recursive-descent parser from tokens straight to the DAG.
//
// The parser's methods are named after the productions of grammar/gradc.ebnf.
// Nesting depth is bounded (kMaxNesting), so no input can overflow the stack.
#pragma once

#include <optional>

#include "support/diagnostics.h"
#include "front/lexer.h"  // kMaxNesting
#include "front/program.h"

namespace gradc {

/// Parse a whole program into a graph of at most `max_nodes` nodes. Every
/// error goes to `diag`; the result is empty if there was any. `wrt`, when
/// given (--wrt, JitOptions::wrt), replaces the program's `wrt` statements
/// as the names whose values get a node of their own (Op::WrtValue).
/// `record_ops` keeps Program::ops, the operations as written, which only
/// --print=dot draws (a record per operation: 15-30% of parsing).
std::optional<Program> parse_program(const SourceFile& file, Diagnostics& diag,
                                     size_t max_nodes = kDefaultMaxNodes,
                                     const std::vector<std::string>* wrt = nullptr,
                                     bool record_ops = true);

/// True if `name` is reserved: a keyword, a built-in function or `pi`.
bool is_reserved_name(std::string_view name);

}  // namespace gradc
