// A convolution's parameters from its geometry, for the convolution kernel tests (float and hybrid, conv and
// depthwise): output size and padding by TFLite's SAME / VALID rule (kernels/conv2d.h, checked by hand in
// conv2d_test.cpp).
#pragma once

#include "kernels/activation.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"

namespace qgate::test {

// NHWC input [batch, h, w, in_c] -> out_c channels; kernel, stride and dilation per axis (H, W).
struct ConvGeometry {
  int batch, h, w, in_c, out_c, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  bool same;
  int groups;
  kernels::Activation act;
};

template <typename Params>
void set_window(Params& p, const ConvGeometry& g) {
  p.batch = g.batch;
  p.in_h = g.h;
  p.in_w = g.w;
  p.in_c = g.in_c;
  p.kernel_h = g.kernel_h;
  p.kernel_w = g.kernel_w;
  p.stride_h = g.stride_h;
  p.stride_w = g.stride_w;
  p.dilation_h = g.dilation_h;
  p.dilation_w = g.dilation_w;
  p.activation = g.act;
  p.out_h = kernels::conv_output_size(g.h, g.kernel_h, g.stride_h, g.dilation_h, g.same);
  p.out_w = kernels::conv_output_size(g.w, g.kernel_w, g.stride_w, g.dilation_w, g.same);
  p.pad_top = kernels::conv_pad_before(g.h, p.out_h, g.kernel_h, g.stride_h, g.dilation_h, g.same);
  p.pad_left = kernels::conv_pad_before(g.w, p.out_w, g.kernel_w, g.stride_w, g.dilation_w, g.same);
}

inline kernels::Conv2DParams conv2d_params(const ConvGeometry& g) {
  kernels::Conv2DParams p;
  set_window(p, g);
  p.out_c = g.out_c;
  p.groups = g.groups;
  return p;
}

// out_c = in_c * depth multiplier; groups is ignored.
inline kernels::DepthwiseConv2DParams depthwise_params(const ConvGeometry& g) {
  kernels::DepthwiseConv2DParams p;
  set_window(p, g);
  p.depth_multiplier = g.out_c / g.in_c;
  return p;
}

}  // namespace qgate::test
