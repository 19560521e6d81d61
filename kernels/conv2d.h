// Float 2-D convolution, NHWC input, OHWI filter (TFLite CONV_2D), grouped when the input has a multiple of the
// filter's input channels.
//
// Method: a GEMM per group with the filter packed once (kernels/gemm.h). A 1x1 stride-1 convolution multiplies
// the NHWC input in place; other shapes copy blocks of output pixels' receptive fields into a per-thread
// scratch (im2col, zero where the window leaves the image) and multiply those.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/gemm.h"

namespace qgate::kernels {

// Output extent of a convolution window sweep, TFLite's rule. same_padding: ceil(in / stride); valid:
// ceil((in - effective_kernel + 1) / stride), where effective_kernel = (kernel - 1) * dilation + 1. May be <= 0.
int32_t conv_output_size(int32_t in, int32_t kernel, int32_t stride, int32_t dilation, bool same_padding);
// Padding before the first element (the odd one goes after): max((out - 1) * stride + effective_kernel - in, 0) / 2
// for SAME, 0 for VALID.
int32_t conv_pad_before(int32_t in, int32_t out, int32_t kernel, int32_t stride, int32_t dilation,
                        bool same_padding);

struct Conv2DParams {
  int32_t batch = 1, in_h = 1, in_w = 1, in_c = 1;  // input [batch, in_h, in_w, in_c]
  int32_t out_h = 1, out_w = 1, out_c = 1;         // output [batch, out_h, out_w, out_c]
  int32_t kernel_h = 1, kernel_w = 1;              // filter [out_c, kernel_h, kernel_w, in_c / groups]
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;               // input index of output 0 is -pad (bottom/right implied)
  int32_t groups = 1;                              // divides in_c and out_c
  Activation activation = Activation::none;
  // Float path only. xnnpack_wasm: XNNPACK's wasm igemm order, bias then taps (kh, kw) then input channels, each
  // product rounded (padding taps add 0); see kernels/gemm.h.
  FloatAccumulation accumulation = FloatAccumulation::fma_bias_last;
};

// The filter packed for conv2d_float: one packed matrix per group.
struct PackedConv2DWeights {
  std::vector<PackedMatrix> groups;
};

PackedConv2DWeights pack_conv2d_weights(const Conv2DParams& p, const float* filter);

// Floats of scratch one thread slot needs (0 for the 1x1 stride-1 case).
int64_t conv2d_scratch_size(const Conv2DParams& p);

// output = act(conv(input, filter) + bias). bias may be nullptr. `scratch` holds scratch_slots *
// conv2d_scratch_size(p) floats; work is split into scratch_slots parts run over the thread pool (use
// num_threads() slots). Results do not depend on the number of slots or threads.
void conv2d_float(const Conv2DParams& p, const PackedConv2DWeights& w, const float* input, const float* bias,
                  float* output, float* scratch, int scratch_slots, SimdPath path = SimdPath::automatic);

}  // namespace qgate::kernels
