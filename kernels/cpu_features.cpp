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

const char* path_name(SimdPath p) {
  switch (p) {
    case SimdPath::automatic: return "automatic";
    case SimdPath::portable: return "portable";
    case SimdPath::avx2: return "avx2";
  }
  return "?";
}

namespace {

// A disable switch is on when its variable is set to anything but "" or "0".
bool switched_off(const char* variable) {
  const char* v = std::getenv(variable);
  return v && *v && !(v[0] == '0' && v[1] == '\0');
}

PathAvailability detect_avx2() {
  const CpuFeatures& c = cpu_features();
  if (!c.avx2) return {false, "the CPU has no AVX2"};
  if (!c.fma) return {false, "the CPU has no FMA"};
  if (!c.f16c) return {false, "the CPU has no F16C"};
  if (switched_off("QGATE_DISABLE_AVX2"))
    return {false, "QGATE_DISABLE_AVX2=" + std::string(std::getenv("QGATE_DISABLE_AVX2")) + " in the environment", true};
  return {true, ""};
}

}  // namespace

const PathAvailability& path_availability(SimdPath p) {
  static const PathAvailability portable{true, ""};
  static const PathAvailability avx2 = detect_avx2();
  static const PathAvailability automatic{false, "automatic is not a concrete path"};
  switch (p) {
    case SimdPath::portable: return portable;
    case SimdPath::avx2: return avx2;
    case SimdPath::automatic: break;
  }
  return automatic;
}

SimdPath resolve_path(SimdPath p) {
  // Kernels call this on every run: no allocation, no environment read after the first call.
  static const bool avx2 = path_availability(SimdPath::avx2).available;
  if (p == SimdPath::automatic) return avx2 ? SimdPath::avx2 : SimdPath::portable;
  return p == SimdPath::avx2 && !avx2 ? SimdPath::portable : p;
}

std::string kernel_path() { return resolve_path(SimdPath::automatic) == SimdPath::avx2 ? "avx2+fma" : "portable"; }

}  // namespace qgate::kernels
