// Naive twins of kernels/binary.h: one output element at a time, indices from the padded (uncollapsed) shapes.
#pragma once

#include "kernels/binary.h"

namespace qgate::reference {

using kernels::Activation;
using kernels::BinaryOp;
using kernels::BroadcastShape;

void binary_float(BinaryOp op, const BroadcastShape& s, const float* a, const float* b, float* out,
                  Activation act);
void binary_int32(BinaryOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, int32_t* out,
                  Activation act);

}  // namespace qgate::reference
