// Writes onnxruntime's dynamic-quantized form of a float ONNX model, as its quantize_dynamic does for MatMul and
// Conv: each quantized MatMul / Gemm becomes
//   x -> DynamicQuantizeLinear -> (x_q uint8, x_scale, x_zp)     (one per distinct input)
//   MatMulInteger(x_q, W int8 [K, N], x_zp, W_zp 0) -> Cast(float) -> Mul(., Mul(x_scale, W_scale)) [-> Add(bias)]
// and each quantized Conv (scheme ops include conv2d; depthwise_conv2d for a depthwise Conv)
//   ConvInteger(x_q, W int8 [O, I/group, KH, KW], x_zp, W_zp 0; the Conv's attributes) -> Cast(float)
//   -> Mul(., Mul(x_scale, W_scale)) [-> Add(., Reshape(bias, [1, -1, 1, 1]))]
// with the scheme's weights (onnxruntime's quantizer: symmetric int8, half to even; per-tensor, or for MatMul per
// column with granularity=per-channel -- Conv weights stay per tensor, as quantize_dynamic writes them;
// reduce-range [-64, 64]). onnxruntime 1.30 runs ConvInteger with int8 weights (uint8 x, int8 W), grouped and
// depthwise included.
#pragma once

#include <string>
#include <vector>

#include "harness/scheme.h"

namespace qgate {

struct OnnxWrittenWeight {
  std::string node;    // the MatMul / Gemm node's name (or its output name)
  std::string tensor;  // the weight initializer
  bool per_channel = false;
  int64_t elements = 0;
};

struct OnnxWriteResult {
  std::string bytes;
  std::vector<OnnxWrittenWeight> weights;
  std::vector<std::string> kept_float;  // "node: why"
};

// `bytes`: the float model's file; throws InputError / ModelError naming `source` when the scheme is not an
// onnxruntime one (act=u8-tensor) or the model cannot take the pattern (default-domain opset < 11).
OnnxWriteResult write_onnx_dynamic_quantized(const std::string& bytes, const Scheme& scheme, const std::string& source);

}  // namespace qgate
