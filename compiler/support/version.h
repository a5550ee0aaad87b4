// version.h - the gradc version string.
#pragma once

namespace gradc {
inline constexpr const char* kVersion = "0.1.0";
}
