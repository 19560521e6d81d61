#include "kernels/pad.h"

#include <algorithm>
#include <cstring>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

constexpr int kMaxRank = 16;

struct Filler {
  const std::byte* value;
  size_t elem;
  bool bytes_equal;  // every byte of the value is the same: memset does it
  void operator()(std::byte* dst, int64_t n) const {
    if (n <= 0) return;
    if (bytes_equal) {
      std::memset(dst, static_cast<int>(value[0]), static_cast<size_t>(n) * elem);
      return;
    }
    for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * static_cast<int64_t>(elem), value, elem);
  }
};

}  // namespace

void pad(std::span<const int32_t> in_shape, std::span<const int64_t> before, std::span<const int64_t> after,
         const void* in, const void* pad_value, void* out, size_t elem_size) {
  const int rank = static_cast<int>(in_shape.size());
  const auto* src = static_cast<const std::byte*>(in);
  auto* dst = static_cast<std::byte*>(out);
  const auto* value = static_cast<const std::byte*>(pad_value);
  Filler fill{value, elem_size, std::all_of(value, value + elem_size, [&](std::byte b) { return b == value[0]; })};
  const int64_t elem = static_cast<int64_t>(elem_size);
  if (rank == 0) {
    std::memcpy(dst, src, elem_size);
    return;
  }
  int64_t out_dims[kMaxRank], in_strides[kMaxRank];
  int64_t rows = 1;
  for (int k = 0; k < rank; ++k) {
    out_dims[k] = before[k] + in_shape[k] + after[k];
    if (k + 1 < rank) rows *= out_dims[k];
  }
  int64_t acc = 1;
  for (int k = rank - 1; k >= 0; --k) {
    in_strides[k] = acc;
    acc *= in_shape[k];
  }
  const int64_t out_row = out_dims[rank - 1], in_row = in_shape[rank - 1];
  const int64_t lead = before[rank - 1], trail = after[rank - 1];
  if (out_row == 0) return;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, out_row * elem));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      std::byte* o = dst + r * out_row * elem;
      // Which input row, if any, this output row copies.
      int64_t rem = r, off = 0;
      bool inside = true;
      for (int k = rank - 2; k >= 0; --k) {
        const int64_t i = rem % out_dims[k] - before[k];
        rem /= out_dims[k];
        if (i < 0 || i >= in_shape[k]) {
          inside = false;
          break;
        }
        off += i * in_strides[k];
      }
      if (!inside) {
        fill(o, out_row);
        continue;
      }
      fill(o, lead);
      std::memcpy(o + lead * elem, src + off * elem, static_cast<size_t>(in_row * elem));
      fill(o + (lead + in_row) * elem, trail);
    }
  });
}

void pad_mirror(MirrorMode mode, std::span<const int32_t> in_shape, std::span<const int64_t> before,
                std::span<const int64_t> after, const void* in, void* out, size_t elem_size) {
  const int rank = static_cast<int>(in_shape.size());
  const auto* src = static_cast<const std::byte*>(in);
  auto* dst = static_cast<std::byte*>(out);
  int64_t out_dims[kMaxRank], in_strides[kMaxRank], idx[kMaxRank] = {};
  int64_t total = 1, acc = 1;
  for (int k = rank - 1; k >= 0; --k) {
    in_strides[k] = acc;
    acc *= in_shape[k];
  }
  for (int k = 0; k < rank; ++k) {
    out_dims[k] = before[k] + in_shape[k] + after[k];
    total *= out_dims[k];
  }
  // The input coordinate of output coordinate o (relative to the input's start) along a dim of size d.
  // Mirroring is periodic: 2 (d - 1) for reflect, 2 d for symmetric; the second half of a period runs backwards.
  const auto source = [mode](int64_t i, int64_t d) -> int64_t {
    if (mode == MirrorMode::edge) return std::clamp<int64_t>(i, 0, d - 1);
    const int64_t period = mode == MirrorMode::reflect ? 2 * (d - 1) : 2 * d;
    if (period == 0) return 0;
    const int64_t m = ((i % period) + period) % period;
    return m < d ? m : period - m - (mode == MirrorMode::reflect ? 0 : 1);
  };
  for (int64_t o = 0; o < total; ++o) {
    int64_t off = 0;
    for (int k = 0; k < rank; ++k) off += source(idx[k] - before[k], in_shape[k]) * in_strides[k];
    std::memcpy(dst + o * static_cast<int64_t>(elem_size), src + off * static_cast<int64_t>(elem_size), elem_size);
    for (int k = rank - 1; k >= 0; --k) {
      if (++idx[k] < out_dims[k]) break;
      idx[k] = 0;
    }
  }
}

}  // namespace qgate::kernels
