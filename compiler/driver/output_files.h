// output_files.h - writing gradc's output files so that a failure, or a run
// that is interrupted, never leaves a partial, lost or mismatched file.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace gradc {

/// Write several files (path, text) together. A regular file (or a path
/// that does not exist yet) is written to a temporary file beside it first,
/// and every one is renamed over its path only when all are complete, with
/// SIGINT, SIGTERM and SIGHUP held back between the first rename and the
/// last; a signal before that removes the temporaries. A symbolic link is
/// followed (the file it names is replaced, the link stays). A path that is
/// not a regular file (/dev/null, a pipe, a terminal) is written directly,
/// since it cannot be replaced. Temporaries of killed gradc runs beside the
/// paths are removed, but never a file in `keep` (the input). Returns an
/// error message with its reason, or "" on success.
std::string write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::vector<std::string>& keep = {});

/// Is `path` (links followed) something other than a regular file or a
/// directory: a device such as /dev/null, a pipe, a terminal? It is written
/// in place, and gets no header beside it.
bool is_special_file(const std::string& path);

/// Does `path` name gradc's own standard output: "-", or a path that is the
/// file descriptor 1 already open (`/dev/stdout` when standard output is a
/// file or a pipe)? Such an output is written to standard output, in order
/// with the rest, with no header: replacing the file would lose what was
/// written to it before, and /dev/stdout.hpp is no header.
bool is_standard_output(const std::string& path);

/// One file, as write_files_atomically.
std::string write_file_atomically(const std::string& path, const std::string& text,
                                  const std::vector<std::string>& keep = {});

}  // namespace gradc
