// Naive twin of kernels/resize_nd.h: every output element from ONNX's formulas in double, without tap tables
// (the coordinate, its neighbours and their weights recomputed for each element and dim).
#pragma once

#include "kernels/resize_nd.h"

namespace qgate::reference {

void resize_nd(const kernels::ResizeNdParams& p, const float* in, float* out);

}  // namespace qgate::reference
