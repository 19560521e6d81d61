// The int8 x int8 -> int32 product under TFLite's hybrid kernels (docs/arithmetic.md#integer-product): the engine of
// kernels/fully_connected_hybrid.h, kernels/conv2d_hybrid.h and the recurrent kernels' hybrid steps.
//
// acc[b][n] = sum_k W[n][k] * q[b][k] - zp[b] * rowsum[n], exact in int32 for K <= kHybridMaxDepth (so that
// K * 127 * 255, the largest |W * (q - zp)| sum, stays below 2^31). W holds symmetric int8 weights in [-127, 127]
// (never -128); activations q may use the whole [-128, 127].
//
// Thread safety: functions are pure over their arguments; the multiply runs on kernels/parallel.h's pool and
// gives the same bits for any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/hybrid_params.h"  // Int8ProductArithmetic

namespace qgate::kernels {

// Largest K for which every int32 accumulator of hybrid_gemm_s8s8s32 is exact (K * 127 * 255 < 2^31).
inline constexpr int64_t kHybridMaxDepth = 66314;

// Weights packed once (prepare) for the microkernel: blocks of 4 output channels, each block K rounded up to a
// multiple of 32 and stored chunk by chunk ([block][k/32][4 channels][32 bytes]), padding zero. Owns its memory.
struct PackedInt8Weights {
  int32_t n = 0;             // output channels
  int32_t k = 0;             // inputs per channel
  int32_t k_padded = 0;      // k rounded up to 32
  std::vector<int8_t> data;  // n rounded up to 4, times k_padded
  std::vector<int32_t> row_sums;  // sum_k W[n][k], for the zero-point correction of asymmetric rows
  std::vector<float> scales;      // n weight scales (a per-tensor scale repeated)
};

// True when every value is in [-127, 127] (the multiply's precondition; ops check it in prepare).
bool int8_weights_symmetric(const int8_t* w, int64_t count);

// w is row-major [n][k]; scales has scale_count entries (1 or n). Allocates: call once in prepare.
PackedInt8Weights pack_int8_weights(const int8_t* w, int32_t n, int32_t k, const float* scales,
                                    int32_t scale_count);

// acc (m x n, row-major) = q (m x k, row-major) times W^T, minus zero_points[b] * row_sums[n] when zero_points is not
// null (asymmetric rows). saturating_u8s8_pairs needs zero_points.
void hybrid_gemm_s8s8s32(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m,
                         int32_t* acc, Int8ProductArithmetic product = Int8ProductArithmetic::exact,
                         SimdPath path = SimdPath::automatic);

namespace detail {
// The multiply over output blocks [block_begin, block_end) (4 channels per block) on the calling thread; `resolved`
// is a concrete path (resolve_path). For kernels that split the work themselves (kernels/conv2d_hybrid.cpp).
void hybrid_gemm_blocks(SimdPath resolved, Int8ProductArithmetic product, const PackedInt8Weights& w, const int8_t* q,
                        const int32_t* zero_points, int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end);
// Its four implementations. The *_avx2 ones need the avx2 path.
void hybrid_gemm_blocks_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                 int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end);
void hybrid_gemm_blocks_avx2(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m,
                             int32_t* acc, int64_t block_begin, int64_t block_end);
void hybrid_gemm_blocks_saturating_portable(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                            int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end);
void hybrid_gemm_blocks_saturating_avx2(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                        int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end);
}  // namespace detail

}  // namespace qgate::kernels
