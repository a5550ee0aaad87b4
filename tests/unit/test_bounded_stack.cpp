// test_bounded_stack.cpp - split kernels' memory (SPEC 3, docs/semantics.md):
// scratch slots are reused once the last part reading a value has run; the
// scratch array is on the stack however large (kernels allocate nothing), so
// a kernel runs on a thread with that much stack and a small margin, in
// every backend, and its batch kernels put at most kMaxBatchStackDoubles
// there.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "backends.h"
#include "emit/emit_cpp.h"
#include "emit/emit_llvm.h"
#include "emit/llvm_batch.h"
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

TEST_CASE("a kernel passing more values than 32 KiB keeps them on the stack, allocating nothing") {
  // 6,000 sines computed in the first parts and read by the last ones.
  auto c = gradc_test::compile_text("input x[6000]\na = sin(x)\nw = sum(a) + sum(a*a)");
  REQUIRE(c);
  KernelPlan p = gradc::make_kernel_plan(c->prog.graph, grad_spec(*c));
  REQUIRE(p.num_slots > gradc::kLargeScratchSlots);
  std::string cpp = gradc::emit_cpp(*c, "big", "big.expr").source;
  CHECK(cpp.find("malloc") == std::string::npos);
  CHECK(cpp.find(fmt::format("// big_grad keeps {} values on the stack", p.num_slots)) !=
        std::string::npos);
  CHECK(cpp.find(fmt::format("double s[{}];", p.num_slots)) != std::string::npos);

  std::vector<double> in(6000);
  for (size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.37 * static_cast<double>(i));
  gradc_test::Values want = gradc_test::interpret(*c, in);
  auto backends = gradc_test::build_backends({{"big", &*c}}, gradc_test::kCompiledBackends);
  for (const auto& b : backends) {
    CAPTURE(b->label());
    REQUIRE_MESSAGE(b->ok(), b->log());
    gradc_test::Values got;
    // The scratch array and 64 KiB for the parts' frames and the harness.
    run_on_small_stack(p.num_slots * sizeof(double) + 64 * 1024, [&] { got = b->call(0, in); });
    REQUIRE(got.out.size() == 1);
    CHECK(got.out[0] == doctest::Approx(want.out[0]).epsilon(1e-12));
    REQUIRE(got.jac.size() == want.jac.size());
    double worst = 0;
    for (size_t i = 0; i < got.jac.size(); ++i)
      worst = std::max(worst, std::abs(got.jac[i] - want.jac[i]));
    CHECK(worst < 1e-12);
  }
}

// SPEC 3: "no allocation". Every kernel kind, one-point and batch, of small
// and split programs, in C++ and LLVM IR (the .o and the JIT are this IR
// compiled): no call of malloc or free.
TEST_CASE("no kernel of any kind allocates memory, one-point or batch, in C++ or LLVM") {
  const char* programs[] = {
      "input v[8]\ny = softmax(v)",  // hess_batch buffers of 139 KB allocated once
      "input x[6000]\na = sin(x)\nw = sum(a) + sum(a*a)",
      "input x, y\nt0 = x*y\nt1 = sin(t0)*y + x\nt2 = tanh(t1) - x*t1\nw = t2*t2",
  };
  gradc::CompileOptions opts;
  opts.batch = true;
  opts.kernels = {KernelKind::Forward, KernelKind::Grad, KernelKind::Jvp, KernelKind::Vjp,
                  KernelKind::Hess,    KernelKind::Hvp,  KernelKind::Sparse};
  for (const char* text : programs) {
    CAPTURE(text);
    // The 6,000-input program's Hessian is 36 million entries: first order only.
    gradc::CompileOptions o = opts;
    if (std::string(text).find("6000") != std::string::npos)
      o.kernels = {KernelKind::Forward, KernelKind::Grad, KernelKind::Jvp, KernelKind::Vjp};
    std::string errors;
    auto c = gradc_test::compile_text(text, &errors, "p.expr", o);
    REQUIRE_MESSAGE(c, errors);
    std::string cpp = gradc::emit_cpp(*c, "p", "p.expr").source;
    CHECK(cpp.find("malloc") == std::string::npos);
    CHECK(cpp.find("free(") == std::string::npos);
    for (const char* cpu : {"generic", "x86-64-v4"}) {
      gradc::LlvmOptions lo;
      lo.cpu = cpu;
      gradc::LlvmOutput ir = gradc::emit_llvm(*c, "p", "p.expr", gradc::LlvmFormat::Text, lo);
      REQUIRE_MESSAGE(ir.error.empty(), ir.error);
      CHECK(ir.bytes.find("_batch(") != std::string::npos);
      CHECK(ir.bytes.find("@malloc") == std::string::npos);
      CHECK(ir.bytes.find("@free") == std::string::npos);
    }
  }
}

// A batch kernel whose block would put more than kMaxBatchStackDoubles on the
// stack runs point by point (the one-point kernel's stack), and still equals
// it; one within the bound computes blocks of points in vectors.
TEST_CASE("a batch kernel bounds what it puts on the stack") {
  gradc::CompileOptions opts;
  opts.batch = true;
  auto small = gradc_test::compile_text("input x[40]\nw = sum(sin(x)*x)", nullptr, "s.expr", opts);
  auto large = gradc_test::compile_text("input x[9000]\nw = sum(sin(x)*x)", nullptr, "l.expr", opts);
  REQUIRE(small);
  REQUIRE(large);
  CHECK(gradc::batch_vectorizable(grad_spec(*small), 0));
  CHECK_FALSE(gradc::batch_vectorizable(grad_spec(*large), 0));  // 2 x 18,001 entries x 8 lanes
  gradc::LlvmOptions lo;
  lo.cpu = "x86-64-v4";
  std::string ir = gradc::emit_llvm(*large, "l", "l.expr", gradc::LlvmFormat::Text, lo).bytes;
  size_t begin = ir.find("define void @l_grad_batch(");
  REQUIRE(begin != std::string::npos);
  std::string body = ir.substr(begin, ir.find("\n}\n", begin) - begin);
  CHECK(body.find("alloca") == std::string::npos);
  CHECK(body.find("call void @l_grad(") != std::string::npos);
}
