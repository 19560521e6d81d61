// Spatial and shape ops run through the Executor on small hand-built graphs.
#include <doctest/doctest.h>

#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/executor.h"
#include "tests/support/graph_builder.h"

namespace qgate {
namespace {

using test::values_of;

TEST_SUITE("harness.ops.spatial") {
  TEST_CASE("reshape -> transpose -> concatenation") {
    test::GraphBuilder b;
    const int x = b.input("x", {2, 3});
    const int shape = b.constant<int32_t>("shape", {2}, {3, -1});
    const int perm = b.constant<int32_t>("perm", {2}, {1, 0});
    const int r = b.tensor("r");
    const int t = b.tensor("t");
    const int c = b.tensor("c");
    b.node_into(OpType::reshape, {x, shape}, {r});
    b.node_into(OpType::transpose, {r, perm}, {t});
    b.node_into(OpType::concatenation, {t, x}, {c}).attrs.set("axis", int64_t{-2});
    const Graph graph = b.build({c});
    Executor ex(graph);
    ex.prepare();
    std::iota(ex.input(0).as<float>(), ex.input(0).as<float>() + 6, 0.0f);
    ex.run();
    // x = [[0,1,2],[3,4,5]] -> reshape [[0,1],[2,3],[4,5]] -> transpose [[0,2,4],[1,3,5]] -> stacked over x.
    CHECK(ex.output(0).shape == Shape{4, 3});
    CHECK(values_of<float>(ex.output(0)) == std::vector<float>{0, 2, 4, 1, 3, 5, 0, 1, 2, 3, 4, 5});
  }

  TEST_CASE("int32 shape arithmetic: strided_slice, pack, gather, squeeze, expand_dims") {
    test::GraphBuilder b;
    const int s = b.input("s", {4}, DType::i32);  // e.g. a shape [1, 224, 160, 3]
    const int begin = b.constant<int32_t>("begin", {1}, {1});
    const int end = b.constant<int32_t>("end", {1}, {3});
    const int one = b.constant<int32_t>("one", {1}, {1});
    const int hw = b.tensor("hw", DType::i32);
    b.node_into(OpType::strided_slice, {s, begin, end, one}, {hw});
    const int k = b.constant<int32_t>("k", {}, {7});
    const int h = b.tensor("h", DType::i32);
    b.node_into(OpType::gather, {hw, b.constant<int64_t>("i0", {1}, {0})}, {h});  // [224]
    const int hs = b.tensor("hs", DType::i32);
    b.node_into(OpType::squeeze, {h}, {hs});  // scalar 224
    const int packed = b.tensor("packed", DType::i32);
    b.node_into(OpType::pack, {hs, k}, {packed}).attrs.set("values_count", int64_t{2});  // [224, 7]
    const int e = b.tensor("e", DType::i32);
    b.node_into(OpType::expand_dims, {packed, b.constant<int32_t>("ax", {}, {-1})}, {e});  // [[224],[7]]
    const Graph graph = b.build({hw, e});
    Executor ex(graph);
    ex.prepare();
    const int32_t in[4] = {1, 224, 160, 3};
    std::memcpy(ex.input(0).data.data(), in, sizeof(in));
    ex.run();
    CHECK(values_of<int32_t>(ex.output(0)) == std::vector<int32_t>{224, 160});
    CHECK(ex.output(1).shape == Shape{2, 1});
    CHECK(values_of<int32_t>(ex.output(1)) == std::vector<int32_t>{224, 7});
  }

  TEST_CASE("pad, max_pool2d, resize_bilinear, split, unpack, tile, depth_to_space") {
    test::GraphBuilder b;
    const int x = b.input("x", {1, 2, 2, 2});
    const int pads = b.constant<int32_t>("pads", {4, 2}, {0, 0, 1, 1, 1, 1, 0, 0});
    const int p = b.tensor("p");
    b.node_into(OpType::pad, {x, pads}, {p});  // [1,4,4,2]
    const int m = b.tensor("m");
    auto& pool = b.node_into(OpType::max_pool2d, {p}, {m});  // 2x2 stride 2 VALID -> [1,2,2,2]
    pool.attrs.set("padding", int64_t{1});
    for (const char* a : {"stride_w", "stride_h", "filter_width", "filter_height"}) pool.attrs.set(a, int64_t{2});
    const int size = b.constant<int32_t>("size", {2}, {4, 4});
    const int r = b.tensor("r");
    b.node_into(OpType::resize_bilinear, {m, size}, {r}).attrs.set("half_pixel_centers", int64_t{1});
    const int axis = b.constant<int32_t>("axis", {}, {3});
    const int s0 = b.tensor("s0"), s1 = b.tensor("s1");
    b.node_into(OpType::split, {axis, r}, {s0, s1}).attrs.set("num_splits", int64_t{2});
    const int u0 = b.tensor("u0"), u1 = b.tensor("u1");
    b.node_into(OpType::unpack, {m}, {u0, u1}).attrs.set("axis", int64_t{1});  // [1,2,2] each
    const int tl = b.tensor("tl");
    b.node_into(OpType::tile, {u0, b.constant<int64_t>("mult", {3}, {1, 1, 2})}, {tl});
    const int d = b.tensor("d");
    b.node_into(OpType::depth_to_space, {b.constant<float>("q", {1, 1, 1, 4}, {1, 2, 3, 4})}, {d})
        .attrs.set("block_size", int64_t{2});
    const Graph graph = b.build({s0, s1, tl, d});
    Executor ex(graph);
    ex.prepare();
    // Channel 0: 1 2 / 3 4; channel 1: -1 -2 / -3 -4. Zero padding around: each 2x2 window of the padded
    // 4x4 holds one input pixel and three zeros, so the max is max(x, 0).
    const float in[8] = {1, -1, 2, -2, 3, -3, 4, -4};
    std::memcpy(ex.input(0).data.data(), in, sizeof(in));
    ex.run();
    CHECK(ex.output(0).shape == Shape{1, 4, 4, 1});
    // The pooled channel 0 is [[1,2],[3,4]]: the hand-computed half-pixel resize of the kernel test.
    CHECK(values_of<float>(ex.output(0)) == std::vector<float>{1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f,
                                                            2.5f, 2.75f, 3.25f, 3.5f, 3.0f, 3.25f, 3.75f, 4.0f});
    CHECK(values_of<float>(ex.output(1)) == std::vector<float>(16, 0.0f));
    // u0 = pooled row 0: [[1,0],[2,0]] -> tiled on the last dim: [[1,0,1,0],[2,0,2,0]].
    CHECK(ex.output(2).shape == Shape{1, 2, 4});
    CHECK(values_of<float>(ex.output(2)) == std::vector<float>{1, 0, 1, 0, 2, 0, 2, 0});
    CHECK(ex.output(3).shape == Shape{1, 2, 2, 1});
    CHECK(values_of<float>(ex.output(3)) == std::vector<float>{1, 2, 3, 4});
  }

  TEST_CASE("max_pooling_with_argmax and max_unpooling through the executor (int32 and float indices)") {
    for (DType idx_type : {DType::i32, DType::f32}) {
      test::GraphBuilder b;
      const int x = b.input("x", {1, 2, 2, 1});
      const int v = b.tensor("v"), i = b.tensor("i", idx_type);
      auto& mp = b.node_into(OpType::max_pooling_with_argmax, {x}, {v, i});
      for (const char* a : {"stride_w", "stride_h", "filter_width", "filter_height"}) mp.attrs.set(a, int64_t{2});
      mp.attrs.set("padding", int64_t{1});
      const int u = b.tensor("u");
      auto& up = b.node_into(OpType::max_unpooling, {v, i}, {u});
      up.attrs.set("stride_w", int64_t{2});
      up.attrs.set("stride_h", int64_t{2});
      const Graph graph = b.build({u, i});
      Executor ex(graph);
      ex.prepare();
      const float in[4] = {0.5f, -1, 3, 2};
      std::memcpy(ex.input(0).data.data(), in, sizeof(in));
      ex.run();
      CHECK(values_of<float>(ex.output(0)) == std::vector<float>{0, 0, 3, 0});
      if (idx_type == DType::i32) CHECK(values_of<int32_t>(ex.output(1)) == std::vector<int32_t>{2});
      else CHECK(values_of<float>(ex.output(1)) == std::vector<float>{2.0f});
    }
  }

  TEST_CASE("prepare errors name the rule and the values") {
    test::GraphBuilder b("m.tflite");
    const int x = b.input("x", {1, 4, 5, 8});
    const int y = b.input("y", {1, 4, 4, 8});
    const int c = b.tensor("c");
    b.node_into(OpType::concatenation, {x, y}, {c}).attrs.set("axis", int64_t{3});
    const Graph graph = b.build({c});
    Executor ex(graph);
    try {
      ex.prepare();
      FAIL("prepare should have failed");
    } catch (const ModelError& e) {
      CHECK(std::string(e.what()) ==
            "m.tflite: concatenation node 0 (c): concatenation axis 3: input 1 has shape [1,4,4,8], input 0 has "
            "[1,4,5,8] (all dims but the axis must match)");
    }
  }

  TEST_CASE("reshape element-count mismatch and out-of-range constant gather index are rejected") {
    {
      test::GraphBuilder b;
      const int x = b.input("x", {2, 3});
      const int r = b.tensor("r");
      b.node_into(OpType::reshape, {x}, {r}).attrs.set("new_shape", std::vector<int64_t>{4, 2});
      const Graph graph = b.build({r});
      Executor ex(graph);
      CHECK_THROWS_WITH_AS(ex.prepare(), doctest::Contains("new_shape attribute [4,2] has 8 elements, input [2,3] has 6"),
                           ModelError);
    }
    {
      test::GraphBuilder b;
      const int x = b.input("x", {3, 2});
      const int g = b.tensor("g");
      b.node_into(OpType::gather, {x, b.constant<int32_t>("idx", {2}, {0, 3})}, {g});
      const Graph graph = b.build({g});
      Executor ex(graph);
      CHECK_THROWS_WITH_AS(ex.prepare(), doctest::Contains("index 3 (element 1 of 'idx') is outside [0, 3)"), ModelError);
    }
  }
}

}  // namespace
}  // namespace qgate
