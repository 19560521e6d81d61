// Naive twins of kernels/hybrid_gemm.h: the int8 product over unpacked row-major weights with int64 sums (checked
// to fit int32), and onnxruntime's saturating uint8 x int8 product written from its definition.
#pragma once

#include <cstdint>

#include "kernels/hybrid_gemm.h"

namespace qgate::reference {

// w: [n][k] row-major int8; q: [m][k]; acc: [m][n]; zero_points: m entries or null. Aborts if a result does not
// fit int32.
void hybrid_gemm_s8s8s32(const int8_t* w, int32_t n, int32_t k, const int8_t* q, const int32_t* zero_points,
                         int32_t m, int32_t* acc);

// onnxruntime's AVX2 (no VNNI) uint8 x int8 product written from its definition: raw uint8 activations
// u[b][i] (zero point zp_u8[b]), each pair (2j, 2j+1) summed and clamped to int16, pairs summed, then
// minus zp_u8[b] * sum_i w[j][i].
void gemm_u8s8_saturating_pairs(const int8_t* w, int32_t n, int32_t k, const uint8_t* u, const int32_t* zp_u8,
                                int32_t m, int32_t* acc);

}  // namespace qgate::reference
