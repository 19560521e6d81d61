#include "kernels/depthwise_conv2d_hybrid.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

constexpr int32_t kChannelChunk = 64;  // int32 accumulators kept on the stack per pass

void row_portable(const DepthwiseConv2DParams& p, HybridEpilogue epilogue, const PackedDepthwiseConv2DInt8Weights& w,
                  const float* bias, const int8_t* q, int32_t zp, float s_in, float* output, int32_t b, int32_t oh,
                  int32_t* acc_out) {
  const int32_t out_c = p.out_c();
  const int32_t dm = p.depth_multiplier;
  int32_t acc[kChannelChunk];
  for (int32_t ow = 0; ow < p.out_w; ++ow) {
    const int64_t pixel = (int64_t{b} * p.out_h + oh) * p.out_w + ow;
    float* out = output + pixel * out_c;
    for (int32_t c0 = 0; c0 < out_c; c0 += kChannelChunk) {
      const int32_t cn = std::min(kChannelChunk, out_c - c0);
      std::fill(acc, acc + cn, 0);
      for_each_in_image_tap(p, b, oh, ow, [&](int64_t t, int64_t pixel) {
        const int8_t* in = q + pixel * p.in_c;
        const int8_t* f = w.filter.data() + t * out_c + c0;
        for (int32_t j = 0; j < cn; ++j) acc[j] += int32_t{f[j]} * (int32_t{in[(c0 + j) / dm]} - zp);
      });
      hybrid_epilogue_row(epilogue, acc, cn, s_in, w.scales.data() + c0, bias ? bias + c0 : nullptr, out + c0);
      if (acc_out) std::memcpy(acc_out + pixel * out_c + c0, acc, sizeof(int32_t) * static_cast<size_t>(cn));
    }
    apply_activation(p.activation, out, out_c);
  }
}

}  // namespace

PackedDepthwiseConv2DInt8Weights pack_depthwise_conv2d_int8_weights(const DepthwiseConv2DParams& p,
                                                                    const int8_t* filter, const float* scales,
                                                                    int32_t scale_count) {
  const int32_t out_c = p.out_c();
  PackedDepthwiseConv2DInt8Weights w;
  w.filter.assign(filter, filter + int64_t{p.kernel_h} * p.kernel_w * out_c);
  w.scales.resize(static_cast<size_t>(out_c));
  for (int32_t c = 0; c < out_c; ++c) w.scales[static_cast<size_t>(c)] = scales[scale_count > 1 ? c : 0];
  return w;
}

void DepthwiseConv2DHybridScratch::reserve(const DepthwiseConv2DParams& p) {
  q.resize(static_cast<size_t>(int64_t{p.batch} * p.in_h * p.in_w * p.in_c));
  input_scales.resize(static_cast<size_t>(p.batch));
  zero_points.resize(static_cast<size_t>(p.batch));
}

void depthwise_conv2d_hybrid(const DepthwiseConv2DParams& p, const HybridParams& h,
                             const PackedDepthwiseConv2DInt8Weights& w, const float* input, const float* bias,
                             float* output, DepthwiseConv2DHybridScratch& s, int32_t* acc_out, SimdPath path) {
  assert(h.product == Int8ProductArithmetic::exact);
  const int64_t rows = int64_t{p.batch} * p.out_h;
  if (rows <= 0 || p.out_w <= 0 || p.out_c() <= 0) return;
  const int64_t image = int64_t{p.in_h} * p.in_w * p.in_c;
  const int64_t out_count = rows * p.out_w * p.out_c();
  if (hybrid_output_is_bias(h, input, p.batch * image)) {
    fill_bias_rows(bias, rows * p.out_w, p.out_c(), output);
    apply_activation(p.activation, output, out_count);
    if (acc_out) std::fill(acc_out, acc_out + out_count, 0);
    return;
  }
  const SimdPath resolved = resolve_path(path);
  quantize_hybrid_input(h.input_quantization, input, p.batch, image, s.q.data(), s.input_scales.data(),
                        s.zero_points.data(), resolved);

  const bool avx2 = resolved == SimdPath::avx2 && p.depth_multiplier == 1;
  const int64_t work_per_row = int64_t{p.out_w} * p.out_c() * p.kernel_h * p.kernel_w;
  const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, work_per_row));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const auto b = static_cast<int32_t>(r / p.out_h), oh = static_cast<int32_t>(r % p.out_h);
      const int8_t* q = s.q.data();
      if (avx2)
        detail::depthwise_conv2d_hybrid_row_avx2(p, h.epilogue, w, bias, q, s.zero_points[b], s.input_scales[b],
                                                 output, b, oh, acc_out);
      else
        row_portable(p, h.epilogue, w, bias, q, s.zero_points[b], s.input_scales[b], output, b, oh, acc_out);
    }
  });
}

}  // namespace qgate::kernels
