#include "kernels/embedding_lookup.h"

#include <algorithm>
#include <cstring>

namespace qgate::kernels {

namespace {

// Output row i gets table row idx[i] through copy_row(idx[i], out row); an index outside [0, rows) gives a row of
// zeros and is counted.
template <typename T, typename CopyRow>
int64_t lookup_rows(const int32_t* idx, int64_t n, int64_t rows, int64_t cols, T* out, CopyRow copy_row) {
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    T* o = out + i * cols;
    if (idx[i] < 0 || idx[i] >= rows) {
      std::fill_n(o, cols, T{0});
      ++bad;
      continue;
    }
    copy_row(idx[i], o);
  }
  return bad;
}

}  // namespace

int64_t embedding_lookup_f32(const int32_t* idx, int64_t n, const float* table, int64_t rows, int64_t cols,
                             float* out) {
  return lookup_rows(idx, n, rows, cols, out, [&](int64_t r, float* o) {
    std::memcpy(o, table + r * cols, static_cast<size_t>(cols) * sizeof(float));
  });
}

int64_t embedding_lookup_hybrid(const int32_t* idx, int64_t n, const int8_t* table, const float* scales,
                                int64_t num_scales, int64_t rows, int64_t cols, float* out) {
  return lookup_rows(idx, n, rows, cols, out, [&](int64_t r, float* o) {
    const float s = num_scales > 1 ? scales[r] : scales[0];
    const int8_t* w = table + r * cols;
    for (int64_t j = 0; j < cols; ++j) o[j] = static_cast<float>(w[j]) * s;
  });
}

int64_t embedding_lookup_i8(const int32_t* idx, int64_t n, const int8_t* table, int64_t rows, int64_t cols,
                            int8_t* out) {
  return lookup_rows(idx, n, rows, cols, out, [&](int64_t r, int8_t* o) {
    std::memcpy(o, table + r * cols, static_cast<size_t>(cols));
  });
}

}  // namespace qgate::kernels
