// Attribute readers shared by the convolution-family ops; each fails with the node, the field and the value.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "harness/op.h"
#include "kernels/activation.h"
#include "kernels/conv2d.h"

namespace qgate::ops {

// "padding": SAME (0) -> true, VALID (1) -> false.
inline bool read_same_padding(const OpContext& ctx) {
  const int64_t v = ctx.node.attrs.get_int("padding", 0);
  if (v != 0 && v != 1) ctx.fail(fmt::format("padding is {}, expected SAME (0) or VALID (1)", v));
  return v == 0;
}

inline kernels::Activation read_activation(const OpContext& ctx) {
  const int64_t v = ctx.node.attrs.get_int("fused_activation_function", 0);
  if (v < 0 || v > 5) ctx.fail(fmt::format("fused_activation_function is {}, expected 0 to 5", v));
  return static_cast<kernels::Activation>(v);
}

// A stride or dilation factor: an integer >= 1 (absent: 1).
inline int32_t read_factor(const OpContext& ctx, const std::string& key) {
  const int64_t v = ctx.node.attrs.get_int(key, 1);
  if (v < 1 || v > (1 << 20)) ctx.fail(fmt::format("{} is {}, expected a positive integer", key, v));
  return static_cast<int32_t>(v);
}

inline void expect_constant(const OpContext& ctx, size_t i, const char* what) {
  if (!ctx.in(i).is_constant)
    ctx.fail(fmt::format("{} (input {}, '{}') must be a constant tensor", what, i, ctx.in(i).name));
}

// Optional bias (input i): absent, or float32 [channels].
inline const float* read_bias(const OpContext& ctx, size_t i, int64_t channels) {
  if (!ctx.has_input(i)) return nullptr;
  ctx.expect_input(i, DType::f32, 1);
  if (ctx.in(i).shape[0] != channels)
    ctx.fail(fmt::format("bias has {} elements, expected {} (one per output channel)", ctx.in(i).shape[0], channels));
  return ctx.in(i).as<float>();
}

// The common checks of CONV_2D and DEPTHWISE_CONV_2D: 2 or 3 inputs, a float NHWC input, a constant rank-4
// filter that is float32 or int8. Returns true when the filter is int8 (the hybrid path).
inline bool expect_conv_inputs(const OpContext& ctx) {
  ctx.expect_arity(2, 3, 1);
  ctx.expect_input(0, DType::f32, 4);
  const bool hybrid = ctx.in(1).dtype == DType::i8;
  ctx.expect_input(1, hybrid ? DType::i8 : DType::f32, 4);
  expect_constant(ctx, 1, "filter");
  return hybrid;
}

// Shape inference of a window op (CONV_2D, DEPTHWISE_CONV_2D, the pools) over an NHWC input 0: output
// [batch, out_h, out_w, channels], a spatial size unknown where the input's is symbolic, the batch's symbol kept.
// `dilated`: the op has dilation_h_factor / dilation_w_factor.
inline void infer_window_output(OpContext& ctx, int32_t kernel_h, int32_t kernel_w, int32_t channels, bool dilated) {
  const Shape& in = ctx.in(0).shape;
  if (in.size() != 4) ctx.fail(fmt::format("input '{}' has shape {}, expected rank 4 (NHWC)", ctx.in(0).name,
                                            shape_string(in)));
  const bool same = read_same_padding(ctx);
  const int32_t sh = read_factor(ctx, "stride_h"), sw = read_factor(ctx, "stride_w");
  const int32_t dh = dilated ? read_factor(ctx, "dilation_h_factor") : 1;
  const int32_t dw = dilated ? read_factor(ctx, "dilation_w_factor") : 1;
  auto out = [&](int32_t d, int32_t k, int32_t s, int32_t dil) {
    return d < 0 ? kUnknownDim : kernels::conv_output_size(d, k, s, dil, same);
  };
  ctx.out(0).dtype = DType::f32;
  ctx.out(0).shape = {in[0], out(in[1], kernel_h, sh, dh), out(in[2], kernel_w, sw, dw), channels};
}

// The window of a CONV_2D / DEPTHWISE_CONV_2D node whose input and kernel sizes are already in p: padding, strides,
// dilations and the fused activation read from the attributes, then the output size and the padding before by
// TFLite's SAME / VALID rule. Fails when the filter does not fit the input under VALID padding.
template <typename ConvParams>
void read_conv_window(const OpContext& ctx, ConvParams& p) {
  const bool same = read_same_padding(ctx);
  p.stride_h = read_factor(ctx, "stride_h");
  p.stride_w = read_factor(ctx, "stride_w");
  p.dilation_h = read_factor(ctx, "dilation_h_factor");
  p.dilation_w = read_factor(ctx, "dilation_w_factor");
  p.activation = read_activation(ctx);
  p.out_h = kernels::conv_output_size(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, same);
  p.out_w = kernels::conv_output_size(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, same);
  if (p.out_h <= 0 || p.out_w <= 0)
    ctx.fail(fmt::format("a {}x{} filter (dilation {}x{}) does not fit the {}x{} input with VALID padding",
                         p.kernel_h, p.kernel_w, p.dilation_h, p.dilation_w, p.in_h, p.in_w));
  p.pad_top = kernels::conv_pad_before(p.in_h, p.out_h, p.kernel_h, p.stride_h, p.dilation_h, same);
  p.pad_left = kernels::conv_pad_before(p.in_w, p.out_w, p.kernel_w, p.stride_w, p.dilation_w, same);
}

}  // namespace qgate::ops
