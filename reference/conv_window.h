// What the NHWC convolution twins (reference/conv2d, conv2d_hybrid, depthwise_conv2d, depthwise_conv2d_hybrid)
// share: the output loop, and which input pixel a tap reads, from the convolution's definition: ih = oh * stride_h - pad_top +
// kh * dilation_h (iw alike); a tap outside the image reads padding.
#pragma once

#include <cstdint>

namespace qgate::reference {

// Calls f(b, oh, ow, oc, o) for every element of an NHWC output [batch, out_h, out_w, out_c] in memory order, o
// being its index.
template <typename F>
void for_each_output(int batch, int out_h, int out_w, int out_c, F f) {
  int64_t o = 0;
  for (int b = 0; b < batch; ++b)
    for (int oh = 0; oh < out_h; ++oh)
      for (int ow = 0; ow < out_w; ++ow)
        for (int oc = 0; oc < out_c; ++oc) f(b, oh, ow, oc, o++);
}

// (b * in_h + ih) * in_w + iw, the NHWC pixel tap (kh, kw) of output (b, oh, ow) reads, or -1 when the tap falls
// in the padding (it contributes nothing).
template <typename ConvParams>
int64_t tap_pixel(const ConvParams& p, int64_t b, int64_t oh, int64_t ow, int64_t kh, int64_t kw) {
  const int64_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
  const int64_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
  if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) return -1;
  return (b * p.in_h + ih) * p.in_w + iw;
}

}  // namespace qgate::reference
