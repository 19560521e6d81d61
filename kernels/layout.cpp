#include "kernels/layout.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

// Views built here live on the stack (run() must not allocate); tile doubles the rank, so 2 * 8 dims.
constexpr int kMaxViewRank = 16;

struct View {
  int rank = 0;
  int64_t dims[kMaxViewRank];
  int64_t strides[kMaxViewRank];
};

template <typename T>
void gather_run(std::byte* dst, const std::byte* src, int64_t n, int64_t stride) {
  T* d = reinterpret_cast<T*>(dst);
  const T* s = reinterpret_cast<const T*>(src);
  for (int64_t i = 0; i < n; ++i) std::memcpy(d + i, s + i * stride, sizeof(T));
}

// Copies n elements at stride `stride` (elements) from src to dense dst.
void copy_run(std::byte* dst, const std::byte* src, int64_t n, int64_t stride, size_t elem) {
  if (stride == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * elem);
    return;
  }
  switch (elem) {
    case 1: gather_run<uint8_t>(dst, src, n, stride); return;
    case 2: gather_run<uint16_t>(dst, src, n, stride); return;
    case 4: gather_run<uint32_t>(dst, src, n, stride); return;
    case 8: gather_run<uint64_t>(dst, src, n, stride); return;
    default:
      for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * elem, src + i * stride * static_cast<int64_t>(elem), elem);
  }
}

void copy_view(const View& v, const void* in, void* out, size_t elem) {
  // Drop size-1 dims and merge neighbours that are contiguous in the input, so an innermost run is as long as
  // possible (a transpose that keeps the channel dim last becomes a few memcpys per row).
  View m;
  for (int k = 0; k < v.rank; ++k) {
    if (v.dims[k] == 0) return;  // empty output
    if (v.dims[k] == 1) continue;
    if (m.rank > 0 && m.strides[m.rank - 1] == v.strides[k] * v.dims[k]) {
      m.dims[m.rank - 1] *= v.dims[k];
      m.strides[m.rank - 1] = v.strides[k];
      continue;
    }
    m.dims[m.rank] = v.dims[k];
    m.strides[m.rank] = v.strides[k];
    ++m.rank;
  }
  const auto* src = static_cast<const std::byte*>(in);
  auto* dst = static_cast<std::byte*>(out);
  if (m.rank == 0) {
    std::memcpy(dst, src, elem);
    return;
  }
  const int64_t run = m.dims[m.rank - 1], run_stride = m.strides[m.rank - 1];
  int64_t rows = 1;
  for (int k = 0; k + 1 < m.rank; ++k) rows *= m.dims[k];
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, run * static_cast<int64_t>(elem)));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    // Index of row r0 over the outer dims, then an odometer.
    int64_t idx[kMaxViewRank] = {};
    int64_t off = 0;
    int64_t r = r0;
    for (int k = m.rank - 2; k >= 0; --k) {
      idx[k] = r % m.dims[k];
      r /= m.dims[k];
      off += idx[k] * m.strides[k];
    }
    const int64_t elem_i = static_cast<int64_t>(elem);
    for (int64_t row = r0; row < r1; ++row) {
      copy_run(dst + row * run * elem_i, src + off * elem_i, run, run_stride, elem);
      for (int k = m.rank - 2; k >= 0; --k) {
        off += m.strides[k];
        if (++idx[k] < m.dims[k]) break;
        off -= m.strides[k] * m.dims[k];
        idx[k] = 0;
      }
    }
  });
}

}  // namespace

std::vector<int64_t> dense_strides(Dims shape) {
  std::vector<int64_t> s(shape.size());
  int64_t acc = 1;
  for (size_t k = shape.size(); k-- > 0;) {
    s[k] = acc;
    acc *= shape[k];
  }
  return s;
}

void copy_strided(std::span<const int64_t> out_dims, std::span<const int64_t> in_strides, const void* in, void* out,
                  size_t elem_size) {
  assert(out_dims.size() == in_strides.size() && out_dims.size() <= kMaxViewRank);
  View v;
  v.rank = static_cast<int>(out_dims.size());
  for (int k = 0; k < v.rank; ++k) {
    v.dims[k] = out_dims[k];
    v.strides[k] = in_strides[k];
  }
  copy_view(v, in, out, elem_size);
}

namespace {
// Row-major strides of `shape` into a stack array.
void strides_of(Dims shape, int64_t* s) {
  int64_t acc = 1;
  for (size_t k = shape.size(); k-- > 0;) {
    s[k] = acc;
    acc *= shape[k];
  }
}
}  // namespace

void transpose(Dims in_shape, std::span<const int32_t> perm, const void* in, void* out, size_t elem_size) {
  int64_t s[kMaxViewRank];
  strides_of(in_shape, s);
  View v;
  v.rank = static_cast<int>(perm.size());
  for (int k = 0; k < v.rank; ++k) {
    v.dims[k] = in_shape[perm[k]];
    v.strides[k] = s[perm[k]];
  }
  copy_view(v, in, out, elem_size);
}

namespace {

// Copies the part of `in` that takes count[k] elements step[k] apart from start[k] along each dim k (step null:
// 1). A dim with count 0 leaves the output empty.
void copy_strided(Dims in_shape, std::span<const int64_t> start, std::span<const int64_t> count, const int64_t* step,
                  const void* in, void* out, size_t elem_size) {
  int64_t s[kMaxViewRank];
  strides_of(in_shape, s);
  View v;
  v.rank = static_cast<int>(in_shape.size());
  int64_t base = 0;
  for (int k = 0; k < v.rank; ++k) {
    v.dims[k] = count[k];
    v.strides[k] = (step ? step[k] : 1) * s[k];
    if (count[k] > 0) base += start[k] * s[k];
  }
  copy_view(v, static_cast<const std::byte*>(in) + base * static_cast<int64_t>(elem_size), out, elem_size);
}

}  // namespace

void slice(Dims in_shape, std::span<const int64_t> begin, std::span<const int64_t> size, const void* in, void* out,
           size_t elem_size) {
  copy_strided(in_shape, begin, size, nullptr, in, out, elem_size);
}

StridedSlicePlan plan_strided_slice(const StridedSliceParams& p, Dims in_shape) {
  StridedSlicePlan plan;
  const int rank = static_cast<int>(in_shape.size());
  const int n = static_cast<int>(p.begin.size());
  if (static_cast<int>(p.end.size()) != n || static_cast<int>(p.strides.size()) != n) {
    plan.error = "begin, end and strides have different lengths";
    return plan;
  }
  auto bit = [](int32_t mask, int i) { return ((mask >> i) & 1) != 0; };
  int ellipsis = -1, consuming = 0;
  for (int i = 0; i < n; ++i) {
    if (bit(p.ellipsis_mask, i)) {
      if (ellipsis >= 0) {
        plan.error = "more than one ellipsis_mask bit is set";
        return plan;
      }
      ellipsis = i;
    } else if (!bit(p.new_axis_mask, i)) {
      ++consuming;
    }
  }
  if (consuming > rank) {
    plan.error = "the spec has " + std::to_string(consuming) + " entries that index input dims, the input has rank " +
                 std::to_string(rank);
    return plan;
  }
  auto full_dim = [&](int d) {
    plan.start.push_back(0);
    plan.step.push_back(1);
    plan.count.push_back(in_shape[d]);
    plan.out_shape.push_back(in_shape[d]);
  };
  int dim = 0;  // next input dim
  for (int i = 0; i < n; ++i) {
    if (i == ellipsis) {
      for (int e = 0; e < rank - consuming; ++e) full_dim(dim++);
      continue;
    }
    if (bit(p.new_axis_mask, i)) {
      plan.out_shape.push_back(1);
      continue;
    }
    const int64_t d = in_shape[dim];
    const int64_t s = p.strides[i];
    if (s == 0) {
      plan.error = "stride of spec entry " + std::to_string(i) + " is 0";
      return plan;
    }
    int64_t start = bit(p.begin_mask, i) ? (s > 0 ? 0 : d - 1) : p.begin[i];
    if (!bit(p.begin_mask, i) && start < 0) start += d;
    if (bit(p.shrink_axis_mask, i)) {
      if (start < 0 || start >= d) {
        plan.error = "shrink_axis entry " + std::to_string(i) + " index " + std::to_string(p.begin[i]) +
                     " is out of range for dim " + std::to_string(dim) + " of size " + std::to_string(d);
        return plan;
      }
      plan.start.push_back(start);
      plan.step.push_back(1);
      plan.count.push_back(1);
      ++dim;
      continue;
    }
    start = s > 0 ? std::clamp<int64_t>(start, 0, d) : std::clamp<int64_t>(start, -1, d - 1);
    int64_t stop;
    if (bit(p.end_mask, i)) {
      stop = s > 0 ? d : -1;
    } else {
      stop = p.offset ? p.begin[i] + p.end[i] : p.end[i];
      if (stop < 0) stop += d;
      stop = s > 0 ? std::clamp<int64_t>(stop, 0, d) : std::clamp<int64_t>(stop, -1, d - 1);
    }
    const int64_t count = s > 0 ? (stop - start + s - 1) / s : (start - stop + (-s) - 1) / (-s);
    plan.start.push_back(start);
    plan.step.push_back(s);
    plan.count.push_back(std::max<int64_t>(0, count));
    plan.out_shape.push_back(static_cast<int32_t>(std::max<int64_t>(0, count)));
    ++dim;
  }
  while (dim < rank) full_dim(dim++);
  return plan;
}

void strided_slice(const StridedSlicePlan& plan, Dims in_shape, const void* in, void* out, size_t elem_size) {
  copy_strided(in_shape, plan.start, plan.count, plan.step.data(), in, out, elem_size);
}

void tile(Dims in_shape, std::span<const int64_t> multiples, const void* in, void* out, size_t elem_size) {
  // The output [m0 * d0, m1 * d1, ...] read row-major is the view [m0, d0, m1, d1, ...] with stride 0 on the
  // repeat dims.
  int64_t s[kMaxViewRank];
  strides_of(in_shape, s);
  View v;
  v.rank = 2 * static_cast<int>(in_shape.size());
  for (size_t k = 0; k < in_shape.size(); ++k) {
    v.dims[2 * k] = multiples[k];
    v.strides[2 * k] = 0;
    v.dims[2 * k + 1] = in_shape[k];
    v.strides[2 * k + 1] = s[k];
  }
  copy_view(v, in, out, elem_size);
}

void space_to_depth(Dims in_shape, int32_t bs, const void* in, void* out, size_t elem_size) {
  const int64_t H = in_shape[1], W = in_shape[2], C = in_shape[3];
  View v;
  v.rank = 6;
  const int64_t dims[6] = {in_shape[0], H / bs, W / bs, bs, bs, C};
  const int64_t strides[6] = {H * W * C, bs * W * C, bs * C, W * C, C, 1};
  for (int k = 0; k < 6; ++k) {
    v.dims[k] = dims[k];
    v.strides[k] = strides[k];
  }
  copy_view(v, in, out, elem_size);
}

void depth_to_space(Dims in_shape, int32_t bs, const void* in, void* out, size_t elem_size) {
  const int64_t H = in_shape[1], W = in_shape[2], Cin = in_shape[3], C = Cin / (int64_t{bs} * bs);
  View v;
  v.rank = 6;
  // Output rows y * bs + dy and columns x * bs + dx, read in order (b, y, dy, x, dx, c).
  const int64_t dims[6] = {in_shape[0], H, bs, W, bs, C};
  const int64_t strides[6] = {H * W * Cin, W * Cin, bs * C, Cin, C, 1};
  for (int k = 0; k < 6; ++k) {
    v.dims[k] = dims[k];
    v.strides[k] = strides[k];
  }
  copy_view(v, in, out, elem_size);
}

}  // namespace qgate::kernels
