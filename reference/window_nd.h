// Naive twins of kernels/conv_nd.h and kernels/pool_nd.h: every output element from its definition, in double,
// with the window's taps enumerated as full coordinates (the kernels walk them dim by dim).
#pragma once

#include "kernels/conv_nd.h"
#include "kernels/pool_nd.h"

namespace qgate::reference {

void conv_nd(const kernels::ConvNdParams& p, const float* x, const float* w, const float* bias, float* y);
void conv_transpose_nd(const kernels::ConvNdParams& p, const float* x, const float* w, const float* bias, float* y);
void pool_nd(const kernels::PoolNdParams& p, const float* x, float* y, int64_t* indices);
int64_t max_unpool(const float* x, const int64_t* indices, int64_t count, float* y, int64_t out_elements);

}  // namespace qgate::reference
