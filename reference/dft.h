// Naive twins of kernels/dft.h: each bin from the definition in long double, the angle 2 pi k j / N computed
// without the kernel's modular reduction, frames of the STFT cut out and transformed one by one.
#pragma once

#include "kernels/dft.h"

namespace qgate::reference {

void dft(const kernels::DftParams& p, const float* x, float* out);
void stft(const kernels::StftParams& p, const float* x, const float* window, float* out);

}  // namespace qgate::reference
