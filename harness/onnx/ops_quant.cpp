// ONNX QuantizeLinear and DequantizeLinear as QUANTIZE_LINEAR / DEQUANTIZE_LINEAR, in ONNX order: the quantized
// type is the zero point's (uint8 when there is none), the axis ONNX's (default 1).
#include <fmt/format.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

void import_quantize_linear(Importer& im, NodeRef n, bool dequantize) {
  const std::string name = im.out_name(n);
  std::vector<int> inputs = {im.onnx_order(im.in(n, 0)), im.onnx_order(im.in(n, 1))};
  DType quantized = DType::u8;
  if (im.has(n, 2)) {
    inputs.push_back(im.onnx_order(im.in(n, 2)));
    quantized = im.tensor(inputs[2]).dtype;
  }
  if (quantized != DType::u8 && quantized != DType::i8)
    im.unsupported(n, fmt::format("a {} zero point (uint8 or int8)", dtype_name(quantized)));
  Attributes a;
  a.set("axis", attr_int(n, "axis", 1));
  const int id = im.emit_multi(dequantize ? OpType::dequantize_linear : OpType::quantize_linear, inputs, a, {name}, true,
                               {dequantize ? DType::f32 : quantized})[0];
  im.set(n, 0, {id, Layout::onnx});
}

}  // namespace qgate::onnx_import
