#include "kernels/binary.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <type_traits>

#include "kernels/cpu_features.h"
#include "kernels/parallel.h"

namespace qgate::kernels {

namespace {

// Below this many outputs a tensor runs on the calling thread: waking the pool costs more than it saves.
constexpr int64_t kParallelGrain = 32 * 1024;

inline float apply_op(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::maximum: return a > b ? a : b;  // TFLite's MaximumOp; NaN in b propagates, NaN in a does not
    case BinaryOp::minimum: return a < b ? a : b;
    case BinaryOp::squared_difference: {
      float d = a - b;
      return d * d;
    }
    case BinaryOp::pow: return std::pow(a, b);
    case BinaryOp::prelu: return a >= 0.0f ? a : a * b;
    case BinaryOp::floor_mod: {
      const float r = std::fmod(a, b);
      return r != 0.0f && ((b < 0.0f) != (r < 0.0f)) ? r + b : r;
    }
    case BinaryOp::trunc_mod: return std::fmod(a, b);
  }
  return 0.0f;
}

// One integer op on wrapped (unsigned) arithmetic; T is int32_t or int64_t.
template <typename T>
T int_op(BinaryOp op, T x, T y) {
  using U = std::make_unsigned_t<T>;
  const U ux = static_cast<U>(x), uy = static_cast<U>(y);
  switch (op) {
    case BinaryOp::add: return static_cast<T>(ux + uy);
    case BinaryOp::sub: return static_cast<T>(ux - uy);
    case BinaryOp::mul: return static_cast<T>(ux * uy);
    case BinaryOp::maximum: return std::max(x, y);
    case BinaryOp::minimum: return std::min(x, y);
    case BinaryOp::div:
      if (y == 0) return 0;
      if (y == -1) return static_cast<T>(U(0) - ux);  // the lowest value divided by -1 wraps to itself
      return x / y;
    case BinaryOp::trunc_mod:
      return y == 0 || y == -1 ? T(0) : static_cast<T>(x % y);
    case BinaryOp::floor_mod: {
      if (y == 0 || y == -1) return 0;
      const T r = static_cast<T>(x % y);
      return r != 0 && ((y < 0) != (r < 0)) ? static_cast<T>(r + y) : r;
    }
    case BinaryOp::pow: {
      if (y < 0) return x == 1 ? T(1) : x == -1 ? (y % 2 == 0 ? T(1) : T(-1)) : T(0);
      U result = 1, base = ux;
      for (std::make_unsigned_t<T> e = static_cast<U>(y); e != 0; e >>= 1) {
        if (e & 1u) result *= base;
        base *= base;
      }
      return static_cast<T>(result);
    }
    default: return 0;
  }
}

bool is_int_op(BinaryOp op) { return op != BinaryOp::squared_difference && op != BinaryOp::prelu; }

template <typename T>
inline T clamp_activation(Activation act, T x) {
  switch (act) {
    case Activation::relu: return std::max(x, T(0));
    case Activation::relu_n1_to_1: return std::min(std::max(x, T(-1)), T(1));
    case Activation::relu6: return std::min(std::max(x, T(0)), T(6));
    default: return x;
  }
}

template <typename T, typename RowFn>
void run_rows(const BroadcastShape& s, RowFn&& row) {
  const int64_t total = s.out_elements;
  if (total <= 0) return;
  // Chunks are contiguous output ranges; a chunk may start or end inside a row.
  parallel_for(total, kParallelGrain, [&](int64_t b, int64_t e) { for_each_broadcast_row(s, b, e, row); });
}

}  // namespace

bool make_broadcast_shape(std::span<const int32_t> a, std::span<const int32_t> b, BroadcastShape* out,
                          std::array<int32_t, kMaxBroadcastRank>* out_shape, int* out_rank) {
  constexpr int R = kMaxBroadcastRank;
  if (a.size() > R || b.size() > R) return false;
  BroadcastShape s;
  const int ra = static_cast<int>(a.size()), rb = static_cast<int>(b.size());
  const int rank = std::max(ra, rb);
  for (int d = 0; d < R; ++d) {
    int ia = d - (R - ra), ib = d - (R - rb);
    s.a_dims[d] = ia >= 0 ? a[ia] : 1;
    s.b_dims[d] = ib >= 0 ? b[ib] : 1;
    if (s.a_dims[d] < 0 || s.b_dims[d] < 0) return false;
    if (s.a_dims[d] == s.b_dims[d] || s.b_dims[d] == 1) s.out_dims[d] = s.a_dims[d];
    else if (s.a_dims[d] == 1) s.out_dims[d] = s.b_dims[d];
    else return false;
  }
  s.out_elements = 1;
  for (int d = 0; d < R; ++d) s.out_elements *= s.out_dims[d];
  if (out_shape) {
    out_shape->fill(1);
    for (int d = 0; d < rank; ++d) (*out_shape)[d] = static_cast<int32_t>(s.out_dims[R - rank + d]);
  }
  if (out_rank) *out_rank = rank;

  // Dense strides of each input over the padded dims, 0 where the input broadcasts.
  std::array<int64_t, R> sa{}, sb{};
  int64_t ka = 1, kb = 1;
  for (int d = R - 1; d >= 0; --d) {
    sa[d] = s.a_dims[d] == 1 ? 0 : ka;
    sb[d] = s.b_dims[d] == 1 ? 0 : kb;
    ka *= s.a_dims[d];
    kb *= s.b_dims[d];
  }
  // Collapse: drop output dims of size 1, and merge a dim into the next inner one when both inputs either walk
  // both densely or broadcast both.
  int n = 0;
  for (int d = 0; d < R; ++d) {
    if (s.out_dims[d] == 1) continue;
    if (n > 0) {
      const int p = n - 1;
      const bool a_merge = (sa[d] == 0) == (s.a_strides[p] == 0);
      const bool b_merge = (sb[d] == 0) == (s.b_strides[p] == 0);
      if (a_merge && b_merge) {
        s.dims[p] *= s.out_dims[d];
        s.a_strides[p] = sa[d];
        s.b_strides[p] = sb[d];
        continue;
      }
    }
    s.dims[n] = s.out_dims[d];
    s.a_strides[n] = sa[d];
    s.b_strides[n] = sb[d];
    ++n;
  }
  if (n == 0) {  // every dim is 1: one element
    s.dims[0] = 1;
    s.a_strides[0] = s.b_strides[0] = 0;
    n = 1;
  }
  s.rank = n;
  *out = s;
  return true;
}

namespace detail {

void binary_row_portable(BinaryOp op, const float* a, int a_step, const float* b, int b_step, float* out,
                         int64_t n, Activation act) {
  for (int64_t i = 0; i < n; ++i) out[i] = apply_op(op, a[i * a_step], b[i * b_step]);
  if (act == Activation::tanh || act == Activation::sign_bit) {
    apply_activation(act, out, n);
  } else if (act != Activation::none) {
    for (int64_t i = 0; i < n; ++i) out[i] = clamp_activation(act, out[i]);
  }
}

}  // namespace detail

void binary_float(BinaryOp op, const BroadcastShape& s, const float* a, const float* b, float* out,
                  Activation act, SimdPath path) {
  const detail::BinaryRowFn row =
      resolve_path(path) == SimdPath::avx2 ? detail::binary_row_avx2 : detail::binary_row_portable;
  run_rows<float>(s, [&](int64_t ao, int as, int64_t bo, int bs, int64_t oo, int64_t n) {
    row(op, a + ao, as, b + bo, bs, out + oo, n, act);
  });
}

void binary_int32(BinaryOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, int32_t* out,
                  Activation act) {
  if (!is_int_op(op)) return;
  run_rows<int32_t>(s, [&](int64_t ao, int as, int64_t bo, int bs, int64_t oo, int64_t n) {
    const int32_t* pa = a + ao;
    const int32_t* pb = b + bo;
    int32_t* po = out + oo;
    for (int64_t i = 0; i < n; ++i) po[i] = clamp_activation(act, int_op(op, pa[i * as], pb[i * bs]));
  });
}

void binary_int64(BinaryOp op, const BroadcastShape& s, const int64_t* a, const int64_t* b, int64_t* out) {
  if (!is_int_op(op)) return;
  run_rows<int64_t>(s, [&](int64_t ao, int as, int64_t bo, int bs, int64_t oo, int64_t n) {
    const int64_t* pa = a + ao;
    const int64_t* pb = b + bo;
    int64_t* po = out + oo;
    for (int64_t i = 0; i < n; ++i) po[i] = int_op(op, pa[i * as], pb[i * bs]);
  });
}

}  // namespace qgate::kernels
