// Convolution-family ops through the executor: hand-built graphs with constant weights, checked against the
// reference kernels, and the shape errors prepare() reports.
#include <doctest/doctest.h>

#include <string>

#include "core/errors.h"
#include "harness/executor.h"
#include "reference/conv2d.h"
#include "reference/fully_connected.h"
#include "reference/transpose_conv2d.h"
#include "tests/kernels/float_check.h"
#include "tests/support/graph_builder.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

TEST_SUITE("harness.conv_ops") {
  TEST_CASE("conv2d node with constant filter and bias runs through the executor and matches the reference") {
    const auto input = test::random_floats(2 * 9 * 7 * 5, 1);
    const auto filter = test::random_floats(6 * 3 * 3 * 5, 2);
    const auto bias = test::random_floats(6, 3);
    test::GraphBuilder b("test.tflite");
    const int in = b.input("in", {2, 9, 7, 5});
    const int f = b.constant("filter", {6, 3, 3, 5}, filter);
    const int bt = b.constant("bias", {6}, bias);
    const Attributes a = test::attributes({{"padding", 0},
                                           {"stride_w", 2},
                                           {"stride_h", 1},
                                           {"dilation_w_factor", 1},
                                           {"dilation_h_factor", 1},
                                           {"fused_activation_function", 3}});
    const Graph graph = b.build({b.node(OpType::conv2d, "layer", {in, f, bt}, a)});
    Executor ex(graph);
    ex.prepare();
    REQUIRE(ex.output(0).shape == Shape{2, 9, 4, 6});
    test::set_input(ex, 0, input);
    ex.run();

    // SAME: out_w = ceil(7 / 2) = 4, padding (4-1)*2 + 3 - 7 = 2 along W and (9-1)*1 + 3 - 9 = 2 along H.
    const kernels::Conv2DParams p{.batch = 2, .in_h = 9, .in_w = 7, .in_c = 5, .out_h = 9, .out_w = 4, .out_c = 6,
                                  .kernel_h = 3, .kernel_w = 3, .stride_w = 2, .pad_top = 1, .pad_left = 1,
                                  .activation = kernels::Activation::relu6};
    test::check_against_reference(reference::conv2d_float, p, input, filter, &bias, test::values_of(ex.output(0)));
  }

  TEST_CASE("conv2d rejects a filter whose input channels do not divide the input's") {
    const std::vector<float> filter(4 * 3 * 3 * 3, 0.5f);
    test::GraphBuilder b("test.tflite");
    const int in = b.input("in", {1, 8, 8, 4});
    const int f = b.constant("filter", {4, 3, 3, 3}, filter);
    const Graph graph = b.build({b.node(OpType::conv2d, "layer", {in, f, -1})});
    Executor ex(graph);
    try {
      ex.prepare();
      FAIL("prepare() accepted a 3-channel filter on a 4-channel input");
    } catch (const ModelError& e) {
      const std::string msg = e.what();
      CHECK(msg.find("conv2d node 0 (layer)") != std::string::npos);
      CHECK(msg.find("filter has 3 input channels, input has 4") != std::string::npos);
    }
  }

  TEST_CASE("fully_connected keep_num_dims and row folding") {
    const auto w = test::random_floats(10 * 6, 4);
    for (bool keep : {false, true}) {
      CAPTURE(keep);
      test::GraphBuilder b("test.tflite");
      const int in = b.input("in", {2, 3, 6});
      const int wt = b.constant("w", {10, 6}, w);
      const Attributes a = test::attributes({{"keep_num_dims", keep}});
      const Graph graph = b.build({b.node(OpType::fully_connected, "layer", {in, wt, -1}, a)});
      Executor ex(graph);
      ex.prepare();
      REQUIRE(ex.output(0).shape == (keep ? Shape{2, 3, 10} : Shape{6, 10}));
      const auto x = test::random_floats(36, 5);
      test::set_input(ex, 0, x);
      ex.run();
      kernels::FullyConnectedParams p{6, 6, 10, kernels::Activation::none};
      test::check_against_reference(reference::fully_connected_float, p, x, w, nullptr, test::values_of(ex.output(0)));
    }
  }

  TEST_CASE("conv2d_transpose_bias output size: SAME in * stride, VALID (in - 1) * stride + kernel") {
    const auto w = test::random_floats(3 * 4 * 4 * 2, 6);
    const auto bias = test::random_floats(3, 7);
    for (int64_t padding : {0, 1}) {
      CAPTURE(padding);
      test::GraphBuilder b("test.tflite");
      const int in = b.input("in", {1, 5, 6, 2});
      const int wt = b.constant("w", {3, 4, 4, 2}, w);
      const int bt = b.constant("b", {3}, bias);
      const Attributes a = test::attributes({{"padding", padding}, {"stride_w", 2}, {"stride_h", 2}});
      const Graph graph = b.build({b.node(OpType::conv2d_transpose_bias, "layer", {in, wt, bt}, a)});
      Executor ex(graph);
      ex.prepare();
      const Shape want_shape = padding == 0 ? Shape{1, 10, 12, 3} : Shape{1, 12, 14, 3};
      REQUIRE(ex.output(0).shape == want_shape);
      const auto x = test::random_floats(60, 8);
      test::set_input(ex, 0, x);
      ex.run();
      const int32_t pad = padding == 0 ? 1 : 0;  // SAME: total (5-1)*2 + 4 - 10 = 2
      const kernels::TransposeConv2DParams p{.in_h = 5, .in_w = 6, .in_c = 2, .out_h = want_shape[1],
                                             .out_w = want_shape[2], .out_c = 3, .kernel_h = 4, .kernel_w = 4,
                                             .stride_h = 2, .stride_w = 2, .pad_top = pad, .pad_left = pad};
      test::check_against_reference(reference::transpose_conv2d_float, p, x, w, &bias, test::values_of(ex.output(0)));
    }
  }
}

}  // namespace
}  // namespace qgate
