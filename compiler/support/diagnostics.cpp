// diagnostics.cpp - rendering errors with the source line and a caret.
#include "support/diagnostics.h"

#include <algorithm>
#include <tuple>

#include "support/utf8.h"

namespace gradc {

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  // A UTF-8 byte-order mark is not part of line 1 (the lexer skips it).
  line_starts_.push_back(text_.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0);
  // "\n", "\r\n" and a lone "\r" (old Mac files) end a line.
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n' || (text_[i] == '\r' && (i + 1 == text_.size() || text_[i + 1] != '\n')))
      line_starts_.push_back(i + 1);
}

Loc SourceFile::loc(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line = size_t(it - line_starts_.begin());
  return Loc{uint32_t(line), uint32_t(offset - line_starts_[line - 1] + 1)};
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  size_t begin = line_starts_[line - 1];
  size_t end = line < line_starts_.size() ? line_starts_[line] - 1 : text_.size();
  std::string_view s(text_.data() + begin, end - begin);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

std::string quote_char(unsigned char c) {
  if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", char(c));
  return fmt::format("'\\x{:02X}'", c);
}

std::tuple<int, size_t, uint32_t, uint32_t> Diagnostics::order(const Entry& e) const {
  const int rank = e.loc.line == 0 ? 2 : e.file ? 1 : 0;
  size_t file = 0;
  if (rank == 1)
    while (file < files_.size() && files_[file].get() != e.file) ++file;
  return {rank, file, e.loc.line, e.loc.col};
}

// A quoted name of more than kLongName characters (a 1 MB identifier) as
// its first ones, "...", and its length, as long JSON values are shown.
static std::string shorten_long_names(const std::string& message) {
  constexpr size_t kLongName = 64;
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
  };
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    size_t end = i + 1;
    if (message[i] == '\'') {
      while (end < message.size() && name_char(message[end])) ++end;
      const size_t length = end - i - 1;
      if (end < message.size() && message[end] == '\'' && length > kLongName) {
        out += fmt::format("'{}...' ({} characters)", message.substr(i + 1, kLongName / 2), length);
        i = end + 1;
        continue;
      }
      end = i + 1;
    }
    out.append(message, i, end - i);
    i = end;
  }
  return out;
}

void Diagnostics::report_warning(Loc loc, const std::string& message) {
  pending_.push_back(Entry{loc, shorten_long_names(message), true});
}

void Diagnostics::report(Loc loc, const std::string& message, const SourceFile* file) {
  ++errors_;
  pending_.push_back(Entry{loc, shorten_long_names(message + context_), false, file});
  if (deferring_ || !error_limit_reached()) return;
  // Errors come from several passes (the lexer runs ahead of the parser; a
  // points file's syntax, then its values), so the limit counts the errors
  // at or before this one: once they fill it, the errors printed are known.
  const auto here = order(pending_.back());
  int before = 0;
  for (const Entry& e : pending_) before += !e.warning && order(e) <= here;
  if (before < max_errors_) return;
  flush();
  throw TooManyErrors{};
}

void Diagnostics::flush() {
  // Print in source order, the program's file first, then each other
  // file's in the order they were added; errors without a location last.
  std::stable_sort(pending_.begin(), pending_.end(),
                   [&](const Entry& a, const Entry& b) { return order(a) < order(b); });
  size_t hidden = 0;
  for (const Entry& e : pending_) {
    if (e.warning && warnings_shown_ >= kMaxWarnings) {
      ++hidden;
      continue;
    }
    if (!e.warning && max_errors_ > 0 && errors_shown_ >= max_errors_) continue;
    (e.warning ? warnings_shown_ : errors_shown_) += 1;
    render(e);
  }
  if (hidden > 0)
    out_ << fmt::format("gradc: note: {} more warning{} not shown\n", hidden, hidden == 1 ? "" : "s");
  pending_.clear();
  if (error_limit_reached() && !limit_noted_) {
    limit_noted_ = true;
    out_ << "gradc: fatal error: too many errors emitted, stopping now"
         << (limit_is_option_ ? " [--error-limit=]\n" : "\n");
  }
}

void Diagnostics::render(const Entry& e) {
  Loc loc = e.loc;
  const char* severity = e.warning ? "warning" : "error";
  const SourceFile* file = e.file ? e.file : file_;
  if (!file || loc.line == 0) {
    out_ << (file ? file->name() + ": " : std::string("gradc: ")) << severity << ": "
         << e.message << "\n";
    return;
  }
  out_ << fmt::format("{}:{}:{}: {}: {}\n", file->name(), loc.line, loc.col, severity,
                      e.message);
  // Echo the line as written (control bytes shown as spaces; tabs kept so
  // the caret stays aligned), then the caret. A very long line is cut to a
  // window around the caret.
  std::string line(file->line_text(loc.line)), caret;
  constexpr size_t kWindow = 100;
  if (line.size() > 2 * kWindow) {
    size_t col = loc.col - 1, begin = col > kWindow / 2 ? col - kWindow / 2 : 0;
    std::string prefix = begin > 0 ? "..." : "";
    line = prefix + line.substr(begin, kWindow) + (begin + kWindow < line.size() ? "..." : "");
    loc.col = uint32_t(col - begin + prefix.size() + 1);
  }
  // Echo the line character by character: control characters (C0, DEL and
  // C1 = U+0080..U+009F) as a space, a byte sequence that is not UTF-8 as
  // '?', each one column, as the caret counts them. The caret line has a
  // space per column before the error: one per character, two for a wide
  // one (CJK, emoji), a tab for a tab.
  std::string shown;
  for (size_t i = 0; i < line.size();) {
    const Utf8Char ch = decode_utf8(line, i);
    const char32_t cp = ch.code_point;  // only where ch.valid: a bad byte's is not a character
    const bool tab = ch.valid && cp == '\t';
    const bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
    if (i + 1 < loc.col) caret += tab ? "\t" : ch.valid && is_wide(cp) ? "  " : " ";
    if (!ch.valid) shown += '?';
    else if (tab) shown += '\t';
    else if (control) shown += ' ';
    else shown.append(line, i, ch.length);
    i += ch.length;
  }
  size_t bytes_before = std::min<size_t>(loc.col - 1, line.size());
  size_t pad_to = caret.size() + (loc.col - 1 - bytes_before);
  while (caret.size() < pad_to) caret += ' ';
  line = shown;
  out_ << line << "\n" << caret << "^\n";
}

}  // namespace gradc
