// Naive twin of kernels/reduce.h: walks every input element over the shape as given and accumulates into its
// output in double.
#pragma once

#include "kernels/reduce.h"

namespace qgate::reference {

using kernels::ReduceOp;
using kernels::ReduceShape;

void reduce_float(ReduceOp op, const ReduceShape& s, const float* in, float* out);

}  // namespace qgate::reference
