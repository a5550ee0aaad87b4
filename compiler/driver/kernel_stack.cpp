// kernel_stack.cpp - see kernel_stack.h.
#include "driver/kernel_stack.h"

#include <pthread.h>
#include <sys/resource.h>

#include <exception>

namespace gradc {

int run_on_kernel_stack(const Compiled& c, const std::function<int()>& f) {
  // A bound on any kernel's stack: its scratch array (a slot per node at
  // most), a batch block's arrays (1 MiB, llvm_batch.h) and the frames of
  // the parts and of gradc itself.
  const size_t needed = c.prog.graph.size() * sizeof(double) + (size_t{16} << 20);
  rlimit limit{};
  if (getrlimit(RLIMIT_STACK, &limit) == 0 &&
      (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed))
    return f();
  struct Call {
    const std::function<int()>& f;
    int status = 0;
    std::exception_ptr failure;
  } call{f, 0, nullptr};
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return f();
  pthread_t thread;
  const bool started =
      pthread_attr_setstacksize(&attr, needed) == 0 &&
      pthread_create(&thread, &attr, [](void* arg) -> void* {
        auto* c = static_cast<Call*>(arg);
        try {
          c->status = c->f();
        } catch (...) {
          c->failure = std::current_exception();
        }
        return nullptr;
      }, &call) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return f();  // no such thread: as before, on this one
  pthread_join(thread, nullptr);
  if (call.failure) std::rethrow_exception(call.failure);
  return call.status;
}

}  // namespace gradc
