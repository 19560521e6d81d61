#include "kernels/embedding_lookup.h"

#include <algorithm>
#include <cstring>

namespace qgate::kernels {

namespace {
bool in_range(int32_t i, int64_t rows) { return i >= 0 && i < rows; }
}  // namespace

int64_t embedding_lookup_f32(const int32_t* idx, int64_t n, const float* table, int64_t rows, int64_t cols,
                             float* out) {
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    float* o = out + i * cols;
    if (!in_range(idx[i], rows)) {
      std::fill_n(o, cols, 0.0f);
      ++bad;
      continue;
    }
    std::memcpy(o, table + idx[i] * cols, static_cast<size_t>(cols) * sizeof(float));
  }
  return bad;
}

int64_t embedding_lookup_hybrid(const int32_t* idx, int64_t n, const int8_t* table, const float* scales,
                                int64_t num_scales, int64_t rows, int64_t cols, float* out) {
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    float* o = out + i * cols;
    if (!in_range(idx[i], rows)) {
      std::fill_n(o, cols, 0.0f);
      ++bad;
      continue;
    }
    const float s = num_scales > 1 ? scales[idx[i]] : scales[0];
    const int8_t* w = table + idx[i] * cols;
    for (int64_t j = 0; j < cols; ++j) o[j] = static_cast<float>(w[j]) * s;
  }
  return bad;
}

int64_t embedding_lookup_i8(const int32_t* idx, int64_t n, const int8_t* table, int64_t rows, int64_t cols,
                            int8_t* out) {
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    int8_t* o = out + i * cols;
    if (!in_range(idx[i], rows)) {
      std::fill_n(o, cols, int8_t{0});
      ++bad;
      continue;
    }
    std::memcpy(o, table + idx[i] * cols, static_cast<size_t>(cols));
  }
  return bad;
}

}  // namespace qgate::kernels
