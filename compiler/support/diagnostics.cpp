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

void Diagnostics::report(Loc loc, const std::string& message, const SourceFile* file) {
  ++errors_;
  pending_.push_back(Entry{loc, message + context_, false, file});
  if (errors_ >= kMaxErrors) {
    flush();
    out_ << "gradc: fatal error: too many errors emitted, stopping now\n";
    throw TooManyErrors{};
  }
}

void Diagnostics::flush() {
  // Errors come from several passes (lexer, parser, final checks; a points
  // file's syntax, then its values); print them in source order, the
  // program's file first, then each other file's in the order they were
  // added. Errors without a location go last.
  auto file_index = [&](const SourceFile* f) {
    size_t i = 0;
    while (i < files_.size() && files_[i].get() != f) ++i;
    return i;
  };
  std::stable_sort(pending_.begin(), pending_.end(), [&](const Entry& a, const Entry& b) {
    auto key = [&](const Entry& e) {
      int rank = e.loc.line == 0 ? 2 : e.file ? 1 : 0;
      return std::tuple{rank, rank == 1 ? file_index(e.file) : 0, e.loc.line, e.loc.col};
    };
    return key(a) < key(b);
  });
  size_t hidden = 0;
  for (const Entry& e : pending_) {
    if (e.warning && warnings_shown_ >= kMaxWarnings) {
      ++hidden;
      continue;
    }
    warnings_shown_ += e.warning;
    render(e);
  }
  if (hidden > 0)
    out_ << fmt::format("gradc: note: {} more warning{} not shown\n", hidden, hidden == 1 ? "" : "s");
  pending_.clear();
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
    const char32_t cp = ch.code_point;
    const bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
    if (i + 1 < loc.col) caret += cp == '\t' ? "\t" : ch.valid && is_wide(cp) ? "  " : " ";
    if (!ch.valid) shown += '?';
    else if (cp == '\t') shown += '\t';
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
