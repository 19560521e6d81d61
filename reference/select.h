// Naive twin of kernels/select.h: every output element's multi-index, mapped into each input by numpy's
// broadcasting rule (an input dim of 1 is read at index 0), recomputed from scratch.
#pragma once

#include "kernels/select.h"

namespace qgate::reference {

void select(const kernels::SelectShape& s, const uint8_t* cond, const void* x, const void* y, void* out,
            size_t elem_size);

}  // namespace qgate::reference
