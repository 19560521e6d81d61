#include "kernels/depthwise_conv2d.h"

#include <algorithm>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

void row_portable(const DepthwiseConv2DParams& p, const float* input, const float* filter, const float* bias,
                  float* output, int32_t b, int32_t oh) {
  const int32_t out_c = p.out_c();
  const int32_t dm = p.depth_multiplier;
  const bool xnnpack = p.accumulation == FloatAccumulation::xnnpack_wasm;
  // Adds tap t (reading input pixel `pixel`) into the outputs `out`.
  auto add_tap = [&](float* out, int64_t t, int64_t pixel) {
    const float* in = input + pixel * p.in_c;
    const float* w = filter + t * out_c;
    if (dm == 1) {
      for (int32_t c = 0; c < out_c; ++c) {
        const float product = in[c] * w[c];  // rounded on its own (no FMA contraction in this file)
        out[c] += product;
      }
    } else {
      // Output channel ic * dm + j reads input channel ic: loop over ic outside, no division per element.
      for (int32_t ic = 0; ic < p.in_c; ++ic) {
        const float v = in[ic];
        float* o = out + int64_t{ic} * dm;
        const float* wc = w + int64_t{ic} * dm;
        for (int32_t j = 0; j < dm; ++j) {
          const float product = v * wc[j];
          o[j] += product;
        }
      }
    }
  };
  for (int32_t ow = 0; ow < p.out_w; ++ow) {
    float* out = output + ((int64_t{b} * p.out_h + oh) * p.out_w + ow) * out_c;
    if (xnnpack) {
      // XNNPACK: the bias first, then the taps column by column; a padded tap adds 0, which changes nothing.
      if (bias) std::copy(bias, bias + out_c, out);
      else std::fill(out, out + out_c, 0.0f);
      for_each_in_image_tap(p, b, oh, ow, [&](int64_t t, int64_t pixel) { add_tap(out, t, pixel); }, true);
      for (int32_t c = 0; c < out_c; ++c) out[c] = apply_activation(p.activation, out[c]);
      continue;
    }
    std::fill(out, out + out_c, 0.0f);
    for_each_in_image_tap(p, b, oh, ow, [&](int64_t t, int64_t pixel) { add_tap(out, t, pixel); });
    for (int32_t c = 0; c < out_c; ++c) {
      float v = out[c];
      if (bias) v += bias[c];
      out[c] = apply_activation(p.activation, v);
    }
  }
}

}  // namespace

void depthwise_conv2d_float(const DepthwiseConv2DParams& p, const float* input, const float* filter,
                            const float* bias, float* output, SimdPath path) {
  const int64_t rows = int64_t{p.batch} * p.out_h;
  if (rows <= 0 || p.out_w <= 0 || p.out_c() <= 0) return;
  // The vector loop covers depth_multiplier 1 (every MediaPipe model); others take the portable loop.
  const bool avx2 = resolve_path(path) == SimdPath::avx2 && p.depth_multiplier == 1;
  const int64_t work_per_row = int64_t{p.out_w} * p.out_c() * p.kernel_h * p.kernel_w;
  const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, work_per_row));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const auto b = static_cast<int32_t>(r / p.out_h), oh = static_cast<int32_t>(r % p.out_h);
      if (avx2)
        detail::depthwise_conv2d_row_avx2(p, input, filter, bias, output, b, oh);
      else
        row_portable(p, input, filter, bias, output, b, oh);
    }
  });
}

}  // namespace qgate::kernels
