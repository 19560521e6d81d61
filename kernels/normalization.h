// Normalizations over parts of a tensor: LayerNormalization (the trailing dims of every row), group and instance
// normalization (the channels of a group and all their spatial positions, one image at a time), and local
// response normalization across channels. Statistics in double: the mean first, then the mean squared deviation
// from it (two passes, no cancellation); the normalized value in float.
#pragma once

#include <cstdint>

namespace qgate::kernels {

// x is [rows, cols]: every row is normalized over its cols. y = (x - mean) * inv_std * scale[c] + bias[c] with
// inv_std = 1 / sqrt(var + epsilon); scale and bias hold cols values (bias may be null). mean and inv_std, when
// non-null, receive the row's statistics (ONNX's optional outputs).
void layer_norm(const float* x, int64_t rows, int64_t cols, const float* scale, const float* bias, float epsilon,
                float* y, float* mean, float* inv_std);

// x is [batch, channels, spatial]: the channels fall into `groups` equal groups, each normalized over its
// channels and spatial positions; then y = normalized * scale[c] + bias[c] per channel (instance normalization is
// groups = channels).
void group_norm(const float* x, int64_t batch, int64_t channels, int64_t spatial, int64_t groups, const float* scale,
                const float* bias, float epsilon, float* y);

// x is [outer, channels, inner]: y = x / (bias + alpha * sum of x^2 over channels [c - before, c + after])^beta,
// the window clipped at the ends. ONNX's LRN is before = floor((size - 1) / 2), after = ceil((size - 1) / 2),
// alpha = its alpha / size; TFLite's is before = after = radius on the last axis.
struct LrnParams {
  int64_t before = 0, after = 0;
  float alpha = 1e-4f, beta = 0.75f, bias = 1.0f;
};
void local_response_normalization(const float* x, int64_t outer, int64_t channels, int64_t inner,
                                  const LrnParams& p, float* y);

}  // namespace qgate::kernels
