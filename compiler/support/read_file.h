// read_file.h - a source file's bytes, read the one way the command line
// and the JIT runtime's jit_compile_file share.
//
// A directory or a file that cannot be opened is a message naming it (as
// `gradc: error: ...` prints it); a read that fails (EIO, standard input
// closed or a directory) is a message too, never the end of the text; an
// empty file is its (empty) text, for the parser to report as an empty
// program; running out of memory while reading throws std::bad_alloc, which
// each caller reports as out of memory, never as a file it "cannot open".
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace gradc {

/// Read all of `path` into `text`. nullopt on success, else what went wrong
/// ("'p' is a directory", "cannot open 'p': No such file or directory").
std::optional<std::string> read_file(const std::string& path, std::string& text);

/// Read standard input to its end into `text`: nullopt on success, else
/// what went wrong ("cannot read standard input: Is a directory").
std::optional<std::string> read_stdin(std::string& text);

/// One piece of `f` (at most 64 KiB) appended to `text`: the bytes read (0
/// at the end of the file), or -1 where the read failed, with errno set.
long read_piece(std::FILE* f, std::string& text);

}  // namespace gradc
