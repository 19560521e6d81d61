#include "reference/conv2d_hybrid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "reference/quantize.h"

namespace qgate::reference {

namespace {

int32_t checked_int32(int64_t v, const char* what) {
  if (v < INT32_MIN || v > INT32_MAX) {
    std::fprintf(stderr, "reference::%s: accumulator %lld does not fit int32\n", what, static_cast<long long>(v));
    std::abort();
  }
  return static_cast<int32_t>(v);
}

float epilogue(kernels::HybridConvEpilogue e, int32_t acc, float s_in, float s_w, const float* bias, int n) {
  const float b = bias ? bias[n] : 0.0f;
  const float a = static_cast<float>(acc);
  switch (e) {
    case kernels::HybridConvEpilogue::scale_product: {
      const float scale = s_in * s_w;  // f32(s_in * s_w) first
      const float prod = a * scale;
      return prod + b;
    }
    case kernels::HybridConvEpilogue::left_to_right: {
      const float with_weight_scale = a * s_w;
      const float prod = with_weight_scale * s_in;
      return prod + b;
    }
    case kernels::HybridConvEpilogue::xnnpack_qd8: {
      const float with_input_scale = a * s_in;
      const float prod = with_input_scale * s_w;
      return prod + b;
    }
  }
  std::abort();
}

// onnxruntime's DynamicQuantizeLinear over all n values (ONNX spec arithmetic in float32, half to even), stored as
// int8 q - 128 with zero point zp - 128: one scale and zero point for the whole batch.
void quantize_ort_batch(int64_t n, const float* x, float* scale, int32_t* zero_point, int8_t* q) {
  float mn = 0.0f, mx = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    mn = std::min(mn, x[i]);
    mx = std::max(mx, x[i]);
  }
  const float s = mx == mn ? 1.0f : (mx - mn) / 255.0f;
  const float zp = std::nearbyint(std::clamp(0.0f - mn / s, 0.0f, 255.0f));
  for (int64_t i = 0; i < n; ++i) {
    const float y = std::clamp(x[i] / s, -zp, 255.0f - zp);  // clamped first: the rounding cannot leave [0, 255]
    q[i] = static_cast<int8_t>(static_cast<int32_t>(std::nearbyint(y) + zp) - 128);
  }
  *scale = s;
  *zero_point = static_cast<int32_t>(zp) - 128;
}

void quantize_images(int32_t batch, int64_t image, kernels::HybridInputQuantization mode, const float* input,
                     HybridConvTaps& t) {
  const bool asymmetric = mode == kernels::HybridInputQuantization::asymmetric_rows;
  t.q.assign(static_cast<size_t>(batch * image), 0);
  t.input_scales.assign(static_cast<size_t>(batch), 0.0f);
  t.zero_points.assign(static_cast<size_t>(batch), 0);
  if (mode == kernels::HybridInputQuantization::ort_u8_tensor) {
    float s = 0.0f;
    int32_t zp = 0;
    quantize_ort_batch(batch * image, input, &s, &zp, t.q.data());
    t.input_scales.assign(static_cast<size_t>(batch), s);
    t.zero_points.assign(static_cast<size_t>(batch), zp);
    return;
  }
  for (int32_t b = 0; b < batch; ++b) {
    if (mode == kernels::HybridInputQuantization::xnnpack_rows)
      quantize_row_xnnpack(input + b * image, image, t.q.data() + b * image, &t.input_scales[b], &t.zero_points[b]);
    else if (asymmetric)
      quantize_row_asymmetric(input + b * image, image, t.q.data() + b * image, &t.input_scales[b], &t.zero_points[b]);
    else
      quantize_row_symmetric(input + b * image, image, t.q.data() + b * image, &t.input_scales[b]);
  }
}

}  // namespace

void conv2d_hybrid(const kernels::Conv2DParams& p, const kernels::Conv2DHybridParams& h, const int8_t* filter,
                   const float* weight_scales, int32_t scale_count, const float* input, const float* bias,
                   float* output, HybridConvTaps* taps) {
  HybridConvTaps local;
  HybridConvTaps& t = taps ? *taps : local;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  quantize_images(p.batch, image, h.input_quantization, input, t);
  t.acc.assign(static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * p.out_c), 0);
  const int cin_g = p.in_c / p.groups;
  const int cout_g = p.out_c / p.groups;
  for (int b = 0; b < p.batch; ++b)
    for (int oh = 0; oh < p.out_h; ++oh)
      for (int ow = 0; ow < p.out_w; ++ow)
        for (int oc = 0; oc < p.out_c; ++oc) {
          const int g = oc / cout_g;
          int64_t acc = 0;
          for (int kh = 0; kh < p.kernel_h; ++kh)
            for (int kw = 0; kw < p.kernel_w; ++kw) {
              const int ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
              const int iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
              if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;
              for (int ic = 0; ic < cin_g; ++ic) {
                const int64_t q = t.q[static_cast<size_t>(((int64_t{b} * p.in_h + ih) * p.in_w + iw) * p.in_c +
                                                          g * cin_g + ic)];
                const int64_t w = filter[((int64_t{oc} * p.kernel_h + kh) * p.kernel_w + kw) * cin_g + ic];
                acc += w * (q - t.zero_points[b]);
              }
            }
          const int64_t o = ((int64_t{b} * p.out_h + oh) * p.out_w + ow) * p.out_c + oc;
          const int32_t acc32 = checked_int32(acc, "conv2d_hybrid");
          t.acc[static_cast<size_t>(o)] = acc32;
          const float v = epilogue(h.epilogue, acc32, t.input_scales[b], weight_scales[scale_count > 1 ? oc : 0],
                                   bias, oc);
          output[o] = kernels::apply_activation(p.activation, v);
        }
}

void depthwise_conv2d_hybrid(const kernels::DepthwiseConv2DParams& p, kernels::HybridConvEpilogue e,
                             const int8_t* filter, const float* weight_scales, int32_t scale_count,
                             const float* bias, const float* input, float* output, HybridConvTaps* taps,
                             kernels::HybridInputQuantization input_quantization) {
  HybridConvTaps local;
  HybridConvTaps& t = taps ? *taps : local;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  quantize_images(p.batch, image, input_quantization, input, t);
  const int out_c = p.out_c();
  t.acc.assign(static_cast<size_t>(int64_t{p.batch} * p.out_h * p.out_w * out_c), 0);
  for (int b = 0; b < p.batch; ++b)
    for (int oh = 0; oh < p.out_h; ++oh)
      for (int ow = 0; ow < p.out_w; ++ow)
        for (int ic = 0; ic < p.in_c; ++ic)
          for (int m = 0; m < p.depth_multiplier; ++m) {
            const int oc = ic * p.depth_multiplier + m;
            int64_t acc = 0;
            for (int kh = 0; kh < p.kernel_h; ++kh)
              for (int kw = 0; kw < p.kernel_w; ++kw) {
                const int ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
                const int iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
                if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;  // padded taps skipped
                const int64_t q = t.q[static_cast<size_t>(((int64_t{b} * p.in_h + ih) * p.in_w + iw) * p.in_c + ic)];
                const int64_t w = filter[(int64_t{kh} * p.kernel_w + kw) * out_c + oc];
                acc += w * (q - t.zero_points[b]);
              }
            const int64_t o = ((int64_t{b} * p.out_h + oh) * p.out_w + ow) * out_c + oc;
            const int32_t acc32 = checked_int32(acc, "depthwise_conv2d_hybrid");
            t.acc[static_cast<size_t>(o)] = acc32;
            const float v = epilogue(e, acc32, t.input_scales[b], weight_scales[scale_count > 1 ? oc : 0], bias, oc);
            output[o] = kernels::apply_activation(p.activation, v);
          }
}

}  // namespace qgate::reference
