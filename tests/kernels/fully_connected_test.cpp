#include <doctest/doctest.h>

#include <cstring>
#include <fmt/format.h>

#include "kernels/fully_connected.h"
#include "reference/fully_connected.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"
#include "tests/support/threads.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::FullyConnectedParams;
using kernels::SimdPath;

std::vector<float> run_fast(const FullyConnectedParams& p, const std::vector<float>& in, const std::vector<float>& w,
                            const float* bias, SimdPath path) {
  const auto packed = kernels::pack_fully_connected_weights(p, w.data());
  auto out = test::nan_filled(size_t(p.rows * p.units));
  kernels::fully_connected_float(p, packed, in.data(), bias, out.data(), path);
  return out;
}

TEST_SUITE("kernels.fully_connected") {
  TEST_CASE("matches the reference over a shape sweep, every path") {
    const Activation acts[] = {Activation::none, Activation::relu, Activation::relu_n1_to_1, Activation::tanh};
    int i = 0;
    test::for_each_path([&](SimdPath path) {
      for (int64_t rows : {1, 2, 3, 4, 5, 6, 7, 13})
        for (int64_t depth : {1, 5, 17, 64})
          for (int64_t units : {1, 7, 16, 33, 70}) {
            FullyConnectedParams p{rows, depth, units, acts[i % 4]};
            const bool with_bias = i % 3 != 0;
            ++i;
            CAPTURE(fmt::format("rows{} depth{} units{} bias{} act{}", rows, depth, units, with_bias,
                                static_cast<int>(p.activation)));
            const auto in = test::random_floats(size_t(rows * depth), 11u + i);
            const auto w = test::random_floats(size_t(units * depth), 13u + i);
            const auto b = test::random_floats(size_t(units), 17u);
            CHECK(test::check_against_reference(reference::fully_connected_float, p, in, w, with_bias ? &b : nullptr,
                                                run_fast(p, in, w, with_bias ? b.data() : nullptr, path)) == 0);
          }
    });
  }

  TEST_CASE("results are bit-identical for 1 and 2 threads (row split and column split)") {
    for (int64_t rows : {1, 4, 50}) {
      CAPTURE(rows);
      FullyConnectedParams p{rows, 300, 200, Activation::relu};
      const auto in = test::random_floats(size_t(rows * 300), 1);
      const auto w = test::random_floats(size_t(200 * 300), 2);
      const auto b = test::random_floats(200, 3);
      test::for_each_path([&](SimdPath path) {
        CHECK(test::check_same_for_1_and_2_threads([&](int) { return run_fast(p, in, w, b.data(), path); }));
      });
    }
  }
}

}  // namespace
}  // namespace qgate
