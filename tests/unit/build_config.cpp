// build_config.cpp - the values of build_config.h, from the definitions
// tests/CMakeLists.txt gives this file only.
#include "build_config.h"

namespace gradc_test {

const char* const kGradcBinary = GRADC_BINARY;

#if defined(GRADC_TEST_SANITIZED)
const bool kSanitized = true;
#else
const bool kSanitized = false;
#endif

}  // namespace gradc_test
