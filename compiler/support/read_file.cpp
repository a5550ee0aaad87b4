// read_file.cpp - reading a source file whole (read_file.h).
#include "support/read_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace gradc {

std::optional<std::string> read_file(const std::string& path, std::string& text) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fmt::format("'{}' is a directory", path);
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    return fmt::format("cannot open '{}': {}", path,
                       e ? std::strerror(e) : "no such file or not readable");
  }
  if (!read_all(in, text))
    return fmt::format("cannot read '{}': {}", path, std::strerror(errno ? errno : EIO));
  return std::nullopt;
}

bool read_all(std::istream& in, std::string& text) {
  // Chunk by chunk, not `stream << rdbuf()`: that catches a std::bad_alloc
  // and sets failbit, so memory running out would read as an unreadable
  // file, or as a program cut short. The chunk on the heap: the JIT's
  // callers may read from small stacks.
  text.clear();
  std::string chunk(size_t(1) << 16, '\0');
  while (in.read(chunk.data(), std::streamsize(chunk.size())) || in.gcount() > 0)
    text.append(chunk.data(), size_t(in.gcount()));
  return !in.bad();
}

}  // namespace gradc
