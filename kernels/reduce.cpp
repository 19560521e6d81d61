#include "kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

// Inner columns handled per work item; the accumulators live on the stack.
constexpr int64_t kColumnBlock = 256;
constexpr int64_t kParallelElements = 32 * 1024;

float finish(ReduceOp op, double sum, int64_t count) {
  return op == ReduceOp::mean ? static_cast<float>(sum / static_cast<double>(count)) : static_cast<float>(sum);
}

// More than one reduced block: walk each output's reduced elements with an odometer.
void reduce_general(ReduceOp op, const ReduceShape& s, const float* in, float* out) {
  const int r = s.rank;
  std::array<int64_t, kMaxReduceRank> stride{};
  int64_t k = 1;
  for (int d = r - 1; d >= 0; --d) {
    stride[d] = k;
    k *= s.dims[d];
  }
  std::array<int64_t, kMaxReduceRank> kept_idx{}, red_idx{};
  for (int64_t o = 0; o < s.out_elements; ++o) {
    // Decompose o over the kept dims.
    int64_t rem = o, base = 0;
    for (int d = r - 1; d >= 0; --d) {
      if (s.reduced[d]) continue;
      kept_idx[d] = rem % s.dims[d];
      rem /= s.dims[d];
      base += kept_idx[d] * stride[d];
    }
    double sum = op == ReduceOp::prod ? 1.0 : 0.0;
    float mx = op == ReduceOp::min ? std::numeric_limits<float>::max() : std::numeric_limits<float>::lowest();
    bool first = true;
    red_idx.fill(0);
    for (int64_t c = 0; c < s.count; ++c) {
      int64_t off = base;
      for (int d = 0; d < r; ++d)
        if (s.reduced[d]) off += red_idx[d] * stride[d];
      const float v = in[off];
      if (op == ReduceOp::max) {
        mx = first ? v : std::max(mx, v);
        first = false;
      } else if (op == ReduceOp::min) {
        mx = first ? v : std::min(mx, v);
        first = false;
      } else if (op == ReduceOp::prod) {
        sum *= v;
      } else {
        sum += v;
      }
      for (int d = r - 1; d >= 0; --d) {
        if (!s.reduced[d]) continue;
        if (++red_idx[d] < s.dims[d]) break;
        red_idx[d] = 0;
      }
    }
    out[o] = op == ReduceOp::max || op == ReduceOp::min ? mx : finish(op, sum, s.count);
  }
}

}  // namespace

bool make_reduce_shape(std::span<const int32_t> dims, uint32_t axis_mask, ReduceShape* out) {
  if (dims.size() > kMaxReduceRank) return false;
  ReduceShape s;
  s.input_rank = static_cast<int>(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) s.input_dims[d] = dims[d];
  s.axis_mask = axis_mask;
  int n = 0;
  for (size_t d = 0; d < dims.size(); ++d) {
    const bool red = (axis_mask >> d) & 1u;
    if (red) s.count *= dims[d];
    else s.out_elements *= dims[d];
    if (dims[d] == 1) continue;
    if (n > 0 && s.reduced[n - 1] == red) {
      s.dims[n - 1] *= dims[d];
      continue;
    }
    s.dims[n] = dims[d];
    s.reduced[n] = red;
    ++n;
  }
  s.rank = n;
  int blocks = 0;
  for (int d = 0; d < n; ++d) blocks += s.reduced[d];
  s.one_block = blocks <= 1;
  if (s.one_block) {
    int d = 0;
    for (; d < n && !s.reduced[d]; ++d) s.outer *= s.dims[d];
    if (d < n) ++d;  // the reduced block; its size is s.count (0 when some reduced dim is 0)
    for (; d < n; ++d) s.inner *= s.dims[d];
    if (blocks == 0 && n > 0) {  // nothing reduced: every dim is outer
      s.outer = s.out_elements;
      s.inner = 1;
    }
    if (s.out_elements == 0) s.outer = 0;
  }
  *out = s;
  return true;
}

namespace detail {

void sum_columns_portable(const float* in, int64_t rows, int64_t stride, int64_t width, double* acc) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < width; ++j) acc[j] += in[r * stride + j];
}

void max_columns_portable(const float* in, int64_t rows, int64_t stride, int64_t width, float* acc) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < width; ++j) acc[j] = std::max(acc[j], in[r * stride + j]);
}

}  // namespace detail

void reduce_float(ReduceOp op, const ReduceShape& s, const float* in, float* out, SimdPath path) {
  if (s.out_elements == 0) return;
  const bool avx2 = resolve_path(path) == SimdPath::avx2;
  if (!s.one_block || op == ReduceOp::min || op == ReduceOp::prod) {
    reduce_general(op, s, in, out);
    return;
  }
  const int64_t outer = s.outer, count = s.count, inner = s.inner;
  if (count == 0) {
    const float v = op == ReduceOp::sum ? 0.0f : op == ReduceOp::mean ? NAN : std::numeric_limits<float>::lowest();
    std::fill(out, out + s.out_elements, v);
    return;
  }
  const auto sum_cols = avx2 ? detail::sum_columns_avx2 : detail::sum_columns_portable;
  const auto max_cols = avx2 ? detail::max_columns_avx2 : detail::max_columns_portable;
  if (inner == 1) {
    // Contiguous rows: one output per row.
    parallel_for(outer, std::max<int64_t>(1, kParallelElements / count), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const float* x = in + o * count;
        if (op == ReduceOp::max) {
          float m = x[0];
          for (int64_t i = 1; i < count; ++i) m = std::max(m, x[i]);
          out[o] = m;
        } else {
          double sum = 0;
          for (int64_t i = 0; i < count; ++i) sum += x[i];
          out[o] = finish(op, sum, count);
        }
      }
    });
    return;
  }
  // [outer, count, inner]: each work item is one outer index and one block of inner columns.
  const int64_t blocks = (inner + kColumnBlock - 1) / kColumnBlock;
  const int64_t grain = std::max<int64_t>(1, kParallelElements / (count * std::min(inner, kColumnBlock)));
  parallel_for(outer * blocks, grain, [&](int64_t w0, int64_t w1) {
    for (int64_t w = w0; w < w1; ++w) {
      const int64_t o = w / blocks, j0 = (w % blocks) * kColumnBlock;
      const int64_t width = std::min(kColumnBlock, inner - j0);
      const float* x = in + o * count * inner + j0;
      float* y = out + o * inner + j0;
      if (op == ReduceOp::max) {
        std::copy(x, x + width, y);
        max_cols(x + inner, count - 1, inner, width, y);
      } else {
        double acc[kColumnBlock] = {};
        sum_cols(x, count, inner, width, acc);
        for (int64_t j = 0; j < width; ++j) y[j] = finish(op, acc[j], count);
      }
    }
  });
}

}  // namespace qgate::kernels
