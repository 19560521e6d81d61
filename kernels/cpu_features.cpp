#include "kernels/cpu_features.h"

#include <cstdlib>

namespace qgate::kernels {

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = [] {
    CpuFeatures c;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    c.avx2 = __builtin_cpu_supports("avx2");
    c.fma = __builtin_cpu_supports("fma");
    c.f16c = __builtin_cpu_supports("f16c");
#endif
    return c;
  }();
  return f;
}

bool use_avx2() {
  static const bool v = [] {
    const char* off = std::getenv("QGATE_DISABLE_AVX2");
    return cpu_features().avx2 && cpu_features().fma && !(off && *off && *off != '0');
  }();
  return v;
}

std::string kernel_path() { return use_avx2() ? "avx2+fma" : "portable"; }

}  // namespace qgate::kernels
