// CUMSUM (ONNX CumSum) along one axis of a tensor viewed as [outer, axis, inner] (kernels/arg_minmax.h's
// AxisShape).
#pragma once

#include <cstdint>

#include "kernels/arg_minmax.h"

namespace qgate::kernels {

// out[o, j, i] = sum of in[o, m, i] over m <= j (m < j when exclusive; m >= j, or m > j, when reverse), summed in
// the element type in the order of the walk, as onnxruntime and TFLite do. out may not alias in.
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const float* in, float* out);
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const int32_t* in, int32_t* out);
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const int64_t* in, int64_t* out);

}  // namespace qgate::kernels
