// Einsum (ONNX): a sum of products over index labels, e.g. "bij,bjk->bik" (batched matmul), "ii->i" (diagonal),
// "ij->" (sum), with "..." standing for broadcast dims. make_einsum_plan() parses the equation against the
// operand shapes once; einsum() walks every combination of label values. Portable and direct: the products of
// exported models that are plain matmuls go to BATCH_MATMUL instead.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace qgate::kernels {

constexpr int kMaxEinsumLabels = 16;
constexpr int kMaxEinsumOperands = 4;

struct EinsumPlan {
  int labels = 0, operands = 0;
  std::array<int64_t, kMaxEinsumLabels> sizes{};
  // Element stride of each operand along each label: the sum of the strides of its dims that carry the label
  // (a repeated label walks a diagonal), 0 where the operand lacks the label or broadcasts it (a dim of 1).
  std::array<std::array<int64_t, kMaxEinsumLabels>, kMaxEinsumOperands> strides{};
  std::array<int64_t, kMaxEinsumLabels> out_strides{};  // 0 for the labels summed over
  int64_t out_elements = 1;
};

// Parses `equation` (ONNX's grammar: letters, "...", commas, an optional "->" output) for operands of the given
// shapes. Returns "" and fills plan and out_shape, or the rule the equation or shapes break.
std::string make_einsum_plan(const std::string& equation, const std::vector<std::vector<int32_t>>& shapes,
                             EinsumPlan* plan, std::vector<int32_t>* out_shape);

// out[o] = sum over the summed labels of the product of the operands; accumulated in double per output element,
// rounded once. `scratch` holds plan.out_elements doubles.
void einsum(const EinsumPlan& plan, std::span<const float* const> operands, float* out, double* scratch);

}  // namespace qgate::kernels
