#include "kernels/hybrid_gemm.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "kernels/parallel.h"
#include "kernels/quantize.h"

namespace qgate::kernels {

namespace {
constexpr int32_t kBlockN = 4;   // output channels per packed block
constexpr int32_t kChunkK = 32;  // bytes of K per packed chunk (one AVX2 register)
}  // namespace

bool int8_weights_symmetric(const int8_t* w, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (w[i] == -128) return false;
  return true;
}

PackedInt8Weights pack_int8_weights(const int8_t* w, int32_t n, int32_t k, const float* scales,
                                    int32_t scale_count) {
  assert(int8_weights_symmetric(w, int64_t{n} * k));
  PackedInt8Weights p;
  p.n = n;
  p.k = k;
  p.k_padded = (k + kChunkK - 1) / kChunkK * kChunkK;
  const int64_t blocks = (n + kBlockN - 1) / kBlockN;
  const int64_t chunks = p.k_padded / kChunkK;
  p.data.assign(static_cast<size_t>(blocks * kBlockN * p.k_padded), 0);
  p.row_sums.assign(static_cast<size_t>(n), 0);
  for (int32_t row = 0; row < n; ++row) {
    const int64_t block = row / kBlockN, lane = row % kBlockN;
    int32_t sum = 0;
    for (int32_t kk = 0; kk < k; ++kk) {
      const int64_t chunk = kk / kChunkK;
      p.data[static_cast<size_t>(((block * chunks + chunk) * kBlockN + lane) * kChunkK + kk % kChunkK)] =
          w[int64_t{row} * k + kk];
      sum += w[int64_t{row} * k + kk];
    }
    p.row_sums[static_cast<size_t>(row)] = sum;
  }
  p.scales.assign(scales, scales + scale_count);
  return p;
}

namespace detail {

void hybrid_gemm_blocks_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                 int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end) {
  const int64_t chunks = w.k_padded / kChunkK;
  for (int64_t block = block_begin; block < block_end; ++block) {
    const int8_t* wb = w.data.data() + block * chunks * kBlockN * kChunkK;
    for (int32_t b = 0; b < m; ++b) {
      const int8_t* qb = q + int64_t{b} * w.k;
      for (int32_t lane = 0; lane < kBlockN; ++lane) {
        const int64_t col = block * kBlockN + lane;
        if (col >= w.n) break;
        int32_t sum = 0;
        for (int32_t kk = 0; kk < w.k; ++kk)
          sum += int32_t{wb[((kk / kChunkK) * kBlockN + lane) * kChunkK + kk % kChunkK]} * qb[kk];
        if (zero_points) sum -= zero_points[b] * w.row_sums[static_cast<size_t>(col)];
        acc[int64_t{b} * w.n + col] = sum;
      }
    }
  }
}

void hybrid_gemm_blocks_saturating_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                            int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end) {
  assert(zero_points);
  const int64_t chunks = w.k_padded / kChunkK;
  auto sat16 = [](int32_t v) { return std::clamp(v, -32768, 32767); };
  for (int64_t block = block_begin; block < block_end; ++block) {
    const int8_t* wb = w.data.data() + block * chunks * kBlockN * kChunkK;
    for (int32_t b = 0; b < m; ++b) {
      const int8_t* qb = q + int64_t{b} * w.k;
      for (int32_t lane = 0; lane < kBlockN; ++lane) {
        const int64_t col = block * kBlockN + lane;
        if (col >= w.n) break;
        auto weight = [&](int32_t kk) {
          return int32_t{wb[((kk / kChunkK) * kBlockN + lane) * kChunkK + kk % kChunkK]};
        };
        int32_t sum = 0;
        for (int32_t kk = 0; kk < w.k; kk += 2) {
          int32_t pair = (int32_t{qb[kk]} + 128) * weight(kk);
          if (kk + 1 < w.k) pair += (int32_t{qb[kk + 1]} + 128) * weight(kk + 1);
          sum += sat16(pair);
        }
        sum -= (zero_points[b] + 128) * w.row_sums[static_cast<size_t>(col)];
        acc[int64_t{b} * w.n + col] = sum;
      }
    }
  }
}

}  // namespace detail

void hybrid_gemm_s8s8s32(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m,
                         int32_t* acc, SimdPath path, Int8ProductArithmetic arithmetic) {
  const bool avx2 = resolve_path(path) == SimdPath::avx2;
  const bool saturating = arithmetic == Int8ProductArithmetic::saturating_u8s8_pairs;
  assert(!saturating || zero_points);
  const int64_t blocks = (w.n + kBlockN - 1) / kBlockN;
  if (blocks == 0 || m <= 0) return;
  // Chunks of at least ~256K multiply-adds: smaller ones cost more to hand to a thread than to compute.
  const int64_t per_block = int64_t{m} * std::max(w.k_padded, kChunkK) * kBlockN;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / per_block);
  parallel_for(blocks, grain, [&](int64_t begin, int64_t end) {
    if (saturating) {
      if (avx2)
        detail::hybrid_gemm_blocks_saturating_avx2(w, q, zero_points, m, acc, begin, end);
      else
        detail::hybrid_gemm_blocks_saturating_portable(w, q, zero_points, m, acc, begin, end);
    } else if (avx2) {
      detail::hybrid_gemm_blocks_avx2(w, q, zero_points, m, acc, begin, end);
    } else {
      detail::hybrid_gemm_blocks_portable(w, q, zero_points, m, acc, begin, end);
    }
  });
}

void hybrid_accumulate_tflite(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                              const float* weight_scales, int32_t weight_scale_count, float* out) {
  const bool per_channel = weight_scale_count > 1;
  for (int32_t b = 0; b < m; ++b) {
    const float s_in = input_scales[b];
    const int32_t* a = acc + int64_t{b} * n;
    float* o = out + int64_t{b} * n;
    for (int32_t j = 0; j < n; ++j) {
      const float scale = s_in * weight_scales[per_channel ? j : 0];
      const float prod = static_cast<float>(a[j]) * scale;
      o[j] += prod;
    }
  }
}

void hybrid_output_xnnpack_qd8(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                               const float* weight_scales, int32_t weight_scale_count, const float* bias,
                               float* out) {
  const bool per_channel = weight_scale_count > 1;
  for (int32_t b = 0; b < m; ++b) {
    const float s_in = input_scales[b];
    const int32_t* a = acc + int64_t{b} * n;
    float* o = out + int64_t{b} * n;
    for (int32_t j = 0; j < n; ++j) {
      const float t = static_cast<float>(a[j]) * s_in;
      const float u = t * weight_scales[per_channel ? j : 0];
      o[j] = u + (bias ? bias[j] : 0.0f);
    }
  }
}

void hybrid_output_onnxruntime(const int32_t* acc, int32_t m, int32_t n, const float* input_scales,
                               const float* weight_scales, int32_t weight_scale_count, const float* bias, float* out) {
  const bool per_channel = weight_scale_count > 1;
  for (int32_t b = 0; b < m; ++b) {
    const float s_in = input_scales[b];
    const int32_t* a = acc + int64_t{b} * n;
    float* o = out + int64_t{b} * n;
    for (int32_t j = 0; j < n; ++j) {
      const float scale = s_in * weight_scales[per_channel ? j : 0];
      const float prod = static_cast<float>(a[j]) * scale;
      o[j] = prod + (bias ? bias[j] : 0.0f);
    }
  }
}

void HybridScratch::reserve(int32_t rows, int32_t n, int32_t k) {
  q.resize(static_cast<size_t>(int64_t{rows} * k));
  input_scales.resize(static_cast<size_t>(rows));
  zero_points.resize(static_cast<size_t>(rows));
  acc.resize(static_cast<size_t>(int64_t{rows} * n));
}

void fully_connected_hybrid(const HybridFcParams& params, const PackedInt8Weights& w, const float* bias,
                            const float* input, int32_t rows, float* output, HybridScratch& scratch,
                            SimdPath path) {
  assert(scratch.q.size() >= static_cast<size_t>(int64_t{rows} * w.k));
  assert(scratch.acc.size() >= static_cast<size_t>(int64_t{rows} * w.n));
  assert(scratch.input_scales.size() >= static_cast<size_t>(rows));
  const int64_t out_count = int64_t{rows} * w.n;
  const bool ort = params.input_quantization == HybridInputQuantization::ort_u8_tensor;
  const bool xnnpack = params.input_quantization == HybridInputQuantization::xnnpack_rows;
  const bool asymmetric = ort || xnnpack || params.input_quantization == HybridInputQuantization::asymmetric_rows;
  const int32_t scale_count = static_cast<int32_t>(w.scales.size());

  auto quantize_and_multiply = [&] {
    if (ort) {
      // One scale and zero point for the whole input, repeated per row for the GEMM and the epilogue.
      quantize_tensor_ort_s8(input, int64_t{rows} * w.k, scratch.q.data(), scratch.input_scales.data(),
                             scratch.zero_points.data(), path);
      std::fill(scratch.input_scales.begin() + 1, scratch.input_scales.begin() + std::max(rows, 1),
                scratch.input_scales[0]);
      std::fill(scratch.zero_points.begin() + 1, scratch.zero_points.begin() + std::max(rows, 1),
                scratch.zero_points[0]);
    } else if (xnnpack)
      quantize_rows_xnnpack(input, rows, w.k, scratch.q.data(), scratch.input_scales.data(),
                            scratch.zero_points.data(), path);
    else if (asymmetric)
      quantize_rows_asymmetric(input, rows, w.k, scratch.q.data(), scratch.input_scales.data(),
                               scratch.zero_points.data(), path);
    else
      quantize_rows_symmetric(input, rows, w.k, scratch.q.data(), scratch.input_scales.data(), path);
    hybrid_gemm_s8s8s32(w, scratch.q.data(), asymmetric ? scratch.zero_points.data() : nullptr, rows,
                        scratch.acc.data(), path, params.arithmetic);
  };

  if (params.epilogue == HybridEpilogue::tflite_builtin) {
    for (int32_t b = 0; b < rows; ++b) {
      float* o = output + int64_t{b} * w.n;
      if (bias)
        std::memcpy(o, bias, sizeof(float) * static_cast<size_t>(w.n));
      else
        std::fill(o, o + w.n, 0.0f);
    }
    // TFLite tests the whole input (all rows), not each row; a zero input leaves the bias untouched.
    if (!all_zero(input, int64_t{rows} * w.k)) {
      quantize_and_multiply();
      hybrid_accumulate_tflite(scratch.acc.data(), rows, w.n, scratch.input_scales.data(), w.scales.data(),
                               scale_count, output);
    }
  } else if (params.epilogue == HybridEpilogue::onnxruntime) {
    if (rows > 0) {
      quantize_and_multiply();
      hybrid_output_onnxruntime(scratch.acc.data(), rows, w.n, scratch.input_scales.data(), w.scales.data(),
                                scale_count, bias, output);
    }
  } else {
    quantize_and_multiply();
    hybrid_output_xnnpack_qd8(scratch.acc.data(), rows, w.n, scratch.input_scales.data(), w.scales.data(),
                              scale_count, bias, output);
  }
  apply_activation(params.activation, output, out_count);
}

}  // namespace qgate::kernels
