// Hybrid CONV_2D -> DEPTHWISE_CONV_2D -> FULLY_CONNECTED through the PTQ transform and the executor, for every
// preset scheme, checked against the reference twins computed from the quantized graph's own int8 weights; and
// the errors prepare() reports for int8 weights the hybrid kernels cannot take.
//
// Tolerance: none for hybrid schemes (the twins use the same formulas: outputs identical bit for bit). The
// weight-only scheme runs the float kernels on dequantized weights; it is compared with the float reference
// twins (double sums) at a relative 1e-5 of the output magnitude plus 1e-5 absolute.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/executor.h"
#include "harness/ptq.h"
#include "harness/scheme.h"
#include "reference/conv2d.h"
#include "reference/conv2d_hybrid.h"
#include "reference/depthwise_conv2d.h"
#include "reference/depthwise_conv2d_hybrid.h"
#include "reference/fully_connected_hybrid.h"
#include "tests/kernels/hybrid_test_util.h"
#include "tests/support/graph_builder.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

// input [2, 9, 9, 5] -> conv 3x3 (8, SAME, dilation 2, RELU) -> depthwise 3x3 (stride 2, SAME) -> FC 10.
struct Net {
  Graph g;
  int in, conv_w, conv_b, conv_out, dw_w, dw_b, dw_out, fc_w, fc_b, out;
};

Net make_net() {
  Net n;
  const auto cw = test::random_floats(8 * 3 * 3 * 5, 11);
  const auto cb = test::random_floats(8, 12);
  auto dw = test::random_floats(1 * 3 * 3 * 8, 13);
  for (int t = 0; t < 9; ++t) dw[static_cast<size_t>(t * 8 + 5)] = 0.0f;  // an all-zero depthwise channel
  const auto db = test::random_floats(8, 14);
  const auto fw = test::random_floats(10 * 5 * 5 * 8, 15, -0.2f, 0.2f);
  const auto fb = test::random_floats(10, 16);
  test::GraphBuilder b("test.tflite");
  n.in = b.input("in", {2, 9, 9, 5});
  n.conv_w = b.constant("conv/w", {8, 3, 3, 5}, cw);
  n.conv_b = b.constant("conv/b", {8}, cb);
  n.conv_out = b.node(OpType::conv2d, "conv", {n.in, n.conv_w, n.conv_b}, test::conv_attributes(0, 1, 2, 1));
  n.dw_w = b.constant("dw/w", {1, 3, 3, 8}, dw);
  n.dw_b = b.constant("dw/b", {8}, db);
  Attributes da = test::conv_attributes(0, 2, 1, 0);
  da.set("depth_multiplier", int64_t{1});
  n.dw_out = b.node(OpType::depthwise_conv2d, "dw", {n.conv_out, n.dw_w, n.dw_b}, da);
  n.fc_w = b.constant("fc/w", {10, 5 * 5 * 8}, fw);
  n.fc_b = b.constant("fc/b", {10}, fb);
  n.out = b.node(OpType::fully_connected, "fc", {n.dw_out, n.fc_w, n.fc_b});
  n.g = b.build({n.out});
  return n;
}

// SAME with dilation 2 keeps 9x9: the effective kernel is 5, padded 2 before.
kernels::Conv2DParams conv_params() {
  return {.batch = 2, .in_h = 9, .in_w = 9, .in_c = 5, .out_h = 9, .out_w = 9, .out_c = 8, .kernel_h = 3,
          .kernel_w = 3, .dilation_h = 2, .dilation_w = 2, .pad_top = 2, .pad_left = 2,
          .activation = kernels::Activation::relu};
}

// SAME with stride 2: ceil(9 / 2) = 5, padding (5-1)*2 + 3 - 9 = 2, 1 before.
kernels::DepthwiseConv2DParams dw_params() {
  return {.batch = 2, .in_h = 9, .in_w = 9, .in_c = 8, .out_h = 5, .out_w = 5, .kernel_h = 3, .kernel_w = 3,
          .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1};
}

void check_near(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-5 * std::fabs(want[i]) + 1e-5)) {
      ++bad;
      FAIL_CHECK(fmt::format("{}[{}]: got {:.9g}, reference {:.9g}", what, i, got[i], want[i]));
    }
}

// The modes the ops must pick for each preset (harness/ops/conv2d.cpp, depthwise_conv2d.cpp, fully_connected.cpp).
struct Expect {
  const char* scheme;
  kernels::HybridParams conv;
  kernels::HybridParams fc;
};

TEST_SUITE("harness.hybrid_ops") {
  TEST_CASE("conv -> depthwise -> FC quantized by each preset matches the reference twins on its int8 weights") {
    using kernels::HybridEpilogue;
    using kernels::HybridInputQuantization;
    constexpr auto exact = kernels::Int8ProductArithmetic::exact;
    const Expect expects[] = {
        {"tflite-dynamic",
         {HybridInputQuantization::asymmetric_rows, HybridEpilogue::scale_product},
         {HybridInputQuantization::asymmetric_rows, HybridEpilogue::scale_product, exact, true}},
        {"tflite-dynamic-legacy",
         {HybridInputQuantization::symmetric_rows, HybridEpilogue::scale_product},
         {HybridInputQuantization::symmetric_rows, HybridEpilogue::scale_product, exact, true}},
        {"xnnpack-qd8",
         {HybridInputQuantization::xnnpack_rows, HybridEpilogue::input_scale_first},
         {HybridInputQuantization::xnnpack_rows, HybridEpilogue::input_scale_first}},
        {"weight-only-int8", {}, {}},
    };
    const Net net = make_net();
    const auto input = test::random_floats(2 * 9 * 9 * 5, 17, -2.0f, 3.0f);

    Executor fex(net.g);
    fex.prepare();
    test::set_input(fex, 0, input);
    fex.run();

    for (const Expect& e : expects) {
      CAPTURE(e.scheme);
      const Scheme scheme = Scheme::parse(std::string(e.scheme) + ",min-elements=0");
      const QuantizedGraph qg = quantize_graph(net.g, scheme);
      const Graph& g = qg.graph;
      Executor ex(g);
      ex.prepare();
      test::set_input(ex, 0, input);
      ex.run();
      const std::vector<float> got_conv = test::values_of(ex.tensor(net.conv_out));
      const std::vector<float> got_dw = test::values_of(ex.tensor(net.dw_out));
      const std::vector<float> got_out = test::values_of(ex.output(0));
      CHECK(got_out != test::values_of(fex.output(0)));  // quantization changed something

      const Tensor& cw = g.tensors[net.conv_w];
      const Tensor& dw = g.tensors[net.dw_w];
      const Tensor& fw = g.tensors[net.fc_w];
      const float* cb = g.tensors[net.conv_b].as<float>();
      const float* db = g.tensors[net.dw_b].as<float>();
      const float* fb = g.tensors[net.fc_b].as<float>();
      std::vector<float> want_conv(got_conv.size()), want_dw(got_dw.size()), want_out(got_out.size());
      if (scheme.activations == ActivationMode::weight_only) {
        REQUIRE(cw.dtype == DType::f32);
        reference::conv2d_float(conv_params(), input.data(), cw.as<float>(), cb, want_conv.data());
        reference::depthwise_conv2d_float(dw_params(), got_conv.data(), dw.as<float>(), db, want_dw.data());
        for (int b = 0; b < 2; ++b)
          for (int n = 0; n < 10; ++n) {
            double s = fb[n];
            for (int k = 0; k < 200; ++k) s += double{fw.as<float>()[n * 200 + k]} * got_dw[static_cast<size_t>(b * 200 + k)];
            want_out[static_cast<size_t>(b * 10 + n)] = static_cast<float>(s);
          }
        check_near(got_conv, want_conv, "conv");
        check_near(got_dw, want_dw, "depthwise");
        check_near(got_out, want_out, "fc");
        continue;
      }
      REQUIRE(cw.dtype == DType::i8);
      REQUIRE(dw.dtype == DType::i8);
      REQUIRE(fw.dtype == DType::i8);
      // Each stage from the previous stage's executor output, so a mismatch names its stage.
      reference::conv2d_hybrid(conv_params(), e.conv, cw.as<int8_t>(), cw.quant.scale.data(),
                               static_cast<int32_t>(cw.quant.scale.size()), input.data(), cb, want_conv.data());
      reference::depthwise_conv2d_hybrid(dw_params(),
                                         {HybridInputQuantization::asymmetric_rows, HybridEpilogue::input_scale_first},
                                         dw.as<int8_t>(), dw.quant.scale.data(),
                                         static_cast<int32_t>(dw.quant.scale.size()), got_conv.data(), db,
                                         want_dw.data());
      reference::fully_connected_hybrid({2, 200, 10, kernels::Activation::none}, e.fc, fw.as<int8_t>(),
                                        fw.quant.scale.data(), static_cast<int32_t>(fw.quant.scale.size()),
                                        got_dw.data(), fb, want_out.data());
      test::check_bits(got_conv, want_conv, "conv");
      test::check_bits(got_dw, want_dw, "depthwise");
      test::check_bits(got_out, want_out, "fc");
    }
  }

  // LiteRT's XNNPACK runs a 1x1 stride-1 convolution as a fully connected layer over the pixels, each pixel a
  // row with its own asymmetric scale and zero point (measured on fmnist_cnn, tests/parity/own_models.txt);
  // under the xnnpack epilogue qgate's conv must equal the FC twin over [batch*h*w, in_c], not per image.
  TEST_CASE("xnnpack-qd8: a pointwise conv quantizes each pixel as an FC row") {
    const auto w = test::random_floats(6 * 1 * 1 * 40, 21);
    const auto bias = test::random_floats(6, 22);
    test::GraphBuilder b("test.tflite");
    const int in = b.input("in", {2, 3, 5, 40});
    const int wt = b.constant("pw/w", {6, 1, 1, 40}, w);
    const int bt = b.constant("pw/b", {6}, bias);
    const Graph g = b.build({b.node(OpType::conv2d, "pw", {in, wt, bt}, test::conv_attributes(1, 1, 1, 1))});
    // Rows of very different ranges, so per-pixel and per-image scales differ.
    auto input = test::random_floats(2 * 3 * 5 * 40, 23, -1.0f, 2.0f);
    for (size_t i = 0; i < input.size(); ++i) input[i] *= static_cast<float>(1 + (i / 40) % 7);
    const QuantizedGraph qg = quantize_graph(g, Scheme::parse("xnnpack-qd8,min-elements=0"));
    Executor ex(qg.graph);
    ex.prepare();
    test::set_input(ex, 0, input);
    ex.run();
    const Tensor& qw = qg.graph.tensors[wt];
    REQUIRE(qw.dtype == DType::i8);
    std::vector<float> want(2 * 3 * 5 * 6);
    reference::fully_connected_hybrid({30, 40, 6, kernels::Activation::relu},
                                      {kernels::HybridInputQuantization::xnnpack_rows,
                                       kernels::HybridEpilogue::input_scale_first},
                                      qw.as<int8_t>(), qw.quant.scale.data(),
                                      static_cast<int32_t>(qw.quant.scale.size()), input.data(), bias.data(),
                                      want.data());
    test::check_bits(test::values_of(ex.output(0)), want, "pointwise conv");
  }

  TEST_CASE("prepare rejects int8 weights the hybrid kernels cannot take, naming the rule") {
    Net net = make_net();
    QuantizedGraph qg = quantize_graph(net.g, Scheme::parse("tflite-dynamic,min-elements=0"));
    auto expect_error = [&](Graph& g, const std::string& fragment) {
      Executor ex(g);
      try {
        ex.prepare();
        FAIL("prepare() accepted the graph; expected an error containing '" << fragment << "'");
      } catch (const ModelError& err) {
        CAPTURE(err.what());
        CHECK(std::string(err.what()).find(fragment) != std::string::npos);
      }
    };
    SUBCASE("-128 in a conv filter") {
      qg.graph.tensors[net.conv_w].as<int8_t>()[7] = -128;
      expect_error(qg.graph, "holds -128 (element 7)");
    }
    SUBCASE("-128 in FC weights") {
      qg.graph.tensors[net.fc_w].as<int8_t>()[0] = -128;
      expect_error(qg.graph, "holds -128");
    }
    SUBCASE("scale count neither 1 nor the channels") {
      qg.graph.tensors[net.dw_w].quant.scale.resize(3, 0.1f);
      expect_error(qg.graph, "has 3 scales");
    }
    SUBCASE("per-channel on the wrong dimension") {
      qg.graph.tensors[net.conv_w].quant.axis = 3;
      expect_error(qg.graph, "per channel on dimension 3, expected dimension 0");
    }
    SUBCASE("non-zero weight zero point") {
      qg.graph.tensors[net.fc_w].quant.zero_point = {5};
      expect_error(qg.graph, "zero_point[0] = 5");
    }
    SUBCASE("unknown epilogue") {
      qg.graph.nodes[1].attrs.set(kEpilogueAttr, std::string("gemmlowp"));
      expect_error(qg.graph, "'gemmlowp'");
    }
  }

  TEST_CASE("TFLite's rule: a per-channel scale array with one distinct value runs the per-tensor (symmetric) "
            "conv path") {
    Net net = make_net();
    QuantizedGraph qg = quantize_graph(net.g, Scheme::parse("per-channel,min-elements=0"));
    Tensor& cw = qg.graph.tensors[net.conv_w];
    REQUIRE(cw.quant.scale.size() == 8);
    std::fill(cw.quant.scale.begin(), cw.quant.scale.end(), cw.quant.scale[0]);
    qg.graph.nodes[0].attrs.set(kAsymmetricInputsAttr, int64_t{0});
    Executor ex(qg.graph);
    ex.prepare();
    const auto input = test::random_floats(2 * 9 * 9 * 5, 21);
    test::set_input(ex, 0, input);
    ex.run();
    std::vector<float> want(2 * 9 * 9 * 8);
    reference::conv2d_hybrid(conv_params(),
                             {kernels::HybridInputQuantization::symmetric_rows, kernels::HybridEpilogue::scale_product},
                             cw.as<int8_t>(), cw.quant.scale.data(), 1, input.data(),
                             qg.graph.tensors[net.conv_b].as<float>(), want.data());
    test::check_bits(test::values_of(ex.tensor(net.conv_out)), want, "conv");
  }
}

}  // namespace
}  // namespace qgate
