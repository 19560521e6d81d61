// Naive reference twin of kernels/gru.h: one batch row and one gate row at a time, in the formula's order,
// quantizing each row inline with reference::quantize_row. A test oracle (it allocates; the scratch argument is
// accepted for signature parity and ignored).
#pragma once

#include "kernels/gru.h"

namespace qgate::reference {

void gru_sequence(const kernels::GruParams& p, const kernels::GruWeights& w, const kernels::SequenceLayout& layout,
                  bool forward, const float* x, float* h, float* out, int out_stride, kernels::GruScratch& scratch);

}  // namespace qgate::reference
