// read_file.h - a source file's bytes, read the one way the command line
// and the JIT runtime's jit_compile_file share.
//
// A directory or a file that cannot be opened is a message naming it (as
// `gradc: error: ...` prints it); an empty file is its (empty) text, for the
// parser to report as an empty program; running out of memory while reading
// throws std::bad_alloc, which each caller reports as out of memory, never
// as a file it "cannot open".
#pragma once

#include <istream>
#include <optional>
#include <string>

namespace gradc {

/// Read all of `path` into `text`. nullopt on success, else what went wrong
/// ("'p' is a directory", "cannot open 'p': No such file or directory").
std::optional<std::string> read_file(const std::string& path, std::string& text);

/// Read `in` to its end into `text` (standard input for `gradc -`); false
/// where the stream failed (not at its end).
bool read_all(std::istream& in, std::string& text);

}  // namespace gradc
