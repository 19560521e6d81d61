// Pooling over channels-first tensors with 1 to 3 spatial dims (ONNX MaxPool, AveragePool, LpPool): windows with
// strides, dilations, asymmetric padding and ceil-mode output sizes, and MaxPool's Indices output. Portable direct
// loops: the 2-D pools of exported models run NHWC through kernels/pool.h; these serve the rest.
#pragma once

#include <array>
#include <cstdint>

namespace qgate::kernels {

constexpr int kMaxPoolSpatial = 3;

enum class PoolKind : uint8_t {
  max,      // the largest tap inside the input: the first, then each one larger (padding never wins)
  average,  // the mean over the taps inside the input, or over the taps inside the padded input when
            // count_include_pad (padding counts as zeros; taps past the end padding never count)
  lp,       // (sum over taps inside the input of |x|^p)^(1/p)
};

struct PoolNdParams {
  int spatial = 2;          // 1..3; unused trailing entries are 1 (sizes) or 0 (pads)
  int64_t planes = 1;       // batch * channels: every plane pooled on its own
  std::array<int64_t, kMaxPoolSpatial> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1},
      dilation{1, 1, 1}, pad_begin{0, 0, 0}, pad_end{0, 0, 0};
  PoolKind kind = PoolKind::max;
  bool count_include_pad = false;
  float p = 2.0f;  // lp
};

// x is [planes, in...], y is [planes, out...]. indices (max only; may be null) receives for every output the
// position of its maximum in the whole input, flattened over [planes, in...] (ONNX's storage_order 0). A window
// with no tap inside the input gives -infinity (max), NaN (average) or 0 (lp).
void pool_nd(const PoolNdParams& p, const float* x, float* y, int64_t* indices);

// MaxUnpool (ONNX): y (planes * out volume elements, the output shape given) is zeros except y[indices[i]] = x[i]
// for every input element i; indices flatten over the output as MaxPool's over its input. An index outside y is
// skipped; the count of such is returned.
int64_t max_unpool(const float* x, const int64_t* indices, int64_t count, float* y, int64_t out_elements);

}  // namespace qgate::kernels
