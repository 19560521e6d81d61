// Naive twin of kernels/roi_align.h, in double: each sample read as the weighted sum of its four clamped
// neighbours, written from the bilinear definition.
#pragma once

#include "kernels/roi_align.h"

namespace qgate::reference {

void roi_align(const kernels::RoiAlignParams& p, int64_t batch, const float* x, const float* rois,
               const int64_t* batch_index, float* y);

}  // namespace qgate::reference
