#include "reference/reduce.h"

#include <cmath>
#include <limits>
#include <vector>

namespace qgate::reference {

void reduce_float(ReduceOp op, const ReduceShape& s, const float* in, float* out) {
  const int r = s.input_rank;
  int64_t in_elements = 1, out_elements = 1, count = 1;
  for (int d = 0; d < r; ++d) {
    in_elements *= s.input_dims[d];
    if ((s.axis_mask >> d) & 1u) count *= s.input_dims[d];
    else out_elements *= s.input_dims[d];
  }
  std::vector<double> sum(out_elements, 0.0), prod(out_elements, 1.0);
  std::vector<float> mx(out_elements, std::numeric_limits<float>::lowest());
  std::vector<float> mn(out_elements, std::numeric_limits<float>::max());
  std::vector<bool> seen(out_elements, false);
  for (int64_t i = 0; i < in_elements; ++i) {
    // Output index: the input index with the reduced coordinates dropped.
    int64_t rem = i, o = 0, scale = 1;
    for (int d = r - 1; d >= 0; --d) {
      const int64_t c = rem % s.input_dims[d];
      rem /= s.input_dims[d];
      if ((s.axis_mask >> d) & 1u) continue;
      o += c * scale;
      scale *= s.input_dims[d];
    }
    sum[o] += in[i];
    prod[o] *= in[i];
    if (!seen[o] || in[i] > mx[o]) mx[o] = in[i];
    if (!seen[o] || in[i] < mn[o]) mn[o] = in[i];
    seen[o] = true;
  }
  for (int64_t o = 0; o < out_elements; ++o) {
    switch (op) {
      case ReduceOp::sum: out[o] = static_cast<float>(sum[o]); break;
      case ReduceOp::mean: out[o] = static_cast<float>(sum[o] / static_cast<double>(count)); break;
      case ReduceOp::max: out[o] = mx[o]; break;
      case ReduceOp::min: out[o] = mn[o]; break;
      case ReduceOp::prod: out[o] = static_cast<float>(prod[o]); break;
    }
  }
}

}  // namespace qgate::reference
