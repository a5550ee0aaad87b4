// out_of_memory.h - running out of memory is an error (exit status 1), never
// a crash. Outside LLVM, std::bad_alloc unwinds to main, which reports it.
// LLVM is not exception-safe: unwinding through a half-built module and
// destroying it crashes (SIGSEGV in ~Module), and LLVM's own allocations
// abort ("LLVM ERROR: out of memory"). So while gradc works inside LLVM, a
// failed allocation reports and exits at once instead (std::new_handler;
// the runtime library routes LLVM's bad-alloc handler to it). Nothing is
// written then: outputs are built in memory and written after.
#pragma once

namespace gradc {

/// The message main and the handler print (with "gradc: error: " before it).
inline constexpr const char* kOutOfMemory =
    "out of memory (the program, or its derivatives, is too large for the memory available)";

/// While alive, a failed allocation writes the message (on a terminal after
/// erasing the line, where the progress line may be) and exits with status 1.
class ExitOnOutOfMemory {
 public:
  ExitOnOutOfMemory();
  ~ExitOnOutOfMemory();
  ExitOnOutOfMemory(const ExitOnOutOfMemory&) = delete;
  ExitOnOutOfMemory& operator=(const ExitOnOutOfMemory&) = delete;

 private:
  void (*previous_)();
};

}  // namespace gradc
