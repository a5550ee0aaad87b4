// read_file.cpp - reading a source file whole (read_file.h).
#include "support/read_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

namespace gradc {

long read_piece(std::FILE* f, std::string& text) {
  // Through stdio, not iostreams: a std::filebuf takes a failed read for the
  // end of the file, so a closed standard input read as an empty program.
  // The piece goes straight into `text` (its growth may throw bad_alloc).
  constexpr size_t kPiece = size_t(1) << 16;
  const size_t old = text.size();
  text.resize(old + kPiece);
  errno = 0;
  const size_t got = std::fread(text.data() + old, 1, kPiece, f);
  text.resize(old + got);
  if (got == 0 && std::ferror(f)) {
    if (errno == 0) errno = EIO;
    return -1;
  }
  return long(got);
}

// All of `f` into `text`: nullopt, or the read error's text.
static std::optional<std::string> read_to_end(std::FILE* f, std::string& text) {
  text.clear();
  for (;;) {
    const long got = read_piece(f, text);
    if (got < 0) return std::string(std::strerror(errno));
    if (got == 0) return std::nullopt;
  }
}

std::optional<std::string> read_file(const std::string& path, std::string& text) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fmt::format("'{}' is a directory", path);
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    const int e = errno;
    return fmt::format("cannot open '{}': {}", path,
                       e ? std::strerror(e) : "no such file or not readable");
  }
  if (std::optional<std::string> problem = read_to_end(f.get(), text))
    return fmt::format("cannot read '{}': {}", path, *problem);
  return std::nullopt;
}

std::optional<std::string> read_stdin(std::string& text) {
  if (std::optional<std::string> problem = read_to_end(stdin, text))
    return fmt::format("cannot read standard input: {}", *problem);
  return std::nullopt;
}

}  // namespace gradc
