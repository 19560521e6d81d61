// XNNPACK's WebAssembly summation orders (LiteRT's CPU arithmetic): the packed conv / fully connected GEMM and the
// vectorised depthwise kernel against their naive twins (reference/xnnpack_wasm.h), bit for bit on every SIMD
// path; the nr2 rule; and LiteRT's own LOGISTIC and HARD_SWISH outputs (golden pairs measured with LiteRT.js).
#include <doctest/doctest.h>

#include <bit>
#include <cstring>
#include <fmt/format.h>

#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/fully_connected.h"
#include "kernels/xnnpack_wasm.h"
#include "reference/xnnpack_wasm.h"
#include "tests/kernels/conv_params.h"
#include "tests/kernels/float_check.h"
#include "tests/support/paths.h"
#include "tests/support/random.h"

namespace qgate {
namespace {

using kernels::Activation;
using kernels::FloatAccumulation;
using kernels::SimdPath;

// Bit-identical, signed zeros and NaN sentinels included (a sentinel left in place fails).
void check_bits(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (std::bit_cast<uint32_t>(got[i]) != std::bit_cast<uint32_t>(want[i])) {
      ++bad;
      FAIL_CHECK(fmt::format("element {}: got {} want {}", i, got[i], want[i]));
    }
}

struct ConvCase {
  int batch, h, w, cin, cout, k, stride, dilation, groups;
  bool same;
  Activation act;
};

kernels::Conv2DParams conv_params(const ConvCase& c, FloatAccumulation a) {
  kernels::Conv2DParams p = test::conv2d_params({c.batch, c.h, c.w, c.cin, c.cout, c.k, c.k, c.stride, c.stride,
                                                 c.dilation, c.dilation, c.same, c.groups, c.act});
  p.accumulation = a;
  return p;
}

std::vector<float> run_conv(const kernels::Conv2DParams& p, const std::vector<float>& in, const std::vector<float>& f,
                            const std::vector<float>& bias, SimdPath path) {
  const auto packed = kernels::pack_conv2d_weights(p, f.data());
  const int slots = 2;
  std::vector<float> scratch(size_t(kernels::conv2d_scratch_size(p) * slots) + 1);
  auto out = test::nan_filled(size_t(p.batch) * p.out_h * p.out_w * p.out_c);
  kernels::conv2d_float(p, packed, in.data(), bias.data(), out.data(), scratch.data(), slots, path);
  return out;
}

TEST_SUITE("kernels.xnnpack_wasm") {
  TEST_CASE("conv2d in XNNPACK's orders equals its naive twin bit for bit, on every path") {
    // Pointwise (the GEMM over pixels), strided and padded windows, dilation, groups, channel counts around the
    // 16-column panels and the four c4 lanes, fused clamps.
    const ConvCase cases[] = {
        {1, 7, 5, 16, 24, 1, 1, 1, 1, true, Activation::none},   {2, 6, 6, 7, 5, 1, 1, 1, 1, true, Activation::relu},
        {1, 9, 8, 3, 17, 3, 2, 1, 1, true, Activation::relu6},   {1, 8, 7, 13, 33, 3, 1, 1, 1, true, Activation::none},
        {1, 11, 9, 6, 3, 5, 1, 1, 1, true, Activation::none},    {1, 10, 10, 8, 8, 3, 1, 2, 1, false, Activation::none},
        {1, 8, 8, 12, 10, 3, 1, 1, 2, true, Activation::relu},   {1, 5, 6, 64, 1, 1, 1, 1, 1, true, Activation::none},
    };
    for (const ConvCase& c : cases)
      for (FloatAccumulation a : {FloatAccumulation::xnnpack_wasm, FloatAccumulation::xnnpack_wasm_c4})
        for (SimdPath path : test::runnable_paths()) {
          CAPTURE(fmt::format("{} n{} {}x{}x{} -> {} k{} s{} d{} g{} {}", kernels::path_name(path), c.batch, c.h, c.w,
                              c.cin, c.cout, c.k, c.stride, c.dilation, c.groups,
                              a == FloatAccumulation::xnnpack_wasm ? "xnnpack_wasm" : "xnnpack_wasm_c4"));
          const auto p = conv_params(c, a);
          const auto in = test::random_floats(size_t(p.batch) * p.in_h * p.in_w * p.in_c, 3 + c.cin);
          const auto f = test::random_floats(size_t(p.out_c) * p.kernel_h * p.kernel_w * (p.in_c / p.groups), 5 + c.cout);
          const auto bias = test::random_floats(size_t(p.out_c), 7);
          std::vector<float> want(size_t(p.batch) * p.out_h * p.out_w * p.out_c);
          reference::conv2d_xnnpack_wasm(p, in.data(), f.data(), bias.data(), want.data());
          check_bits(run_conv(p, in, f, bias, path), want);
        }
  }

  TEST_CASE("the XNNPACK order is not qgate's own: a deep layer rounds differently somewhere") {
    // Guards against the accumulation flag being ignored: 288 terms per output differ in some last bit.
    const ConvCase c{1, 12, 12, 32, 16, 3, 1, 1, 1, true, Activation::none};
    const auto in = test::random_floats(size_t(12) * 12 * 32, 11), f = test::random_floats(size_t(16) * 9 * 32, 12);
    const auto bias = test::random_floats(16, 13);
    const auto xnn = run_conv(conv_params(c, FloatAccumulation::xnnpack_wasm), in, f, bias, SimdPath::automatic);
    const auto own = run_conv(conv_params(c, FloatAccumulation::fma_bias_last), in, f, bias, SimdPath::automatic);
    CHECK(std::memcmp(xnn.data(), own.data(), xnn.size() * sizeof(float)) != 0);
  }

  TEST_CASE("fully connected in XNNPACK's orders equals the naive twin (a 1x1 convolution over rows)") {
    for (int units : {1, 3, 10, 16, 63})
      for (FloatAccumulation a : {FloatAccumulation::xnnpack_wasm, FloatAccumulation::xnnpack_wasm_c4})
        for (SimdPath path : test::runnable_paths()) {
          CAPTURE(fmt::format("{} units {} {}", kernels::path_name(path), units, static_cast<int>(a)));
          kernels::FullyConnectedParams p;
          p.rows = 3;
          p.depth = 37;
          p.units = units;
          p.accumulation = a;
          const auto in = test::random_floats(size_t(p.rows * p.depth), 21), w = test::random_floats(size_t(units * p.depth), 22);
          const auto bias = test::random_floats(size_t(units), 23);
          auto got = test::nan_filled(size_t(p.rows * units));
          kernels::fully_connected_float(p, kernels::pack_fully_connected_weights(p, w.data()), in.data(), bias.data(),
                                         got.data(), path);
          const ConvCase as_conv{3, 1, 1, 37, units, 1, 1, 1, 1, true, Activation::none};
          std::vector<float> want(got.size());
          reference::conv2d_xnnpack_wasm(conv_params(as_conv, a), in.data(), w.data(), bias.data(), want.data());
          check_bits(got, want);
        }
  }

  TEST_CASE("depthwise in XNNPACK's order (taps column by column) equals its naive twin, on every path") {
    struct Dw {
      int c, dm, k, stride, dilation;
      bool same;
    };
    const Dw cases[] = {{1, 1, 3, 1, 1, true}, {7, 1, 3, 2, 1, true}, {8, 1, 5, 1, 1, true}, {33, 1, 3, 1, 2, true},
                        {40, 1, 5, 2, 1, false}, {5, 2, 3, 1, 1, true}, {130, 1, 3, 1, 1, true}};
    for (const Dw& d : cases)
      for (SimdPath path : test::runnable_paths()) {
        CAPTURE(fmt::format("{} c{} dm{} k{} s{} d{}", kernels::path_name(path), d.c, d.dm, d.k, d.stride, d.dilation));
        kernels::DepthwiseConv2DParams p;
        p.batch = 2;
        p.in_h = 9;
        p.in_w = 7;
        p.in_c = d.c;
        p.depth_multiplier = d.dm;
        p.kernel_h = p.kernel_w = d.k;
        p.stride_h = p.stride_w = d.stride;
        p.dilation_h = p.dilation_w = d.dilation;
        p.out_h = kernels::conv_output_size(p.in_h, d.k, d.stride, d.dilation, d.same);
        p.out_w = kernels::conv_output_size(p.in_w, d.k, d.stride, d.dilation, d.same);
        p.pad_top = kernels::conv_pad_before(p.in_h, p.out_h, d.k, d.stride, d.dilation, d.same);
        p.pad_left = kernels::conv_pad_before(p.in_w, p.out_w, d.k, d.stride, d.dilation, d.same);
        p.activation = Activation::relu6;
        p.accumulation = FloatAccumulation::xnnpack_wasm;
        const auto in = test::random_floats(size_t(p.batch) * p.in_h * p.in_w * p.in_c, 31, -4.0f, 4.0f);
        const auto f = test::random_floats(size_t(d.k) * d.k * p.out_c(), 32);
        const auto bias = test::random_floats(size_t(p.out_c()), 33);
        std::vector<float> want(size_t(p.batch) * p.out_h * p.out_w * p.out_c());
        reference::depthwise_conv2d_xnnpack_wasm(p, in.data(), f.data(), bias.data(), want.data());
        auto got = test::nan_filled(want.size());
        kernels::depthwise_conv2d_float(p, in.data(), f.data(), bias.data(), got.data(), path);
        check_bits(got, want);
      }
  }

  TEST_CASE("XNNPACK picks its nr2 GEMM for narrow layers (xnn_use_nr2 with nr 8, nr2 2)") {
    // Under 8 outputs always; else when 2-wide tiles pad less and the 8-wide ones waste more than 1%:
    // 9 (7 padded of 8 vs 1 of 2), 10, 12, 18, 28 -> nr2; 16, 64 (no padding), 63 (1 vs 1), 1404 (4 > 1% of 1404
    // is false) -> the 8-wide GEMM.
    for (int64_t n : {1, 2, 5, 7, 9, 10, 12, 18, 28}) CHECK_MESSAGE(kernels::xnnpack_wasm_uses_nr2(n), n);
    for (int64_t n : {8, 16, 63, 64, 1404}) CHECK_MESSAGE(!kernels::xnnpack_wasm_uses_nr2(n), n);
  }

  TEST_CASE("LOGISTIC and HARD_SWISH give LiteRT's own outputs") {
    // (input, LiteRT.js output) pairs from selfie_segmentation's LOGISTIC and HARD_SWISH ops, each run alone in
    // LiteRT on the inputs LiteRT computed for it (reference/litert/bisect.mjs --isolated --ops LOGISTIC,HARD_SWISH
    // --keep DIR, then run_litert.mjs on DIR/op*/op.tflite): below -87.34 the sigmoid is flushed to 0, a negative
    // hard-swish input ends as -0.
    const std::pair<float, float> logistic[] = {
        {-0x1.9002d6p+7f, 0.0f},
        {-0x1.60021cp+6f, 0.0f},
        {-0x1.5bffc4p+6f, 0x1.66820ep-126f},
        {-0x1.e00586p+5f, 0x1.59f268p-87f},
        {-0x1.41a93p+4f, 0x1.feb3dap-30f},
        {-0x1.293d4cp+3f, 0x1.83c52ep-14f},
        {-0x1.9d32fep+1f, 0x1.3849e6p-5f},
        {-0x1.73eeeap+1f, 0x1.a8ed94p-5f},
        {-0x1.1a4c4ap+0f, 0x1.fe6bf8p-3f},
        {-0x1.90a7fep-2f, 0x1.9d1832p-2f},
        {-0x1.c8db4p-7f, 0x1.fc6e4ep-2f},
        {0x1.2d832p-9f, 0x1.004b6p-1f},
        {0x1.3805a4p-2f, 0x1.26b428p-1f},
        {0x1.cad0bep-1f, 0x1.6b9916p-1f},
        {0x1.3ef492p+1f, 0x1.d8dddep-1f},
        {0x1.7b7e0ap+1f, 0x1.e6e3eap-1f},
        {0x1.86451p+1f, 0x1.e8d37ep-1f},
        {0x1.17ba9cp+2f, 0x1.f99bbap-1f},
        {0x1.60ef68p+3f, 0x1.fffdep-1f},
        {0x1.92f42p+4f, 0x1p+0f},
        {0x1.8fac92p+6f, 0x1p+0f},
        {0x1.0a6accp+7f, 0x1p+0f},
    };
    const std::pair<float, float> hard_swish[] = {
        {-0x1.48c352p+6f, -0.0f},
        {-0x1.e008fcp+5f, -0.0f},
        {-0x1.3ffef4p+4f, -0.0f},
        {-0x1.2ffee4p+3f, -0.0f},
        {-0x1.999a28p+1f, -0.0f},
        {-0x1.7334e8p+1f, -0x1.8bbf54p-5f},
        {-0x1.199972p+0f, -0x1.64b168p-2f},
        {-0x1.9999eep-2f, -0x1.62fcd4p-3f},
        {-0x1.47a94p-7f, -0x1.4691aap-8f},
        {0x1.89884cp-9f, 0x1.89ed1ep-10f},
        {0x1.3332cp-2f, 0x1.51eafap-3f},
        {0x1.cccd04p-1f, 0x1.2b854ap-1f},
        {0x1.3fffe8p+1f, 0x1.255536p+1f},
        {0x1.79984ep+1f, 0x1.767222p+1f},
        {0x1.8666aap+1f, 0x1.8666aap+1f},
        {0x1.199a04p+2f, 0x1.199a04p+2f},
        {0x1.5ffaccp+3f, 0x1.5ffaccp+3f},
        {0x1.900226p+4f, 0x1.900226p+4f},
        {0x1.335b3ap+6f, 0x1.335b3ap+6f},
    };
    for (const auto& [x, want] : logistic) {
      float got = 0.0f;
      kernels::logistic_xnnpack_wasm(&x, &got, 1);
      CHECK_MESSAGE(std::bit_cast<uint32_t>(got) == std::bit_cast<uint32_t>(want), fmt::format("{} -> {} want {}", x, got, want));
    }
    for (const auto& [x, want] : hard_swish) {
      float got = 0.0f;
      kernels::hard_swish_xnnpack_wasm(&x, &got, 1);
      CHECK_MESSAGE(std::bit_cast<uint32_t>(got) == std::bit_cast<uint32_t>(want), fmt::format("{} -> {} want {}", x, got, want));
    }
  }
}

}  // namespace
}  // namespace qgate
