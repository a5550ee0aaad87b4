// diagnostics.h - source files, locations and clang-style error reporting.
//
// Errors render as `file:line:col: error: message`, then the source line,
// then a caret under the column; warnings likewise with `warning:` (they do
// not count as errors, so the exit status stays 0). user errors (bad input) go through
// Diagnostics; our own bugs are InternalError exceptions.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <string_view>
#include <tuple>
#include <vector>

namespace gradc {

/// The UTF-8 byte-order mark, skipped at the start of a source file.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

/// A 1-based line and column (in bytes) in a source file.
struct Loc {
  uint32_t line = 0, col = 0;
};

/// The text of one input file with an index of its line starts.
class SourceFile {
 public:
  SourceFile(std::string name, std::string text);
  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  /// Location of byte `offset`.
  Loc loc(size_t offset) const;
  /// Text of line `line` (1-based) without its newline.
  std::string_view line_text(uint32_t line) const;

 private:
  std::string name_, text_;
  std::vector<size_t> line_starts_;
};

/// Thrown when the error limit is reached, to stop the current pass.
struct TooManyErrors {};

/// Thrown for a bug in gradc itself (never for bad input).
struct InternalError : std::logic_error {
  using std::logic_error::logic_error;
};

/// Collects and prints the errors found in one source file.
class Diagnostics {
 public:
  /// Errors printed per run (--error-limit, as clang's -ferror-limit): the
  /// first ones in the file, in file order.
  static constexpr int kMaxErrors = 20;
  /// Warnings printed per run; the rest are counted in one note (444,443
  /// unused values of a generated program are not 1.3 million lines).
  static constexpr int kMaxWarnings = 20;
  /// `error_limit`: the number of errors printed (0: every one), as the
  /// command line's --error-limit gives it (the fatal note then names the
  /// option); without it, kMaxErrors.
  Diagnostics(const SourceFile* file, std::ostream& out, std::optional<int> error_limit = {})
      : file_(file), out_(out), max_errors_(error_limit.value_or(kMaxErrors)),
        limit_is_option_(error_limit.has_value()) {}

  /// Has the run reported as many errors as it prints?
  bool error_limit_reached() const { return max_errors_ > 0 && errors_ >= max_errors_; }
  /// While one lives, errors never throw TooManyErrors: for a pass that
  /// runs ahead of the next (the lexer, ahead of the parser), which stops
  /// itself at error_limit_reached(). The next pass's errors earlier in the
  /// file are still reported and printed first.
  class DeferLimit {
   public:
    explicit DeferLimit(Diagnostics& d) : d_(d), was_(std::exchange(d.deferring_, true)) {}
    ~DeferLimit() { d_.deferring_ = was_; }
    DeferLimit(const DeferLimit&) = delete;
    DeferLimit& operator=(const DeferLimit&) = delete;

   private:
    Diagnostics& d_;
    bool was_;
  };

  /// Report an error at `loc`; throws TooManyErrors once the error limit
  /// is reached by errors at or before `loc` (the first errors of the
  /// file are then known: later ones would not be printed).
  template <typename... Args>
  void error(Loc loc, fmt::format_string<Args...> f, Args&&... args) {
    report(loc, fmt::format(f, std::forward<Args>(args)...));
  }
  /// Report an error that has no location in the file.
  template <typename... Args>
  void error_noloc(fmt::format_string<Args...> f, Args&&... args) {
    report(Loc{}, fmt::format(f, std::forward<Args>(args)...));
  }
  /// Another file the errors may point into (the JSON of --eval=@FILE),
  /// kept until the errors are printed.
  const SourceFile& add_file(std::string name, std::string text) {
    return *files_.emplace_back(std::make_unique<SourceFile>(std::move(name), std::move(text)));
  }
  /// Report an error at `loc` in `file`, one that add_file returned; it is
  /// printed after the errors in the program's own file.
  template <typename... Args>
  void error_in(const SourceFile& file, Loc loc, fmt::format_string<Args...> f, Args&&... args) {
    report(loc, fmt::format(f, std::forward<Args>(args)...), &file);
  }
  /// Report a warning at `loc`: printed like an error, not counted as one.
  template <typename... Args>
  void warning(Loc loc, fmt::format_string<Args...> f, Args&&... args) {
    report_warning(loc, fmt::format(f, std::forward<Args>(args)...));
  }
  /// Text appended to every error reported from now on ("" for none), e.g.
  /// " (in the call of 'f' at line 4, column 7)"; returns the previous one.
  std::string set_context(std::string context) { return std::exchange(context_, std::move(context)); }
  int error_count() const { return errors_; }
  bool has_errors() const { return errors_ > 0; }
  /// Print the pending errors and warnings, sorted by location: the first
  /// errors up to the error limit (then one fatal note), warnings beyond
  /// kMaxWarnings counted in a note.
  void flush();
  ~Diagnostics() { flush(); }

 private:
  struct Entry {
    Loc loc;
    std::string message;
    bool warning = false;
    const SourceFile* file = nullptr;  ///< null: the program's file
  };
  void report(Loc loc, const std::string& message, const SourceFile* file = nullptr);
  void report_warning(Loc loc, const std::string& message);
  /// Where an entry goes in the printed order: the program's file, then the
  /// other files in the order added, then errors without a location.
  std::tuple<int, size_t, uint32_t, uint32_t> order(const Entry& e) const;
  void render(const Entry& e);
  const SourceFile* file_;
  std::vector<std::unique_ptr<SourceFile>> files_;  ///< add_file's
  std::ostream& out_;
  int errors_ = 0;
  int max_errors_;
  bool deferring_ = false;  ///< see DeferLimit
  int errors_shown_ = 0;
  bool limit_noted_ = false;  ///< the fatal note is printed
  bool limit_is_option_;  ///< the limit is --error-limit's
  int warnings_shown_ = 0;
  std::vector<Entry> pending_;
  std::string context_;
};

/// Printable form of a byte for messages: 'c', or '\xNN' for non-printables.
std::string quote_char(unsigned char c);

}  // namespace gradc
