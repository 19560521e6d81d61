// CAST between float32, int32, int64, uint8, int8 and bool (one byte, 0 or 1).
// Float -> integer truncates toward zero and saturates at the target's range (NaN -> 0), where C++'s
// static_cast would be undefined; integer -> narrower integer wraps modulo 2^bits (what static_cast and TFLite
// do); anything -> bool is `x != 0`; bool -> anything is 0 or 1.
#pragma once

#include <cstdint>

namespace qgate::kernels {

enum class CastType : uint8_t { f32, i32, i64, u8, i8, boolean };

void cast(CastType from, const void* in, CastType to, void* out, int64_t n);

}  // namespace qgate::kernels
