// replay_main.cpp - a main() for the libFuzzer targets without libFuzzer:
// runs LLVMFuzzerTestOneInput once on every file named (a directory: every
// file in it), so any build (g++, -DGRADC_SANITIZE=ON) replays the saved
// findings in tests/fuzz/regressions/ as ctest tests.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/read_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (fs::is_directory(argv[i], ec)) {
      for (const auto& e : fs::directory_iterator(argv[i]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(argv[i], ec)) {
      files.push_back(argv[i]);
    } else {
      std::fprintf(stderr, "replay: '%s' is not a file or directory\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::string bytes;
    if (std::optional<std::string> problem = gradc::read_file(f.string(), bytes)) {
      std::fprintf(stderr, "replay: %s\n", problem->c_str());  // not an empty input
      return 2;
    }
    std::printf("replay: %s\n", f.c_str());
    std::fflush(stdout);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replay: %zu inputs, no crash\n", files.size());
  return 0;
}
