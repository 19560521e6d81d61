// Run-time CPU feature detection; kernels pick their AVX2 path only when the CPU has it.
#pragma once

#include <string>

namespace qgate::kernels {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
};

const CpuFeatures& cpu_features();
// True when the AVX2 + FMA kernels are used (CPU has them and QGATE_DISABLE_AVX2 is not set in the environment).
bool use_avx2();
// "avx2+fma" or "portable", for reports.
std::string kernel_path();

}  // namespace qgate::kernels
