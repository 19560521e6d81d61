// The sum-order tolerance check of the float kernel tests against a reference kernel (their data comes from
// tests/support/random.h).
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "kernels/activation.h"

namespace qgate::test {

// Fast and reference kernels differ only in summation order (float FMA chains vs double sums), so an output may
// be off by a few ulps of the sum of its terms' magnitudes: |fast - ref| <= kSumOrderRelTol * sum |terms|.
// The bound on a float sum of K terms is about K * 2^-24 * sum |terms|; K here stays below ~500 and
// random-sign sums come in far lower, so 1e-5 leaves a wide margin yet catches any wrong or missing term.
constexpr double kSumOrderRelTol = 1e-5;

inline std::vector<float> abs_of(const std::vector<float>& v) {
  std::vector<float> a(v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = std::fabs(v[i]);
  return a;
}

// Checks every element: finite (the NaN sentinel was overwritten) and within the sum-order tolerance, where
// magnitude[i] is the reference kernel run on |input|, |weights|, |bias| with no activation. Reports the first five
// elements off and returns how many are (0: all close).
inline int check_close(const std::vector<float>& got, const std::vector<float>& want,
                        const std::vector<float>& magnitude) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = kSumOrderRelTol * magnitude[i] + 1e-30;
    if (!(std::fabs(double{got[i]} - double{want[i]}) <= tol) && ++bad <= 5)
      FAIL_CHECK("element " << i << ": got " << got[i] << ", reference " << want[i] << ", tolerance " << tol);
  }
  return bad;
}

// A fast float kernel's output against its reference twin: want = reference(p, in, weights, bias), and the
// tolerance's magnitude = reference(p with no activation, |in|, |weights|, |bias|). `bias` may be null. Returns the
// number of elements off (check_close).
template <typename Params, typename Reference>
int check_against_reference(Reference reference, const Params& p, const std::vector<float>& in,
                             const std::vector<float>& weights, const std::vector<float>* bias,
                             const std::vector<float>& got) {
  std::vector<float> want(got.size()), magnitude(got.size());
  reference(p, in.data(), weights.data(), bias ? bias->data() : nullptr, want.data());
  Params abs_p = p;
  abs_p.activation = kernels::Activation::none;
  const std::vector<float> ai = abs_of(in), aw = abs_of(weights), ab = bias ? abs_of(*bias) : std::vector<float>();
  reference(abs_p, ai.data(), aw.data(), bias ? ab.data() : nullptr, magnitude.data());
  return check_close(got, want, magnitude);
}

}  // namespace qgate::test
