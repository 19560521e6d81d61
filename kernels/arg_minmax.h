// ARG_MAX / ARG_MIN (ONNX ArgMax, ArgMin) over one axis of a tensor viewed as [outer, axis, inner].
#pragma once

#include <cstdint>

namespace qgate::kernels {

enum class ArgOp : uint8_t { max, min };

// Geometry of a reduction along one axis: the tensor reads as [outer, axis, inner].
struct AxisShape {
  int64_t outer = 1, axis = 1, inner = 1;
};

// out[o * inner + i] = the position along the axis of the largest (ArgOp::max) or smallest value of in[o, :, i];
// of equal values the first, or the last when select_last_index. A NaN never beats a number, and a NaN in the
// first position stays selected only when nothing beats it (comparisons with NaN are false). Exactly one of
// out64 / out32 is non-null. axis must be >= 1.
void arg_minmax(ArgOp op, const AxisShape& s, const float* in, bool select_last_index, int64_t* out64,
                int32_t* out32);
void arg_minmax(ArgOp op, const AxisShape& s, const int32_t* in, bool select_last_index, int64_t* out64,
                int32_t* out32);
void arg_minmax(ArgOp op, const AxisShape& s, const int64_t* in, bool select_last_index, int64_t* out64,
                int32_t* out32);

}  // namespace qgate::kernels
