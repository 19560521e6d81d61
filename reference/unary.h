// Naive twin of kernels/unary.h. Transcendental functions are evaluated in double and rounded once, so this is
// the more accurate side of every comparison.
#pragma once

#include "kernels/unary.h"

namespace qgate::reference {

using kernels::UnaryOp;
using kernels::UnaryParams;

void unary_float(UnaryOp op, const UnaryParams& p, const float* in, float* out, int64_t n);

}  // namespace qgate::reference
