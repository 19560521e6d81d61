#include <doctest/doctest.h>

#include "core/errors.h"
#include "harness/scheme.h"

using qgate::Scheme;

TEST_SUITE("harness.scheme") {
  TEST_CASE("presets carry the documented defaults") {
    Scheme d = Scheme::parse("tflite-dynamic");
    CHECK(d.per_channel_for(qgate::OpType::conv2d));
    CHECK(d.per_channel_for(qgate::OpType::depthwise_conv2d));
    CHECK_FALSE(d.per_channel_for(qgate::OpType::fully_connected));
    CHECK(d.activations == qgate::ActivationMode::asymmetric);
    CHECK(d.min_elements == 1024);
    CHECK(d.bits == 8);
    Scheme legacy = Scheme::parse("tflite-dynamic-legacy");
    CHECK_FALSE(legacy.per_channel_for(qgate::OpType::conv2d));
    CHECK(legacy.activations == qgate::ActivationMode::symmetric);
    Scheme qd8 = Scheme::parse("xnnpack-qd8");
    CHECK(qd8.per_channel_for(qgate::OpType::fully_connected));
    CHECK(qd8.epilogue == qgate::Epilogue::xnnpack);
    CHECK(Scheme::parse("weight-only-int8").activations == qgate::ActivationMode::weight_only);
    // litert-cpu: the converter's weights (tflite-dynamic) under LiteRT's CPU arithmetic.
    Scheme litert = Scheme::parse("litert-cpu");
    CHECK(litert.arithmetic == qgate::Arithmetic::litert_cpu);
    CHECK(litert.granularity == qgate::WeightGranularity::converter_default);
    CHECK(litert.activations == qgate::ActivationMode::asymmetric);
    CHECK(litert.min_elements == 1024);
    CHECK(d.arithmetic == qgate::Arithmetic::by_epilogue);
  }

  TEST_CASE("canonical strings print back unchanged") {
    for (const char* s : {"tflite-dynamic", "tflite-dynamic-legacy", "xnnpack-qd8", "weight-only-int8",
                          "per-channel,bits=4,act=asym,min-elements=0", "per-tensor,bits=2",
                          "tflite-dynamic,act=sym,epilogue=xnnpack", "per-channel,ops=conv2d+fully_connected",
                          "ort-dynamic", "ort-dynamic,granularity=per-channel", "ort-dynamic,reduce-range=1",
                          "ort-dynamic,saturate=avx2-u8s8", "ort-dynamic,ops=fully_connected,saturate=avx2-u8s8",
                          "ort-dynamic,granularity=per-channel,min-elements=1024,reduce-range=1,saturate=avx2-u8s8",
                          "ort-dynamic,ops=conv2d",
                          "xnnpack-qd8,granularity=converter", "litert-cpu", "tflite-dynamic,arithmetic=litert-cpu",
                          "xnnpack-qd8,arithmetic=litert-cpu", "litert-cpu,arithmetic=by-epilogue"}) {
      CAPTURE(s);
      CHECK(Scheme::parse(s).to_string() == s);
    }
    // Keys in another order, or restating a default, normalise to the canonical form.
    CHECK(Scheme::parse("per-channel,min-elements=0,act=asym,bits=4").to_string() ==
          "per-channel,bits=4,act=asym,min-elements=0");
    CHECK(Scheme::parse("tflite-dynamic,bits=8").to_string() == "tflite-dynamic");
    CHECK(Scheme::parse("ort-dynamic,saturate=avx2-u8s8,granularity=per-channel").to_string() ==
          "ort-dynamic,granularity=per-channel,saturate=avx2-u8s8");
    CHECK(Scheme::parse("ort-dynamic,ops=depthwise_conv2d+fully_connected+conv2d").to_string() == "ort-dynamic");
    CHECK(Scheme::parse("ort-dynamic,saturate=none,reduce-range=0").to_string() == "ort-dynamic");
    CHECK(Scheme::parse("litert-cpu,arithmetic=litert-cpu").to_string() == "litert-cpu");
  }

  TEST_CASE("ort-dynamic: onnxruntime quantize_dynamic's defaults") {
    const Scheme s = Scheme::parse("ort-dynamic");
    CHECK(s.granularity == qgate::WeightGranularity::per_tensor);
    CHECK(s.activations == qgate::ActivationMode::ort_u8_tensor);
    CHECK(s.epilogue == qgate::Epilogue::onnxruntime);
    CHECK(s.weight_quantizer == qgate::WeightQuantizer::onnxruntime);
    CHECK(s.min_elements == 0);
    // MatMul/Gemm (MatMulInteger) and Conv (ConvInteger, depthwise included).
    CHECK(s.ops == std::set<qgate::OpType>{qgate::OpType::fully_connected, qgate::OpType::conv2d,
                                           qgate::OpType::depthwise_conv2d});
    // quantize_dynamic quantizes a Conv's weight per tensor even with per_channel=True.
    const Scheme pc = Scheme::parse("ort-dynamic,granularity=per-channel");
    CHECK(pc.per_channel_for(qgate::OpType::fully_connected));
    CHECK_FALSE(pc.per_channel_for(qgate::OpType::conv2d));
    CHECK_FALSE(pc.per_channel_for(qgate::OpType::depthwise_conv2d));
    CHECK(s.weight_qmax() == 127);
    CHECK(Scheme::parse("ort-dynamic,reduce-range=1").weight_qmax() == 64);
    CHECK(Scheme::parse("ort-dynamic,saturate=avx2-u8s8").saturation == qgate::Saturation::avx2_u8s8);
  }

  TEST_CASE("bad strings name the token and the rule") {
    auto msg = [](const std::string& s) {
      try {
        Scheme::parse(s);
      } catch (const qgate::InputError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    CHECK(msg("").find("empty") != std::string::npos);
    CHECK(msg("int4").find("'int4' is not a preset") != std::string::npos);
    CHECK(msg("per-channel,bits=9").find("bits=9 must be an integer in [2, 8]") != std::string::npos);
    CHECK(msg("per-channel,bits=x").find("bits=x") != std::string::npos);
    CHECK(msg("per-channel,act=fp16").find("act=fp16 must be sym, asym, none, op or u8-tensor") != std::string::npos);
    CHECK(msg("ort-dynamic,saturate=avx512").find("saturate=avx512 must be none or avx2-u8s8") != std::string::npos);
    CHECK(msg("per-channel,saturate=avx2-u8s8").find("go together") != std::string::npos);
    CHECK(msg("ort-dynamic,ops=gru").find("act=u8-tensor runs in") != std::string::npos);
    CHECK(msg("ort-dynamic,reduce-range=1,bits=4").find("conflicts") != std::string::npos);
    CHECK(msg("per-channel,colour=red").find("unknown key 'colour'") != std::string::npos);
    CHECK(msg("per-channel,bits").find("not key=value") != std::string::npos);
    CHECK(msg("per-channel,bits=4,bits=5").find("given twice") != std::string::npos);
    CHECK(msg("per-channel,ops=softmax").find("'softmax' is not an op with a hybrid kernel") != std::string::npos);
    CHECK(msg("litert-cpu,arithmetic=gpu").find("arithmetic=gpu must be by-epilogue or litert-cpu") != std::string::npos);
    CHECK(msg("weight-only-int8,arithmetic=litert-cpu").find("excludes") != std::string::npos);
    CHECK(msg("ort-dynamic,arithmetic=litert-cpu").find("excludes") != std::string::npos);
  }
}
