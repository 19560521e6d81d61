#include "kernels/depthwise_conv2d_hybrid.h"

#include <algorithm>
#include <cstring>

#include "kernels/parallel.h"
#include "kernels/quantize.h"

namespace qgate::kernels {

namespace {

constexpr int32_t kChannelChunk = 64;  // int32 accumulators kept on the stack per pass

void row_portable(const DepthwiseConv2DParams& p, HybridConvEpilogue epilogue, const int8_t* filter,
                  const float* weight_scales, const float* bias, const int8_t* q, int32_t zp, float s_in,
                  float* output, int32_t b, int32_t oh, int32_t* acc_out) {
  const int32_t out_c = p.out_c();
  const int32_t dm = p.depth_multiplier;
  int32_t acc[kChannelChunk];
  for (int32_t ow = 0; ow < p.out_w; ++ow) {
    const int64_t pixel = (int64_t{b} * p.out_h + oh) * p.out_w + ow;
    float* out = output + pixel * out_c;
    for (int32_t c0 = 0; c0 < out_c; c0 += kChannelChunk) {
      const int32_t cn = std::min(kChannelChunk, out_c - c0);
      std::fill(acc, acc + cn, 0);
      for (int32_t kh = 0; kh < p.kernel_h; ++kh) {
        const int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
        if (ih < 0 || ih >= p.in_h) continue;
        for (int32_t kw = 0; kw < p.kernel_w; ++kw) {
          const int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
          if (iw < 0 || iw >= p.in_w) continue;
          const int8_t* in = q + ((int64_t{b} * p.in_h + ih) * p.in_w + iw) * p.in_c;
          const int8_t* w = filter + (int64_t{kh} * p.kernel_w + kw) * out_c + c0;
          for (int32_t j = 0; j < cn; ++j) acc[j] += int32_t{w[j]} * (int32_t{in[(c0 + j) / dm]} - zp);
        }
      }
      hybrid_conv_output_row(epilogue, acc, cn, s_in, weight_scales + c0, bias ? bias + c0 : nullptr, out + c0);
      if (acc_out) std::memcpy(acc_out + pixel * out_c + c0, acc, sizeof(int32_t) * static_cast<size_t>(cn));
    }
    apply_activation(p.activation, out, out_c);
  }
}

}  // namespace

void DepthwiseConv2DHybridScratch::reserve(const DepthwiseConv2DParams& p) {
  q.resize(static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.in_c));
  input_scales.resize(static_cast<size_t>(p.batch));
  zero_points.resize(static_cast<size_t>(p.batch));
}

void depthwise_conv2d_hybrid(const DepthwiseConv2DParams& p, HybridConvEpilogue epilogue, const int8_t* filter,
                             const float* weight_scales, const float* bias, const float* input, float* output,
                             DepthwiseConv2DHybridScratch& s, SimdPath path, int32_t* acc_out,
                             HybridInputQuantization input_quantization) {
  const int64_t rows = int64_t{p.batch} * p.out_h;
  if (rows <= 0 || p.out_w <= 0 || p.out_c() <= 0) return;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  if (input_quantization == HybridInputQuantization::ort_u8_tensor) {
    quantize_tensor_ort_s8(input, p.batch * image, s.q.data(), &s.input_scales[0], &s.zero_points[0], path);
    std::fill(s.input_scales.begin() + 1, s.input_scales.begin() + p.batch, s.input_scales[0]);
    std::fill(s.zero_points.begin() + 1, s.zero_points.begin() + p.batch, s.zero_points[0]);
  }
  for (int32_t b = 0; b < p.batch && input_quantization != HybridInputQuantization::ort_u8_tensor; ++b)
    quantize_row_asymmetric(input + b * image, image, s.q.data() + b * image, &s.input_scales[b], &s.zero_points[b],
                            path);

  const bool avx2 = resolve_path(path) == SimdPath::avx2 && p.depth_multiplier == 1;
  const int64_t work_per_row = int64_t{p.out_w} * p.out_c() * p.kernel_h * p.kernel_w;
  const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, work_per_row));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const auto b = static_cast<int32_t>(r / p.out_h), oh = static_cast<int32_t>(r % p.out_h);
      const int8_t* q = s.q.data();
      if (avx2)
        detail::depthwise_conv2d_hybrid_row_avx2(p, epilogue, filter, weight_scales, bias, q, s.zero_points[b],
                                                 s.input_scales[b], output, b, oh, acc_out);
      else
        row_portable(p, epilogue, filter, weight_scales, bias, q, s.zero_points[b], s.input_scales[b], output, b,
                     oh, acc_out);
    }
  });
}

}  // namespace qgate::kernels
