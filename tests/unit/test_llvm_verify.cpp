// test_llvm_verify.cpp - gradc's LLVM IR passes `opt-19 -passes=verify`: the
// .ll the gradc command writes for every examples/*.expr, and the .ll of 300
// random scalar and array programs and of a program split into .part functions
// (linked into one module by llvm-link-19, which verifies each input first),
// at -O0 and -O2 (and with --fast-math); a broken module is caught.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "build_config.h"  // kGradcBinary
#include "emit/emit_llvm.h"
#include "kernel_harness.h"
#include "random_array_program.h"
#include "random_program.h"

namespace {

// opt-19 -passes=verify on each file, one shell command; clean() if all pass.
gradc_test::CommandResult verify_each(const gradc_test::TempDir& dir,
                                      const std::vector<std::string>& files) {
  std::string loop = "status=0; for f in";
  for (const std::string& f : files) loop += " " + f;
  loop += fmt::format("; do {} -passes=verify -disable-output \"$f\" || status=1; done; "
                      "exit $status",
                      GRADC_OPT);
  return gradc_test::run_command(fmt::format("cd {} && ({})", dir.path(), loop),
                                 dir.file("verify.log"));
}

// The files linked into one module by llvm-link-19 (which verifies each input
// module: -disable-debug-info-type-map), then opt-19 -passes=verify on that.
gradc_test::CommandResult verify_linked(const gradc_test::TempDir& dir,
                                        const std::vector<std::string>& files,
                                        const std::string& tag) {
  std::string list;
  for (const std::string& f : files) list += " " + f;
  std::string cmd = fmt::format(
      "cd {0} && {1} -S -disable-debug-info-type-map{2} -o linked-{3}.ll && "
      "{4} -passes=verify -disable-output linked-{3}.ll",
      dir.path(), GRADC_LLVM_LINK, list, tag, GRADC_OPT);
  return gradc_test::run_command(cmd, dir.file("verify-" + tag + ".log"));
}

// A chain long enough that the gradient kernel has more than
// gradc::kLlvmPartNodes nodes, so it is split into .part functions.
std::string long_chain(int statements) {
  std::string text = "input x, y\nt0 = x*y\n";
  for (int i = 1; i <= statements; ++i)
    text += i % 2 ? fmt::format("t{} = sin(t{})*y + x\n", i, i - 1)
                  : fmt::format("t{0} = tanh(t{1}) - x*t{1}\n", i, i - 1);
  return text;
}

}  // namespace

TEST_CASE("opt-19 verifies the .ll the gradc command writes for every example, at -O0 and -O2") {
  gradc_test::TempDir dir("verify-examples");
  REQUIRE(dir.ok());
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(GRADC_EXAMPLES_DIR)) {
    if (e.path().extension() != ".expr") continue;
    for (int level : {0, 2}) {
      std::string file = fmt::format("{}-O{}.ll", e.path().stem().string(), level);
      std::string cmd = fmt::format("{} {} -O{} -o {}", gradc_test::kGradcBinary, e.path().string(), level,
                                    dir.file(file));
      gradc_test::CommandResult r = gradc_test::run_command(cmd, dir.file("gradc.log"));
      REQUIRE_MESSAGE(r.clean(), cmd << "\n" << r.printed);
      CHECK(gradc_test::read_file(dir.file(file)).find("define void @") != std::string::npos);
      files.push_back(file);
    }
  }
  REQUIRE(files.size() >= 20);
  gradc_test::CommandResult r = verify_each(dir, files);
  CHECK_MESSAGE(r.clean(), r.printed);
  MESSAGE(fmt::format("{} .ll files verified in {:.1f} s", files.size(), r.seconds));
}

TEST_CASE("opt-19 verifies the .ll of 300 random programs and a split kernel, at -O0 and -O2") {
  // 200 scalar and 100 array programs (the property tests' first seeds) and
  // a long chain, whose gradient kernel is split into .part functions;
  // with loops wherever statements repeat.
  std::vector<std::pair<std::string, std::string>> sources;  // kernel name, text
  for (uint64_t seed = 1000; seed < 1200; ++seed)
    sources.emplace_back(fmt::format("p{}", seed), gradc_test::random_program(seed));
  for (uint64_t seed = 5000; seed < 5100; ++seed)
    sources.emplace_back(fmt::format("a{}", seed), gradc_test::random_array_program(seed));
  sources.emplace_back("chain", long_chain(1500));
  std::vector<gradc::Compiled> programs;
  for (const auto& [name, text] : sources) {
    std::string errors;
    auto c = gradc_test::compile_text(text, &errors, name + ".expr");
    REQUIRE_MESSAGE(c, name << " does not compile:\n" << text << "\n" << errors);
    programs.push_back(std::move(*c));
  }
  // The chain as straight-line code, so that it is split (rerolled, it is
  // one short loop); the other programs get loops wherever they repeat.
  programs.back().reroll_min = 0;
  for (size_t i = 0; i + 1 < programs.size(); ++i) programs[i].reroll_min = 1;

  gradc_test::TempDir dir("verify-random");
  REQUIRE(dir.ok());
  struct Config {
    std::string tag;
    int level;
    bool fast_math;
  };
  for (Config config : {Config{"O0", 0, false}, Config{"O2", 2, false},
                        Config{"O2-fast", 2, true}}) {
    CAPTURE(config.tag);
    gradc::LlvmOptions opts;
    opts.opt_level = config.level;
    opts.fast_math = config.fast_math;
    std::vector<std::string> files(programs.size()), errors(programs.size());
    std::atomic<size_t> next{0};
    auto work = [&] {  // emit_llvm on two threads
      for (size_t i; (i = next++) < programs.size();) {
        const std::string& name = sources[i].first;
        gradc::LlvmOutput o = gradc::emit_llvm(programs[i], name, name + ".expr",
                                               gradc::LlvmFormat::Text, opts);
        files[i] = fmt::format("{}-{}.ll", name, config.tag);
        if (!o.error.empty() || !gradc_test::write_file(dir.file(files[i]), o.bytes))
          errors[i] = o.error.empty() ? "cannot write " + files[i] : o.error;
      }
    };
    std::thread other(work);
    work();
    other.join();
    for (size_t i = 0; i < programs.size(); ++i)
      REQUIRE_MESSAGE(errors[i].empty(), sources[i].first << ": " << errors[i]);
    // The long chain's gradient really is split into parts.
    std::string chain = gradc_test::read_file(dir.file(files.back()));
    CHECK(chain.find("void @chain_grad.part1(") != std::string::npos);
    CHECK(chain.find("void @chain_grad.part2(") != std::string::npos);
    gradc_test::CommandResult r = verify_linked(dir, files, config.tag);
    CHECK_MESSAGE(r.clean(), r.printed);
    MESSAGE(fmt::format("{}: {} modules verified in {:.1f} s", config.tag, files.size(),
                        r.seconds));
  }
}

TEST_CASE("the verification commands catch a broken module") {
  // Parses, but %a uses %b before its definition: only the verifier sees it.
  gradc_test::TempDir dir("verify-broken");
  REQUIRE(dir.ok());
  REQUIRE(gradc_test::write_file(dir.file("bad.ll"),
                                 "define void @f() {\nentry:\n  %a = fadd double %b, 1.0\n"
                                 "  %b = fadd double %a, 1.0\n  ret void\n}\n"));
  REQUIRE(gradc_test::write_file(dir.file("good.ll"), "define void @g() {\n  ret void\n}\n"));
  gradc_test::CommandResult each = verify_each(dir, {"good.ll", "bad.ll"});
  CHECK(each.status != 0);
  CHECK(each.printed.find("does not dominate") != std::string::npos);
  gradc_test::CommandResult linked = verify_linked(dir, {"good.ll", "bad.ll"}, "bad");
  CHECK(linked.status != 0);
  CHECK(linked.printed.find("bad.ll: error: input module is broken") != std::string::npos);
  CHECK(verify_each(dir, {"good.ll"}).clean());
}
