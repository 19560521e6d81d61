// The one way kernel tests pick kernel paths (docs/architecture.md#kernels-parameters-paths-twins):
//
//   test::for_each_path([&](kernels::SimdPath path) { ... kernels::some_kernel(..., path); ... });
//
// runs the body once per concrete path this process may run, in kernels::kConcretePaths order, each inside an INFO
// naming the path (a failure says which one failed). "May run" is kernels::path_availability(): the CPU's features
// and every disable switch (QGATE_DISABLE_AVX2=1 runs the portable path only) -- the rule the kernels' `automatic`
// follows. A test of one path's own helper (an AVX2 rounding routine) asks `if (!test::runs(SimdPath::avx2))
// return;` instead. Each test case that asked prints one line when it ends (tests/support/paths.cpp), e.g.
//   kernel paths | kernels.conv2d_hybrid | per-tensor weights, no bias: ran portable avx2
//   kernel paths | kernels.conv2d_hybrid | per-tensor weights, no bias: ran portable; skipped avx2
//   (QGATE_DISABLE_AVX2=1 in the environment)
#pragma once

#include <doctest/doctest.h>

#include <vector>

#include "kernels/cpu_features.h"

namespace qgate::test {

// The concrete paths this process may run, portable first; records every concrete path as asked for.
std::vector<kernels::SimdPath> runnable_paths();

// Whether this process may run `path`; records it as asked for.
bool runs(kernels::SimdPath path);

template <typename Body>
void for_each_path(Body&& body) {
  for (kernels::SimdPath path : runnable_paths()) {
    INFO("kernel path ", kernels::path_name(path));
    body(path);
  }
}

}  // namespace qgate::test
