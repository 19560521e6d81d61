// Float transposed convolution, NHWC input, OHWI filter (TFLite TRANSPOSE_CONV and MediaPipe's
// Convolution2DTransposeBias): input pixel (ih, iw) adds input[ih][iw][:] . filter[oc][kh][kw][:] to output
// (ih * stride_h - pad_top + kh, iw * stride_w - pad_left + kw).
//
// Method: one GEMM per image gives every input pixel's contribution to each (kh, kw, oc) (scratch); each output
// pixel then gathers the contributions that land on it, in (kh, kw) order, so threads never write the same
// element and results do not depend on the thread count.
#pragma once

#include <cstdint>

#include "kernels/activation.h"
#include "kernels/gemm.h"

namespace qgate::kernels {

struct TransposeConv2DParams {
  int32_t batch = 1, in_h = 1, in_w = 1, in_c = 1;  // input [batch, in_h, in_w, in_c]
  int32_t out_h = 1, out_w = 1, out_c = 1;         // output [batch, out_h, out_w, out_c]
  int32_t kernel_h = 1, kernel_w = 1;              // filter [out_c, kernel_h, kernel_w, in_c]
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  Activation activation = Activation::none;
};

// Padding before, TFLite's rule: SAME: max((in - 1) * stride + kernel - out, 0) / 2; VALID: 0.
int32_t transpose_conv_pad_before(int32_t in, int32_t out, int32_t kernel, int32_t stride, bool same_padding);

// Columns (kh, kw, oc) of depth in_c.
PackedMatrix pack_transpose_conv2d_weights(const TransposeConv2DParams& p, const float* filter);

// Floats of scratch transpose_conv2d_float needs (one image's contributions; shared by all threads).
int64_t transpose_conv2d_scratch_size(const TransposeConv2DParams& p);

// output = act(transpose_conv(input, filter) + bias); bias may be nullptr.
void transpose_conv2d_float(const TransposeConv2DParams& p, const PackedMatrix& w, const float* input,
                            const float* bias, float* output, float* scratch, SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
