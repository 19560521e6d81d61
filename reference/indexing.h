// Naive twins of the indexing kernels: kernels/gather_elements.h, kernels/gather_nd.h, kernels/one_hot.h,
// kernels/trilu.h and kernels/reverse_sequence.h, written on float data with full multi-indices recomputed for
// every element.
#pragma once

#include <vector>

#include "kernels/gather_elements.h"
#include "kernels/gather_nd.h"
#include "kernels/one_hot.h"
#include "kernels/reverse_sequence.h"
#include "kernels/trilu.h"

namespace qgate::reference {

using kernels::ScatterReduction;

void gather_elements(const std::vector<int32_t>& data_shape, const float* data, const std::vector<int32_t>& index_shape,
                     const int64_t* indices, int axis, float* out);
void scatter_elements(const std::vector<int32_t>& data_shape, const float* data,
                      const std::vector<int32_t>& index_shape, const int64_t* indices, const float* updates, int axis,
                      ScatterReduction reduction, float* out);
// From the shapes as ONNX states them: data [b_0..b_{B-1}, d_B, ...], indices [b_0..b_{B-1}, t..., q].
void gather_nd(const std::vector<int32_t>& data_shape, const float* data, const std::vector<int32_t>& index_shape,
               const int64_t* indices, int batch_dims, float* out);
void scatter_nd(const std::vector<int32_t>& data_shape, const float* data, const std::vector<int32_t>& index_shape,
                const int64_t* indices, const float* updates, ScatterReduction reduction, float* out);
void one_hot(const int64_t* indices, int64_t outer, int64_t depth, int64_t inner, float on, float off, float* out);
void trilu(const float* in, int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper, float* out);
// ONNX's ReverseSequence on a tensor of any rank >= 2 (time_axis and batch_axis are 0 and 1 in either order);
// every length in [0, shape[time_axis]].
void reverse_sequence(const std::vector<int32_t>& shape, int time_axis, int batch_axis, const int64_t* seq_lens,
                      const float* in, float* out);

}  // namespace qgate::reference
