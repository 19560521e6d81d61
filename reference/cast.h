// Naive twin of kernels/cast.h, one value at a time from the definitions: every source value read as an exact
// integer (int64) or float, then written by the target's rule (bool: != 0; integer from float: NaN -> 0, truncate,
// saturate at the type's bounds; integer from integer: the low bits, two's complement; float from integer: one
// rounding of the exact value). Same signature as the kernel.
#pragma once

#include <cstdint>

#include "kernels/cast.h"

namespace qgate::reference {

void cast(kernels::CastType from, const void* in, kernels::CastType to, void* out, int64_t n);

}  // namespace qgate::reference
