// Naive twins of kernels/binary.h: one output element at a time, indices from the padded (uncollapsed) shapes.
#pragma once

#include "kernels/binary.h"

namespace qgate::reference {

using kernels::Activation;
using kernels::BinaryOp;
using kernels::BroadcastShape;

// Offsets in a and b of output element `o`, by decomposing o over the padded (uncollapsed) output dims.
void broadcast_offsets(const BroadcastShape& s, int64_t o, int64_t* ia, int64_t* ib);

void binary_float(BinaryOp op, const BroadcastShape& s, const float* a, const float* b, float* out,
                  Activation act);
void binary_int32(BinaryOp op, const BroadcastShape& s, const int32_t* a, const int32_t* b, int32_t* out,
                  Activation act);
void binary_int64(BinaryOp op, const BroadcastShape& s, const int64_t* a, const int64_t* b, int64_t* out);

}  // namespace qgate::reference
