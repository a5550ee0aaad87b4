// out_of_memory.cpp - see out_of_memory.h.
#include "driver/out_of_memory.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <new>

#include "driver/driver.h"

namespace gradc {
namespace {

// Allocates nothing: what standard output holds (--print before --eval) is
// flushed, the message written with write(2), then _exit: no destructors,
// and no file is half-written, as outputs go to files only after LLVM.
[[noreturn]] void report_and_exit() {
  std::fflush(stdout);
  auto put = [](const char* s) { (void)!::write(STDERR_FILENO, s, std::strlen(s)); };
  if (::isatty(STDERR_FILENO)) put("\r\x1b[K");  // a progress line redrawn in place
  put("gradc: error: ");
  put(kOutOfMemory);
  put("\n");
  ::_exit(kExitError);
}

}  // namespace

ExitOnOutOfMemory::ExitOnOutOfMemory() : previous_(std::set_new_handler(report_and_exit)) {}

ExitOnOutOfMemory::~ExitOnOutOfMemory() { std::set_new_handler(previous_); }

}  // namespace gradc
