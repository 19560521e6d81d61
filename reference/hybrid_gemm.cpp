#include "reference/hybrid_gemm.h"

#include <cstdio>
#include <cstdlib>

namespace qgate::reference {

void hybrid_gemm_s8s8s32(const int8_t* w, int32_t n, int32_t k, const int8_t* q, const int32_t* zero_points,
                         int32_t m, int32_t* acc) {
  for (int32_t b = 0; b < m; ++b)
    for (int32_t j = 0; j < n; ++j) {
      int64_t sum = 0, row_sum = 0;
      for (int32_t i = 0; i < k; ++i) {
        sum += int64_t{w[int64_t{j} * k + i]} * q[int64_t{b} * k + i];
        row_sum += w[int64_t{j} * k + i];
      }
      if (zero_points) sum -= int64_t{zero_points[b]} * row_sum;
      if (sum < INT32_MIN || sum > INT32_MAX) {
        std::fprintf(stderr, "reference::hybrid_gemm_s8s8s32: acc[%d][%d] = %lld does not fit int32\n", b, j,
                     static_cast<long long>(sum));
        std::abort();
      }
      acc[int64_t{b} * n + j] = static_cast<int32_t>(sum);
    }
}

void gemm_u8s8_saturating_pairs(const int8_t* w, int32_t n, int32_t k, const uint8_t* u, const int32_t* zp_u8,
                                int32_t m, int32_t* acc) {
  for (int32_t b = 0; b < m; ++b)
    for (int32_t j = 0; j < n; ++j) {
      int64_t sum = 0, row_sum = 0;
      for (int32_t i = 0; i < k; i += 2) {
        int64_t pair = int64_t{u[int64_t{b} * k + i]} * w[int64_t{j} * k + i];
        if (i + 1 < k) pair += int64_t{u[int64_t{b} * k + i + 1]} * w[int64_t{j} * k + i + 1];
        sum += pair > 32767 ? 32767 : pair < -32768 ? -32768 : pair;
      }
      for (int32_t i = 0; i < k; ++i) row_sum += w[int64_t{j} * k + i];
      acc[int64_t{b} * n + j] = static_cast<int32_t>(sum - int64_t{zp_u8[b]} * row_sum);
    }
}

}  // namespace qgate::reference
