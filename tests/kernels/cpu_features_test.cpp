// kernels/cpu_features.h, the one dispatch rule: what path_availability() says is derived here independently from
// the CPU flags and the environment, and resolve_path() and kernel_path() must follow it. ctest runs the kernel
// suites twice (unit.kernels, and unit.kernels_portable with QGATE_DISABLE_AVX2=1), so both sides of the switch
// are checked on this machine.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "kernels/cpu_features.h"

namespace qgate {
namespace {

using kernels::SimdPath;

bool switched_off_here() {
  const char* v = std::getenv("QGATE_DISABLE_AVX2");
  return v != nullptr && std::string(v) != "" && std::string(v) != "0";
}

TEST_SUITE("kernels.cpu_features") {
  TEST_CASE("the concrete paths, their names, and the portable path always available") {
    REQUIRE(std::size(kernels::kConcretePaths) == 2);
    CHECK(kernels::kConcretePaths[0] == SimdPath::portable);
    CHECK(kernels::kConcretePaths[1] == SimdPath::avx2);
    CHECK(std::string(kernels::path_name(SimdPath::portable)) == "portable");
    CHECK(std::string(kernels::path_name(SimdPath::avx2)) == "avx2");
    CHECK(std::string(kernels::path_name(SimdPath::automatic)) == "automatic");
    CHECK(kernels::path_availability(SimdPath::portable).available);
    CHECK(kernels::path_availability(SimdPath::portable).reason.empty());
    CHECK_FALSE(kernels::path_availability(SimdPath::automatic).available);
    CHECK(kernels::resolve_path(SimdPath::portable) == SimdPath::portable);
  }

  TEST_CASE("avx2 is available exactly when the CPU has AVX2, FMA and F16C and QGATE_DISABLE_AVX2 is off") {
    const kernels::CpuFeatures& f = kernels::cpu_features();
    const bool cpu_has = f.avx2 && f.fma && f.f16c;
    const bool expected = cpu_has && !switched_off_here();
    const kernels::PathAvailability& a = kernels::path_availability(SimdPath::avx2);
    CAPTURE(a.reason);
    CHECK(a.available == expected);
    CHECK(a.reason.empty() == expected);
    if (cpu_has && switched_off_here()) CHECK(a.reason.find("QGATE_DISABLE_AVX2") != std::string::npos);
    // The resolution every kernel runs follows the same rule.
    CHECK(kernels::resolve_path(SimdPath::avx2) == (expected ? SimdPath::avx2 : SimdPath::portable));
    CHECK(kernels::resolve_path(SimdPath::automatic) == (expected ? SimdPath::avx2 : SimdPath::portable));
    CHECK(kernels::kernel_path() == (expected ? "avx2+fma" : "portable"));
    MESSAGE("cpu: " << kernels::cpu_feature_list() << "; avx2 path "
                    << (a.available ? "available" : "unavailable: " + a.reason));
  }
}

}  // namespace
}  // namespace qgate
