#include "kernels/arg_minmax.h"

namespace qgate::kernels {

namespace {

template <typename T>
void arg_rows(ArgOp op, const AxisShape& s, const T* in, bool last, int64_t* out64, int32_t* out32) {
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* p = in + o * s.axis * s.inner + i;
      int64_t best = 0;
      T v = p[0];
      for (int64_t k = 1; k < s.axis; ++k) {
        const T x = p[k * s.inner];
        const bool better = op == ArgOp::max ? (last ? x >= v : x > v) : (last ? x <= v : x < v);
        if (better) {
          best = k;
          v = x;
        }
      }
      const int64_t at = o * s.inner + i;
      if (out64) out64[at] = best;
      else out32[at] = static_cast<int32_t>(best);
    }
  }
}

}  // namespace

void arg_minmax(ArgOp op, const AxisShape& s, const float* in, bool last, int64_t* out64, int32_t* out32) {
  arg_rows(op, s, in, last, out64, out32);
}
void arg_minmax(ArgOp op, const AxisShape& s, const int32_t* in, bool last, int64_t* out64, int32_t* out32) {
  arg_rows(op, s, in, last, out64, out32);
}
void arg_minmax(ArgOp op, const AxisShape& s, const int64_t* in, bool last, int64_t* out64, int32_t* out32) {
  arg_rows(op, s, in, last, out64, out32);
}

}  // namespace qgate::kernels
