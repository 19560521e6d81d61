// TOPK_V2 (ONNX TopK) along one axis of a tensor viewed as [outer, axis, inner] (kernels/arg_minmax.h's
// AxisShape): the k largest (or smallest) values of every line, sorted, with their positions.
#pragma once

#include <cstdint>

#include "kernels/arg_minmax.h"

namespace qgate::kernels {

// values[o, j, i] and indices[o, j, i] (j < k) hold the j-th largest (largest) or smallest value of in[o, :, i]
// and its position; equal values keep their order along the axis (the lower position first), as ONNX specifies.
// NaN counts as larger than every number (numpy's sort order), so it comes first among the largest.
// `scratch` holds s.axis int64 values. k <= s.axis.
void topk(const AxisShape& s, int64_t k, bool largest, const float* in, float* values, int64_t* indices,
          int64_t* scratch);
void topk(const AxisShape& s, int64_t k, bool largest, const int64_t* in, int64_t* values, int64_t* indices,
          int64_t* scratch);

}  // namespace qgate::kernels
