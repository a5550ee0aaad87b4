// test_kernel_stack.cpp - gradc's own calls of JIT kernels run on a stack
// that holds their scratch arrays (driver/kernel_stack.h): on a thread of
// its own when the calling thread's stack limit is smaller, and the result
// or the exception of the call reaches the caller.
#include <doctest/doctest.h>
#include <pthread.h>
#include <sys/resource.h>

#include <stdexcept>

#include "driver/kernel_stack.h"
#include "kernel_harness.h"

namespace {

// The stack size of the thread running this.
size_t this_stack_size() {
  pthread_attr_t attr;
  REQUIRE(pthread_getattr_np(pthread_self(), &attr) == 0);
  size_t size = 0;
  pthread_attr_getstacksize(&attr, &size);
  pthread_attr_destroy(&attr);
  return size;
}

// Lowers the soft stack limit for the test's lifetime.
struct StackLimit {
  rlimit old{};
  explicit StackLimit(rlim_t bytes) {
    REQUIRE(getrlimit(RLIMIT_STACK, &old) == 0);
    rlimit lower = old;
    lower.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_STACK, &lower) == 0);
  }
  ~StackLimit() { setrlimit(RLIMIT_STACK, &old); }
};

}  // namespace

TEST_CASE("kernels gradc calls itself run on a stack that holds their scratch arrays") {
  auto c = gradc_test::compile_text("input x[5000]\na = sin(x)\nw = sum(a) + sum(a*a)");
  REQUIRE(c);
  // Any scratch array has at most a slot per node.
  const size_t needed = c->prog.graph.size() * sizeof(double);
  StackLimit limit(512 * 1024);  // as `ulimit -s 512`
  size_t seen = 0;
  int status = gradc::run_on_kernel_stack(*c, [&] {
    seen = this_stack_size();
    return 7;
  });
  CHECK(status == 7);
  CHECK(seen >= needed + (size_t{8} << 20));
  // An exception of the call reaches the caller.
  CHECK_THROWS_AS(gradc::run_on_kernel_stack(*c, []() -> int { throw std::runtime_error("x"); }),
                  std::runtime_error);
}
