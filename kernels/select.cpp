#include "kernels/select.h"

#include <algorithm>
#include <cstring>

namespace qgate::kernels {

bool make_select_shape(std::span<const int32_t> cond, std::span<const int32_t> x, std::span<const int32_t> y,
                       SelectShape* out, std::array<int32_t, kMaxBroadcastRank>* out_shape, int* out_rank) {
  constexpr int R = kMaxBroadcastRank;
  const std::span<const int32_t> shapes[3] = {cond, x, y};
  int rank = 0;
  for (const auto& sh : shapes) {
    if (sh.size() > R) return false;
    rank = std::max(rank, static_cast<int>(sh.size()));
  }
  SelectShape s;
  std::array<int64_t, R> in_dims[3];
  for (int k = 0; k < 3; ++k) {
    const int r = static_cast<int>(shapes[k].size());
    for (int d = 0; d < R; ++d) in_dims[k][d] = d - (R - r) >= 0 ? shapes[k][d - (R - r)] : 1;
  }
  s.out_elements = 1;
  for (int d = 0; d < R; ++d) {
    int64_t dim = 1;
    for (int k = 0; k < 3; ++k) {
      if (in_dims[k][d] < 0) return false;
      if (in_dims[k][d] == 1) continue;
      if (dim != 1 && dim != in_dims[k][d]) return false;
      dim = in_dims[k][d];
    }
    s.dims[d] = dim;
    s.out_elements *= dim;
  }
  std::array<int64_t, R>* strides[3] = {&s.cond_strides, &s.x_strides, &s.y_strides};
  for (int k = 0; k < 3; ++k) {
    int64_t step = 1;
    for (int d = R - 1; d >= 0; --d) {
      (*strides[k])[d] = in_dims[k][d] == 1 ? 0 : step;
      step *= in_dims[k][d];
    }
  }
  *out = s;
  out_shape->fill(1);
  for (int d = 0; d < rank; ++d) (*out_shape)[d] = static_cast<int32_t>(s.dims[R - rank + d]);
  *out_rank = rank;
  return true;
}

void select(const SelectShape& s, const uint8_t* cond, const void* x, const void* y, void* out, size_t elem_size) {
  constexpr int R = kMaxBroadcastRank;
  const auto* px = static_cast<const std::byte*>(x);
  const auto* py = static_cast<const std::byte*>(y);
  auto* po = static_cast<std::byte*>(out);
  std::array<int64_t, R> idx{};
  int64_t c = 0, ix = 0, iy = 0;
  for (int64_t o = 0; o < s.out_elements; ++o) {
    std::memcpy(po + o * elem_size, cond[c] ? px + ix * elem_size : py + iy * elem_size, elem_size);
    // Advance the index like an odometer, moving each input's offset by its stride.
    for (int d = R - 1; d >= 0; --d) {
      c += s.cond_strides[d];
      ix += s.x_strides[d];
      iy += s.y_strides[d];
      if (++idx[d] < s.dims[d]) break;
      c -= s.cond_strides[d] * s.dims[d];
      ix -= s.x_strides[d] * s.dims[d];
      iy -= s.y_strides[d] * s.dims[d];
      idx[d] = 0;
    }
  }
}

}  // namespace qgate::kernels
