#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reference/einsum.h"
#include "tests/kernels/elementwise_test_util.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using Dims = std::vector<int32_t>;

struct Run {
  std::vector<int32_t> shape;
  std::vector<float> got, want;
};

// Plans `eq` for operands of `shapes` filled with seeded values, runs kernel and twin.
Run run(const std::string& eq, const std::vector<Dims>& shapes, std::vector<std::vector<float>>* operands = nullptr) {
  kernels::EinsumPlan plan;
  Run r;
  const std::string error = kernels::make_einsum_plan(eq, shapes, &plan, &r.shape);
  REQUIRE_MESSAGE(error.empty(), eq << ": " << error);
  std::vector<std::vector<float>> data;
  std::vector<const float*> ptrs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    int64_t n = 1;
    for (int32_t d : shapes[i]) n *= d;
    data.push_back(test::random_floats(n, static_cast<uint32_t>(7 + i), -1.0f, 1.0f));
  }
  for (const auto& d : data) ptrs.push_back(d.data());
  r.got = test::nan_filled(plan.out_elements);
  r.want = test::nan_filled(plan.out_elements);
  std::vector<double> scratch(plan.out_elements);
  kernels::einsum(plan, ptrs, r.got.data(), scratch.data());
  reference::einsum(plan, ptrs, r.want.data());
  if (operands) *operands = data;
  return r;
}

TEST_SUITE("kernels.einsum") {

TEST_CASE("kernel equals the twin exactly (both sum in double) over ONNX's and exporters' equations") {
  struct Case {
    std::string eq;
    std::vector<Dims> shapes;
  };
  for (const Case& c : {Case{"ij,jk->ik", {{3, 4}, {4, 5}}}, Case{"bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
                        Case{"ij->ji", {{3, 4}}}, Case{"ii->i", {{4, 4}}}, Case{"ij->", {{3, 4}}},
                        Case{"i,i", {{5}, {5}}}, Case{"...ii->...i", {{2, 3, 3}}},
                        Case{"bhqd,bhkd->bhqk", {{1, 2, 3, 4}, {1, 2, 5, 4}}}, Case{"ij", {{2, 3}}},
                        Case{"...j,jk->...k", {{2, 1, 3}, {3, 2}}}, Case{"b...,b...->b...", {{2, 1, 3}, {2, 4, 1}}},
                        Case{"i,j->ij", {{3}, {4}}}, Case{"ba", {{2, 3}}}}) {
    CAPTURE(c.eq);
    const Run r = run(c.eq, c.shapes);
    CHECK(r.got == r.want);
  }
}

TEST_CASE("hand-computed shapes and values: matmul, transpose, diagonal, sum, broadcasting, implicit output") {
  std::vector<std::vector<float>> ops;
  Run r = run("ij,jk->ik", {{2, 3}, {3, 2}}, &ops);
  CHECK(r.shape == Dims{2, 2});
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 2; ++k) {
      double s = 0;
      for (int j = 0; j < 3; ++j) s += double(ops[0][i * 3 + j]) * ops[1][j * 2 + k];
      CHECK(r.got[i * 2 + k] == doctest::Approx(s).epsilon(1e-6));
    }
  r = run("ij->ji", {{2, 3}}, &ops);
  CHECK(r.shape == Dims{3, 2});
  CHECK(r.got[1] == ops[0][3]);  // out[0][1] = in[1][0]
  r = run("ii->i", {{3, 3}}, &ops);
  CHECK(r.shape == Dims{3});
  CHECK(r.got[2] == ops[0][8]);
  r = run("ij->", {{2, 2}}, &ops);
  CHECK(r.shape.empty());
  CHECK(r.got[0] == doctest::Approx(ops[0][0] + ops[0][1] + ops[0][2] + ops[0][3]).epsilon(1e-6));
  r = run("ba", {{2, 3}}, &ops);  // implicit output: letters in alphabetical order, a transpose
  CHECK(r.shape == Dims{3, 2});
  r = run("...j,jk->...k", {{2, 1, 3}, {3, 4}}, &ops);
  CHECK(r.shape == Dims{2, 1, 4});
  r = run("b...,b...->b...", {{2, 1, 3}, {2, 4, 1}}, &ops);  // "..." broadcasts [1,3] with [4,1]
  CHECK(r.shape == Dims{2, 4, 3});
  CHECK(r.got[(1 * 4 + 2) * 3 + 1] == doctest::Approx(double(ops[0][1 * 3 + 1]) * ops[1][1 * 4 + 2]));
}

TEST_CASE("refusals name the rule") {
  kernels::EinsumPlan plan;
  std::vector<int32_t> shape;
  CHECK(kernels::make_einsum_plan("ij,jk->ik", {{2, 3}, {4, 5}}, &plan, &shape) != "");  // j is 3 and 4
  CHECK(kernels::make_einsum_plan("ij->ik", {{2, 3}}, &plan, &shape) != "");            // k in no input
  CHECK(kernels::make_einsum_plan("ijk->i", {{2, 3}}, &plan, &shape) != "");            // rank mismatch
  CHECK(kernels::make_einsum_plan("ij,jk", {{2, 3}}, &plan, &shape) != "");             // two terms, one operand
}

}  // TEST_SUITE
}  // namespace
}  // namespace qgate
