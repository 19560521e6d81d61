#include <doctest/doctest.h>

#include <cstring>
#include <fmt/format.h>

#include "kernels/fully_connected.h"
#include "reference/fully_connected.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"

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
            std::vector<float> want(size_t(rows * units)), magnitude(want.size());
            reference::fully_connected_float(p, in.data(), w.data(), with_bias ? b.data() : nullptr, want.data());
            FullyConnectedParams abs_p = p;
            abs_p.activation = Activation::none;
            const auto ai = test::abs_of(in), aw = test::abs_of(w), ab = test::abs_of(b);
            reference::fully_connected_float(abs_p, ai.data(), aw.data(), with_bias ? ab.data() : nullptr,
                                             magnitude.data());
            test::check_close(run_fast(p, in, w, with_bias ? b.data() : nullptr, path), want, magnitude);
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
        std::vector<float> one, two;
        {
          test::ThreadCount t(1);
          one = run_fast(p, in, w, b.data(), path);
        }
        {
          test::ThreadCount t(2);
          two = run_fast(p, in, w, b.data(), path);
        }
        CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
      });
    }
  }
}

}  // namespace
}  // namespace qgate
