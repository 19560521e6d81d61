#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "reference/det.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

TEST_SUITE("kernels.det") {

TEST_CASE("det equals the cofactor expansion within 1e-5 relative, n = 1..6, singular matrices") {
  for (int64_t n = 1; n <= 6; ++n) {
    const int64_t batch = 3;
    auto x = test::random_floats(batch * n * n, static_cast<uint32_t>(n), -2.0f, 2.0f);
    if (n > 1)  // matrix 2: two equal rows, determinant 0
      for (int64_t k = 0; k < n; ++k) x[2 * n * n + n + k] = x[2 * n * n + k];
    std::vector<float> want(batch, NAN), got(batch, NAN);
    std::vector<double> scratch(n * n);
    reference::det(x.data(), batch, n, want.data());
    kernels::det(x.data(), batch, n, got.data(), scratch.data());
    for (int64_t b = 0; b < batch; ++b) {
      CAPTURE(n);
      CAPTURE(b);
      // Both in double: LU's rounding against the expansion's, relative to the product of the row norms
      // (Hadamard's bound on |det|), stays far below 1e-5.
      double bound = 1;
      for (int64_t r = 0; r < n; ++r) {
        double s = 0;
        for (int64_t k = 0; k < n; ++k) s += double(x[b * n * n + r * n + k]) * x[b * n * n + r * n + k];
        bound *= std::sqrt(s);
      }
      CHECK(std::fabs(got[b] - want[b]) <= 1e-5 * bound);
    }
  }
}

TEST_CASE("hand-computed") {
  const float m[] = {1, 2, 3, 4, /**/ 2, 0, 0, 0, 3, 0, 0, 0, 4, /**/ 0, 1, 1, 0};
  float d[2];
  double scratch[9];
  kernels::det(m, 1, 2, d, scratch);
  CHECK(d[0] == -2.0f);
  kernels::det(m + 4, 1, 3, d, scratch);
  CHECK(d[0] == 24.0f);
  kernels::det(m + 13, 1, 2, d, scratch);  // a row swap of the identity
  CHECK(d[0] == -1.0f);
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
