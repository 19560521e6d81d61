// Naive resize oracles, one output element at a time, with TFLite's coordinate formulas restated inline.
#pragma once

#include <cstddef>

#include "kernels/resize.h"

namespace qgate::reference {

void resize_bilinear(const kernels::ResizeParams& p, const kernels::Nhwc& in_shape, const float* in,
                     const kernels::Nhwc& out_shape, float* out);
void resize_nearest_neighbor(const kernels::ResizeParams& p, const kernels::Nhwc& in_shape, const void* in,
                             const kernels::Nhwc& out_shape, void* out, size_t elem_size);

}  // namespace qgate::reference
