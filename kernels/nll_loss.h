// NegativeLogLikelihoodLoss (ONNX; with a LogSoftmax in front, SoftmaxCrossEntropyLoss): the negated input at the
// target class of every sample, weighted per class, optionally reduced.
#pragma once

#include <cstdint>

namespace qgate::kernels {

enum class LossReduction : uint8_t { none, sum, mean };

struct NllLossParams {
  int64_t batch = 1, classes = 1, inner = 1;  // input is [batch, classes, inner], target [batch, inner]
  bool has_ignore_index = false;
  int64_t ignore_index = 0;
  LossReduction reduction = LossReduction::mean;
};

// loss[n, i] = -input[n, target[n, i], i] * w(target), w = weight[class] (1 when weight is null), 0 for the
// ignore_index. none: out is [batch, inner]; sum: out[0] is the sum; mean: the sum divided by the sum of the w
// of the samples not ignored (NaN when that is 0, as onnxruntime gives), sums in double. A target outside
// [0, classes) that is not ignored contributes 0 and is counted in the return value.
int64_t nll_loss(const NllLossParams& p, const float* input, const int64_t* target, const float* weight, float* out);

}  // namespace qgate::kernels
