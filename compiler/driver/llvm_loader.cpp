// llvm_loader.cpp - dlopen the runtime library for its LLVM backend.
#include "driver/llvm_loader.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace gradc {
namespace {

struct Loaded {
  const LlvmBackend* backend = nullptr;
  std::string error;
};

// Where the library may be, in order.
std::vector<std::string> candidates() {
  if (const char* path = std::getenv("GRADC_RUNTIME_LIBRARY"); path && *path) return {path};
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {GRADC_RUNTIME_SONAME};  // the dynamic linker's search path
  std::filesystem::path dir = exe.parent_path();
  return {(dir / GRADC_RUNTIME_SONAME).string(),
          (dir / GRADC_RUNTIME_FROM_BINDIR / GRADC_RUNTIME_SONAME).lexically_normal().string()};
}

Loaded load() {
  Loaded r;
  std::string tried;
  for (const std::string& path : candidates()) {
    // RTLD_LOCAL: the library's copy of gradc stays apart from the command's.
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      tried += fmt::format("\n  {}", why ? why : path + ": cannot be opened");
      continue;
    }
    auto entry = reinterpret_cast<LlvmBackendEntry>(dlsym(lib, kLlvmBackendSymbol));
    r.backend = entry ? entry(llvm_backend_tag().c_str()) : nullptr;
    if (r.backend) return r;
    tried += fmt::format(
        "\n  {}: not gradc's runtime library, or one from another build of gradc", path);
    dlclose(lib);
  }
  r.error = fmt::format(
      "LLVM output (.ll, .bc, .o) and the JIT of --eval and --check need gradc's runtime "
      "library {}, which could not be loaded:{}",
      GRADC_RUNTIME_SONAME, tried);
  return r;
}

}  // namespace

const LlvmBackend* load_llvm_backend(std::string& error) {
  static const Loaded loaded = load();  // thread-safe, once
  error = loaded.error;
  return loaded.backend;
}

}  // namespace gradc
