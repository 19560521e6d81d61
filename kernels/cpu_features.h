// Run-time CPU feature detection and the one dispatch point of the kernels
// (docs/architecture.md#kernels-parameters-paths-twins).
//
// Every public kernel with more than one implementation takes `SimdPath path = SimdPath::automatic` as its last
// argument and runs resolve_path(path): `automatic` is the best path this process may run, a named path that it
// may not run falls back to portable. path_availability() is the single rule behind both, and behind the test
// helper that enumerates paths (tests/support/paths.h). Kernels with one implementation take no path.
#pragma once

#include <cstdint>
#include <string>

namespace qgate::kernels {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  // Detected for reports and `qgate --version`; no kernel uses them yet.
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avxvnni = false;
};

const CpuFeatures& cpu_features();
// "avx2 fma f16c avx512f ..." : the detected features, in a fixed order, for reports and --version.
std::string cpu_feature_list();

// Which implementation a kernel runs. portable: plain C++ (the compiler's baseline x86-64 code); avx2: the
// *_avx2.cpp files, compiled with -mavx2 -mfma -mf16c.
enum class SimdPath : uint8_t { automatic, portable, avx2 };

// The concrete paths, best last, for tests and benchmarks to enumerate.
inline constexpr SimdPath kConcretePaths[] = {SimdPath::portable, SimdPath::avx2};

// "automatic", "portable", "avx2".
const char* path_name(SimdPath p);

// Whether this process may run a concrete path, and if not why. portable: always. avx2: the CPU has AVX2, FMA and
// F16C, and the disable switch QGATE_DISABLE_AVX2 is unset, empty or "0". Read once per process.
// To add a disable switch or a path (AVX-512, VNNI): extend this function; resolve_path, kernel_path and the tests'
// path enumeration follow it.
struct PathAvailability {
  bool available = false;
  std::string reason;  // why not, when not: "the CPU has no FMA", "QGATE_DISABLE_AVX2=1 in the environment"
  bool switched_off = false;  // not available only because a disable switch asked so (the CPU has what it needs)
};
const PathAvailability& path_availability(SimdPath p);

// automatic -> the best available path; a named path that is not available -> portable.
SimdPath resolve_path(SimdPath p);

// The path `automatic` takes, for reports: "avx2+fma" or "portable".
std::string kernel_path();

}  // namespace qgate::kernels
