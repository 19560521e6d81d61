// Run-time CPU feature detection; kernels pick their AVX2 path only when the CPU has it.
#pragma once

#include <string>

namespace qgate::kernels {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  // Detected for reports and `qgate --version`; kernels that use them check them here too.
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avxvnni = false;
};

// "avx2 fma f16c avx512f ..." : the detected features, in a fixed order, for reports and --version.
std::string cpu_feature_list();

const CpuFeatures& cpu_features();
// True when the AVX2 + FMA kernels are used (CPU has them and QGATE_DISABLE_AVX2 is not set in the environment).
bool use_avx2();
// "avx2+fma" or "portable", for reports.
std::string kernel_path();

}  // namespace qgate::kernels
