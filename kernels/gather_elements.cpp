#include "kernels/gather_elements.h"

#include <array>
#include <cstring>

namespace qgate::kernels {

namespace {

constexpr int kMaxRank = 8;

// Calls fn(index_position, data_position) for every element of the index tensor, data_position being its
// position in data with the axis coordinate replaced by the index (or -1 when out of range).
template <typename Fn>
int64_t walk(std::span<const int32_t> data_shape, std::span<const int32_t> index_shape, const int64_t* indices,
             int axis, Fn&& fn) {
  const int rank = static_cast<int>(index_shape.size());
  std::array<int64_t, kMaxRank> data_strides{}, idx{};
  int64_t step = 1, count = 1;
  for (int d = rank - 1; d >= 0; --d) {
    data_strides[d] = step;
    step *= data_shape[d];
    count *= index_shape[d];
  }
  const int64_t axis_size = data_shape[axis];
  int64_t bad = 0;
  for (int64_t p = 0; p < count; ++p) {
    int64_t k = indices[p];
    if (k < 0) k += axis_size;
    if (k < 0 || k >= axis_size) {
      ++bad;
      fn(p, int64_t{-1});
    } else {
      int64_t q = 0;
      for (int d = 0; d < rank; ++d) q += (d == axis ? k : idx[d]) * data_strides[d];
      fn(p, q);
    }
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < index_shape[d]) break;
      idx[d] = 0;
    }
  }
  return bad;
}

template <typename T>
int64_t scatter_typed(std::span<const int32_t> data_shape, const T* data, std::span<const int32_t> index_shape,
                      const int64_t* indices, const T* updates, int axis, ScatterReduction reduction, T* out) {
  int64_t n = 1;
  for (int32_t d : data_shape) n *= d;
  std::memcpy(out, data, static_cast<size_t>(n) * sizeof(T));
  return walk(data_shape, index_shape, indices, axis, [&](int64_t p, int64_t q) {
    if (q < 0) return;
    switch (reduction) {
      case ScatterReduction::none: out[q] = updates[p]; break;
      case ScatterReduction::add: out[q] += updates[p]; break;
      case ScatterReduction::mul: out[q] *= updates[p]; break;
    }
  });
}

}  // namespace

int64_t gather_elements(std::span<const int32_t> data_shape, const void* data, std::span<const int32_t> index_shape,
                        const int64_t* indices, int axis, void* out, size_t elem_size) {
  const auto* src = static_cast<const unsigned char*>(data);
  auto* dst = static_cast<unsigned char*>(out);
  return walk(data_shape, index_shape, indices, axis, [&](int64_t p, int64_t q) {
    if (q < 0) std::memset(dst + p * elem_size, 0, elem_size);
    else std::memcpy(dst + p * elem_size, src + q * elem_size, elem_size);
  });
}

int64_t scatter_elements(std::span<const int32_t> data_shape, const float* data,
                         std::span<const int32_t> index_shape, const int64_t* indices, const float* updates,
                         int axis, ScatterReduction reduction, float* out) {
  return scatter_typed(data_shape, data, index_shape, indices, updates, axis, reduction, out);
}

int64_t scatter_elements(std::span<const int32_t> data_shape, const int64_t* data,
                         std::span<const int32_t> index_shape, const int64_t* indices, const int64_t* updates,
                         int axis, ScatterReduction reduction, int64_t* out) {
  return scatter_typed(data_shape, data, index_shape, indices, updates, axis, reduction, out);
}

}  // namespace qgate::kernels
