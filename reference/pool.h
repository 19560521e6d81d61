// Naive pooling oracles: one output element at a time, written from TFLite's documented semantics.
#pragma once

#include "kernels/pool.h"

namespace qgate::reference {

using kernels::Nhwc;
using kernels::Pool2DParams;

void max_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape, float* out);
void average_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                    float* out);
void max_pool2d_with_argmax(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                            float* out, float* indices_f32, int32_t* indices_i32);
void max_unpool2d(const Nhwc& in_shape, const float* in, const float* indices_f32, const int32_t* indices_i32,
                  const Nhwc& out_shape, float* out);

}  // namespace qgate::reference
