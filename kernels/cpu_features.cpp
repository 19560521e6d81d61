#include "kernels/cpu_features.h"

#include <cstdlib>
#include <utility>

namespace qgate::kernels {

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = [] {
    CpuFeatures c;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    c.avx2 = __builtin_cpu_supports("avx2");
    c.fma = __builtin_cpu_supports("fma");
    c.f16c = __builtin_cpu_supports("f16c");
    c.avx512f = __builtin_cpu_supports("avx512f");
    c.avx512bw = __builtin_cpu_supports("avx512bw");
    c.avx512vl = __builtin_cpu_supports("avx512vl");
    c.avx512vnni = __builtin_cpu_supports("avx512vnni");
    c.avxvnni = __builtin_cpu_supports("avxvnni");
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

std::string cpu_feature_list() {
  const CpuFeatures& c = cpu_features();
  const std::pair<const char*, bool> named[] = {{"avx2", c.avx2},         {"fma", c.fma},
                                                {"f16c", c.f16c},         {"avx512f", c.avx512f},
                                                {"avx512bw", c.avx512bw}, {"avx512vl", c.avx512vl},
                                                {"avx512vnni", c.avx512vnni}, {"avxvnni", c.avxvnni}};
  std::string out;
  for (const auto& [name, has] : named)
    if (has) out += (out.empty() ? "" : " ") + std::string(name);
  return out.empty() ? "none" : out;
}

std::string kernel_path() { return use_avx2() ? "avx2+fma" : "portable"; }

}  // namespace qgate::kernels
