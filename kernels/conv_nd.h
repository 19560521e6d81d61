// Convolution and transposed convolution over channels-first tensors with 1 to 3 spatial dims (ONNX's layout:
// [N, C, D, H, W] and its shorter forms), groups, strides, dilations and asymmetric zero padding. Portable direct
// loops: the 2-D convolutions of exported models run NHWC through kernels/conv2d.h (and quantize); these serve the
// 3-D ones and the transposed forms TFLite's TRANSPOSE_CONV cannot express.
#pragma once

#include <array>
#include <cstdint>

namespace qgate::kernels {

constexpr int kMaxConvSpatial = 3;

struct ConvNdParams {
  int spatial = 2;  // 1..3; unused trailing entries of the arrays are 1 (sizes) or 0 (pads)
  int64_t batch = 1, in_channels = 1, out_channels = 1, groups = 1;
  std::array<int64_t, kMaxConvSpatial> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1},
      dilation{1, 1, 1}, pad_begin{0, 0, 0};
};

// y[n, co, o...] = bias[co] + sum over the group's input channels ci and taps k... of
// x[n, ci, o * stride - pad_begin + k * dilation] * w[co, ci % (in_channels / groups), k...], taps outside the
// input being zero. w is [out_channels, in_channels / groups, kernel...]; bias may be null. Float accumulation,
// taps in order.
void conv_nd(const ConvNdParams& p, const float* x, const float* w, const float* bias, float* y);

// The transpose (the gradient of conv_nd with respect to its input): y starts at bias; every input element adds
// x[n, ci, i...] * w[ci, co % (out_channels / groups), k...] into y[n, co, i * stride - pad_begin + k * dilation]
// where that lies inside y. w is [in_channels, out_channels / groups, kernel...].
void conv_transpose_nd(const ConvNdParams& p, const float* x, const float* w, const float* bias, float* y);

}  // namespace qgate::kernels
