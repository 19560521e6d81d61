#include "kernels/hybrid_gemm.h"

#include <algorithm>
#include <cassert>

#include "kernels/parallel.h"

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
  p.scales.resize(static_cast<size_t>(n));
  for (int32_t row = 0; row < n; ++row) p.scales[static_cast<size_t>(row)] = scales[scale_count > 1 ? row : 0];
  return p;
}

namespace {

// acc[b][col] = sum(b, col, weight) for every row b of q and every column of blocks [block_begin, block_end);
// weight(kk) reads column col's k-th weight from the packed layout.
template <typename Sum>
void for_each_block_column(const PackedInt8Weights& w, int32_t m, int32_t* acc, int64_t block_begin,
                           int64_t block_end, Sum sum) {
  const int64_t chunks = w.k_padded / kChunkK;
  for (int64_t block = block_begin; block < block_end; ++block) {
    const int8_t* wb = w.data.data() + block * chunks * kBlockN * kChunkK;
    for (int32_t b = 0; b < m; ++b)
      for (int32_t lane = 0; lane < kBlockN; ++lane) {
        const int64_t col = block * kBlockN + lane;
        if (col >= w.n) break;
        auto weight = [&](int32_t kk) {
          return int32_t{wb[((kk / kChunkK) * kBlockN + lane) * kChunkK + kk % kChunkK]};
        };
        acc[int64_t{b} * w.n + col] = sum(b, col, weight);
      }
  }
}

}  // namespace

namespace detail {

void hybrid_gemm_blocks_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                 int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end) {
  for_each_block_column(w, m, acc, block_begin, block_end, [&](int32_t b, int64_t col, auto weight) {
    const int8_t* qb = q + int64_t{b} * w.k;
    int32_t sum = 0;
    for (int32_t kk = 0; kk < w.k; ++kk) sum += weight(kk) * qb[kk];
    if (zero_points) sum -= zero_points[b] * w.row_sums[static_cast<size_t>(col)];
    return sum;
  });
}

// Pairs of u8 * s8 products summed to int16 with saturation (VPMADDUBSW), then widened: the input shifted to u8
// (q + 128) and the zero point with it.
void hybrid_gemm_blocks_saturating_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                            int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end) {
  assert(zero_points);
  auto sat16 = [](int32_t v) { return std::clamp(v, -32768, 32767); };
  for_each_block_column(w, m, acc, block_begin, block_end, [&](int32_t b, int64_t col, auto weight) {
    const int8_t* qb = q + int64_t{b} * w.k;
    int32_t sum = 0;
    for (int32_t kk = 0; kk < w.k; kk += 2) {
      int32_t pair = (int32_t{qb[kk]} + 128) * weight(kk);
      if (kk + 1 < w.k) pair += (int32_t{qb[kk + 1]} + 128) * weight(kk + 1);
      sum += sat16(pair);
    }
    sum -= (zero_points[b] + 128) * w.row_sums[static_cast<size_t>(col)];
    return sum;
  });
}

}  // namespace detail

void detail::hybrid_gemm_blocks(SimdPath resolved, Int8ProductArithmetic product, const PackedInt8Weights& w,
                                const int8_t* q, const int32_t* zero_points, int32_t m, int32_t* acc,
                                int64_t block_begin, int64_t block_end) {
  const bool avx2 = resolved == SimdPath::avx2;
  if (product == Int8ProductArithmetic::saturating_u8s8_pairs) {
    assert(zero_points);
    if (avx2)
      hybrid_gemm_blocks_saturating_avx2(w, q, zero_points, m, acc, block_begin, block_end);
    else
      hybrid_gemm_blocks_saturating_portable(w, q, zero_points, m, acc, block_begin, block_end);
  } else if (avx2) {
    hybrid_gemm_blocks_avx2(w, q, zero_points, m, acc, block_begin, block_end);
  } else {
    hybrid_gemm_blocks_portable(w, q, zero_points, m, acc, block_begin, block_end);
  }
}

void hybrid_gemm_s8s8s32(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m,
                         int32_t* acc, Int8ProductArithmetic product, SimdPath path) {
  const SimdPath resolved = resolve_path(path);
  const int64_t blocks = (w.n + kBlockN - 1) / kBlockN;
  if (blocks == 0 || m <= 0) return;
  // Chunks of at least ~256K multiply-adds: smaller ones cost more to hand to a thread than to compute.
  const int64_t per_block = int64_t{m} * std::max(w.k_padded, kChunkK) * kBlockN;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / per_block);
  parallel_for(blocks, grain, [&](int64_t begin, int64_t end) {
    detail::hybrid_gemm_blocks(resolved, product, w, q, zero_points, m, acc, begin, end);
  });
}

}  // namespace qgate::kernels
