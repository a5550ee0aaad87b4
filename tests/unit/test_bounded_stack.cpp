// test_bounded_stack.cpp - split kernels keep their stack bounded (SPEC 2,
// docs/semantics.md): scratch slots are reused once the last part reading a
// value has run, and a scratch array beyond kStackScratchSlots is allocated
// per call, so a kernel of any size runs on a thread with a small stack, in
// every backend.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "backends.h"
#include "emit/emit_cpp.h"
#include "kernel_harness.h"
#include "plan/kernel_plan.h"

namespace {

using gradc::KernelKind;
using gradc::KernelPlan;
using gradc::NodeId;
using gradc::PlanItem;

const gradc::KernelSpec& grad_spec(const gradc::Compiled& c) {
  for (const gradc::KernelSpec& k : c.kernels)
    if (k.kind == KernelKind::Grad) return k;
  FAIL("no gradient kernel");
  return c.kernels.front();
}

// Every value in a slot is read only by parts after the one defining it, and
// two values sharing a slot never live at once: the later one is defined
// after the last part that reads the earlier one.
void check_slots(const gradc::Compiled& c, const KernelPlan& p) {
  const gradc::Graph& g = c.prog.graph;
  std::vector<uint32_t> last(g.size(), KernelPlan::kNone);
  std::vector<NodeId> refs;
  for (uint32_t part = 0; part < p.num_parts(); ++part)
    for (size_t i = p.part_begin[part]; i < p.part_begin[part + 1]; ++i) {
      gradc::item_references(g, p.schedule, p.items[i], refs);
      for (NodeId id : refs) {
        if (p.def_part[id] == KernelPlan::kNone || p.def_part[id] >= part) continue;
        REQUIRE(p.slot[id] != KernelPlan::kNone);  // read across parts: has a slot
        last[id] = part;
      }
    }
  std::map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> lives;  // slot -> [def, last]
  for (NodeId id = 0; id < g.size(); ++id) {
    if (p.slot[id] == KernelPlan::kNone) continue;
    REQUIRE(last[id] != KernelPlan::kNone);  // no slot for a value nobody reads later
    REQUIRE(p.slot[id] < p.num_slots);
    lives[p.slot[id]].push_back({p.def_part[id], last[id]});
  }
  for (auto& [slot, spans] : lives) {
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i) CHECK(spans[i].first > spans[i - 1].second);
  }
}

// Run `f` on a thread whose stack is `bytes` large.
void run_on_small_stack(size_t bytes, const std::function<void()>& f) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  REQUIRE(pthread_attr_setstacksize(&attr, bytes) == 0);
  pthread_t t;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  REQUIRE(pthread_create(&t, &attr, trampoline, const_cast<std::function<void()>*>(&f)) == 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace

TEST_CASE("scratch slots are reused once the last part reading them has run") {
  // Values of the first layer are read by the second only; the second's by
  // the third: with parts of 40 nodes most slots can be shared.
  const char* programs[] = {
      "input x[60]\na = sin(x)\nb = a*a + cos(a)\nc = exp(0.1*b) + b\nw = sum(c) + sum(a)",
      "input x[40]\na = tanh(x)\nw = sum(a) + dot(a, a) + sum(exp(a))",
      "input x, y\na = x*y\nb = sin(a) + a\nc = b*b + x\nw = c*a + b",
  };
  for (const char* text : programs) {
    CAPTURE(text);
    auto c = gradc_test::compile_text(text);
    REQUIRE(c);
    for (size_t part_nodes : {5, 40, 200}) {
      CAPTURE(part_nodes);
      KernelPlan p = gradc::make_kernel_plan(c->prog.graph, grad_spec(*c), {part_nodes, 0});
      check_slots(*c, p);
    }
  }
  // Reuse pays: a chain of layers needs slots for about one layer at a time.
  auto c = gradc_test::compile_text(
      "input x[50]\na = sin(x)\nb = sin(a)\nd = sin(b)\ne = sin(d)\nf = sin(e)\nw = sum(f)");
  REQUIRE(c);
  KernelPlan p = gradc::make_kernel_plan(c->prog.graph, c->kernels.front(), {60, 0});
  REQUIRE(p.split());
  size_t crossing = 0;
  for (uint32_t s : p.slot) crossing += s != KernelPlan::kNone;
  CHECK(p.num_slots < crossing);
  check_slots(*c, p);
}

TEST_CASE("a kernel passing more values than the stack bound runs on a 64 KiB thread") {
  // 6,000 sines computed in the first parts and read by the last ones.
  auto c = gradc_test::compile_text("input x[6000]\na = sin(x)\nw = sum(a) + sum(a*a)");
  REQUIRE(c);
  KernelPlan p = gradc::make_kernel_plan(c->prog.graph, grad_spec(*c));
  REQUIRE(p.heap_scratch());
  std::string cpp = gradc::emit_cpp(*c, "big", "big.expr").source;
  CHECK(cpp.find("std::malloc(") != std::string::npos);
  CHECK(cpp.find("std::free(s);") != std::string::npos);

  std::vector<double> in(6000);
  for (size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.37 * static_cast<double>(i));
  gradc_test::Values want = gradc_test::interpret(*c, in);
  auto backends = gradc_test::build_backends({{"big", &*c}}, gradc_test::kCompiledBackends);
  for (const auto& b : backends) {
    CAPTURE(b->label());
    REQUIRE_MESSAGE(b->ok(), b->log());
    gradc_test::Values got;
    run_on_small_stack(64 * 1024, [&] { got = b->call(0, in); });
    REQUIRE(got.out.size() == 1);
    CHECK(got.out[0] == doctest::Approx(want.out[0]).epsilon(1e-12));
    REQUIRE(got.jac.size() == want.jac.size());
    double worst = 0;
    for (size_t i = 0; i < got.jac.size(); ++i)
      worst = std::max(worst, std::abs(got.jac[i] - want.jac[i]));
    CHECK(worst < 1e-12);
  }
}
