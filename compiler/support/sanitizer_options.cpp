// sanitizer_options.cpp - AddressSanitizer's defaults for gradc's sanitized
// builds (-DGRADC_SANITIZE=ON), compiled into the executables only.
//
// intercept_tls_get_addr=0: up to GCC 13 and LLVM 16, the sanitizer
// runtime's __tls_get_addr interceptor takes a dynamic TLS block whose
// address is 16 mod 4096 for one with a pre-2.25 glibc header and reads
// the words before it as a range; LeakSanitizer's tracer then faults at
// exit ("Tracer caught signal 11"), a failure with no leak in it, rare and
// at random. Dynamic TLS blocks come from dlopen'd libraries with
// thread_local data: the gradc command opens libgradc_runtime and libLLVM
// so. Leak checking itself stays on.
// Exported: the sanitizer runtime looks it up dynamically.
extern "C" __attribute__((visibility("default"), used)) const char* __asan_default_options() {
  return "intercept_tls_get_addr=0";
}
