// Naive twins of kernels/fill.h: the count by stepping from start until limit is reached, values in double (one
// rounding, where the kernel rounds the product and the sum).
#pragma once

#include "kernels/fill.h"

namespace qgate::reference {

void fill(const void* value, void* out, int64_t n, size_t elem_size);
int64_t range_count_float(float start, float limit, float delta);
int64_t range_count_int(int64_t start, int64_t limit, int64_t delta);
void range_float(float start, float delta, float* out, int64_t n);
void range_int64(int64_t start, int64_t delta, int64_t* out, int64_t n);

}  // namespace qgate::reference
