// 2-D pooling over NHWC float tensors, with TFLite semantics: a window's cells that fall in the padding are
// skipped (average pooling divides by the number of real cells), and the fused activation clamps the result.
// Also MediaPipe's MaxPoolingWithArgmax2D and MaxUnpooling2D.
#pragma once

#include <cstdint>

#include "kernels/activation.h"
#include "kernels/cpu_features.h"

namespace qgate::kernels {

// Dimensions of an NHWC tensor.
struct Nhwc {
  int32_t n = 0, h = 0, w = 0, c = 0;
  int64_t elements() const { return int64_t{n} * h * w * c; }
};

struct Pool2DParams {
  int32_t stride_h = 1, stride_w = 1;
  int32_t filter_h = 1, filter_w = 1;
  int32_t pad_top = 0, pad_left = 0;  // the bottom/right padding is implied by the output size
  Activation activation = Activation::none;
};

// TFLite's output size and leading padding for one spatial dimension (padding: SAME = 0, VALID = 1).
// out = ceil(in / stride) (SAME) or ceil((in - filter + 1) / stride) (VALID), which may be <= 0;
// pad = max(0, ((out - 1) * stride + filter - in) / 2).
struct PoolGeometry {
  int32_t out = 0, pad = 0;
};
PoolGeometry pool_geometry(int32_t in, int32_t filter, int32_t stride, int padding);

// out[b,y,x,c] = act(max over the window's real cells). Every window must hold at least one real cell
// (true for SAME and VALID geometry).
void max_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape, float* out,
                SimdPath path = SimdPath::automatic);
// out[b,y,x,c] = act(sum / count) over the window's real cells.
void average_pool2d(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                    float* out, SimdPath path = SimdPath::automatic);

// Max pooling that also writes, per output element, the flat index within its image of the first (row-major
// window order) maximal input: (y * W + x) * C + c. Exactly one of indices_f32 / indices_i32 is non-null.
// The fused activation is applied to the values only.
void max_pool2d_with_argmax(const Pool2DParams& p, const Nhwc& in_shape, const float* in, const Nhwc& out_shape,
                            float* out, float* indices_f32, int32_t* indices_i32);

// Zeroes `out`, then writes each input value at its index within its image (the batch offset is added);
// indices outside [0, out_h * out_w * out_c) are skipped. When two values share an index the later one in
// row-major input order wins. Exactly one of indices_f32 / indices_i32 is non-null; float indices are
// truncated to integers.
void max_unpool2d(const Nhwc& in_shape, const float* in, const float* indices_f32, const int32_t* indices_i32,
                  const Nhwc& out_shape, float* out);

namespace detail {
// Channel loops of the AVX2 path (pool_avx2.cpp); results equal the scalar loops bit for bit.
void max_into_avx2(float* acc, const float* x, int64_t n);
void add_into_avx2(float* acc, const float* x, int64_t n);
void scale_clamp_avx2(float* x, int64_t n, float scale_num, float lo, float hi, bool divide);
}  // namespace detail

}  // namespace qgate::kernels
