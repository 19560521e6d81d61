#include "kernels/compare.h"

#include <cmath>

namespace qgate::kernels {

namespace {

template <typename T>
bool compare_one(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::equal: return a == b;
    case CompareOp::not_equal: return a != b;
    case CompareOp::less: return a < b;
    case CompareOp::less_equal: return a <= b;
    case CompareOp::greater: return a > b;
    case CompareOp::greater_equal: return a >= b;
  }
  return false;
}

template <typename T>
void compare_rows(CompareOp op, const BroadcastShape& s, const T* a, const T* b, uint8_t* out) {
  for_each_broadcast_row(s, 0, s.out_elements, [&](int64_t ao, int as, int64_t bo, int bs, int64_t oo, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[oo + i] = compare_one(op, a[ao + i * as], b[bo + i * bs]) ? 1 : 0;
  });
}

}  // namespace

void compare_float(CompareOp op, const BroadcastShape& s, const float* a, const float* b, uint8_t* out) {
  compare_rows(op, s, a, b, out);
}
void compare_int32(CompareOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, uint8_t* out) {
  compare_rows(op, s, a, b, out);
}
void compare_int64(CompareOp op, const BroadcastShape& s, const int64_t* a, const int64_t* b, uint8_t* out) {
  compare_rows(op, s, a, b, out);
}
void compare_bool(CompareOp op, const BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  compare_rows(op, s, a, b, out);
}

void logical(LogicalOp op, const BroadcastShape& s, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  for_each_broadcast_row(s, 0, s.out_elements, [&](int64_t ao, int as, int64_t bo, int bs, int64_t oo, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const bool x = a[ao + i * as] != 0, y = b[bo + i * bs] != 0;
      const bool v = op == LogicalOp::logical_and ? (x && y) : op == LogicalOp::logical_or ? (x || y) : (x != y);
      out[oo + i] = v ? 1 : 0;
    }
  });
}

void logical_not(const uint8_t* in, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] == 0 ? 1 : 0;
}

void is_nan(const float* in, uint8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::isnan(in[i]) ? 1 : 0;
}

void is_inf(const float* in, uint8_t* out, int64_t n, bool detect_negative, bool detect_positive) {
  for (int64_t i = 0; i < n; ++i) {
    const bool inf = std::isinf(in[i]);
    out[i] = inf && (in[i] > 0 ? detect_positive : detect_negative) ? 1 : 0;
  }
}

}  // namespace qgate::kernels
