// Naive twins of the one-axis kernels: kernels/arg_minmax.h (the extreme value first, then its first or last
// position), kernels/topk.h (a stable sort of the whole line), kernels/cumsum.h (every output summed afresh in
// double).
#pragma once

#include "kernels/arg_minmax.h"
#include "kernels/cumsum.h"
#include "kernels/topk.h"

namespace qgate::reference {

using kernels::ArgOp;
using kernels::AxisShape;

// Inputs without NaN (the kernels' NaN rules are tested by hand).
void arg_minmax(ArgOp op, const AxisShape& s, const float* in, bool select_last_index, int64_t* out);
void topk(const AxisShape& s, int64_t k, bool largest, const float* in, float* values, int64_t* indices);
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const float* in, float* out);
void cumsum(const AxisShape& s, bool exclusive, bool reverse, const int64_t* in, int64_t* out);

}  // namespace qgate::reference
