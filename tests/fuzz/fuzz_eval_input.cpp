// fuzz_eval_input.cpp - libFuzzer target: bytes -> the --eval input reader
// (emit/eval_io.h) for a fixed program, inline (`x=1,W=[[1,2],[3,4]]`) or
// as a JSON file (`--eval=@file.json`), then the JSON result (SPEC 4).
// Byte 0: bit 0 JSON file (else inline), bit 1 the scalar program (else the
// array program); the rest is the --eval text or the file's bytes.
// A rejected input is a diagnostic, not a finding; a crash, sanitizer
// report, leak or escaping exception is.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "emit/eval_io.h"
#include "ir/interp.h"
#include "pipeline.h"

namespace {

using namespace gradc;

// An array program (as tests/golden/cli/eval-array-inline.expr) and a
// scalar one with second derivatives, compiled once.
const Compiled& program(bool scalar) {
  static const Compiled* compiled[2] = {nullptr, nullptr};
  const Compiled*& c = compiled[scalar];
  if (!c) {
    const char* text = scalar ? "input x, y, s\nw = x*y + s^2/x\n"
                              : "input W[2,3], x[3], b[2], s\ny = W @ x + b\n"
                                "L = s*sum(y)\noutput y, L\n";
    SourceFile source("eval.expr", text);
    std::ostringstream errors;
    Diagnostics diag(&source, errors);
    PassTimer timer;
    CompileOptions opts;
    if (scalar) opts.kernels.push_back(KernelKind::Hess);
    std::optional<Compiled> result = compile(source, diag, opts, timer);
    diag.flush();
    if (!result) {
      std::fprintf(stderr, "fuzz_eval_input: the fixed program does not compile:\n%s",
                   errors.str().c_str());
      std::abort();
    }
    c = new Compiled(std::move(*result));  // lives as long as the process
  }
  return *c;
}

// The file `--eval=@FILE` reads: one per process, removed at exit; in
// memory (/dev/shm) where there is one, as rewriting a file on disk for
// every input is slower than the rest of the work.
const std::string& json_path() {
  static std::string path = [] {
    const char* env = std::getenv("TMPDIR");
    std::string dir = env && *env ? env : ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string p = dir + "/gradc-fuzz-eval-XXXXXX";
    int fd = ::mkstemp(p.data());
    if (fd < 0) {
      std::perror("fuzz_eval_input: mkstemp");
      std::abort();
    }
    ::close(fd);
    return p;
  }();
  static const bool registered = [] { return std::atexit([] { ::unlink(json_path().c_str()); }) == 0; }();
  (void)registered;
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint8_t mode = size > 0 ? data[0] : 0;
  std::string body(reinterpret_cast<const char*>(data) + (size > 0), size - (size > 0));
  const Compiled& c = program(mode & 2);
  std::string spec;
  if (mode & 1) {
    FILE* f = std::fopen(json_path().c_str(), "wb");
    if (!f || std::fwrite(body.data(), 1, body.size(), f) != body.size() || std::fclose(f) != 0) {
      std::perror("fuzz_eval_input: writing the JSON file");
      std::abort();
    }
    spec = "@" + json_path();
  } else {
    // An inline spec starting with '@' names a file to read: the fuzzer
    // must not read (or block on) arbitrary paths such as /dev/stdin.
    if (body.starts_with("@")) return 0;
    spec = std::move(body);
  }
  std::ostringstream errors;
  Diagnostics diag(nullptr, errors);
  // A JSON file may hold one point or an array of points (read_points).
  std::optional<EvalPoints> points = read_points(spec, c.prog, diag);
  diag.flush();
  if (!points) return 0;
  // An empty array is no points (its results print as an empty array).
  if (!points->array && points->points.size() != 1) {
    std::fprintf(stderr, "fuzz_eval_input: %zu points read\n", points->points.size());
    std::abort();
  }
  for (const std::vector<double>& values : points->points) {
    if (values.size() != c.prog.num_input_scalars()) {
      std::fprintf(stderr, "fuzz_eval_input: %zu values for %zu input scalars\n", values.size(),
                   c.prog.num_input_scalars());
      std::abort();
    }
    std::string json = eval_json(c, evaluate(c.prog.graph, values));
  }
  return 0;
}
