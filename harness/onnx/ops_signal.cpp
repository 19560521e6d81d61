// ONNX's signal ops (opset 17): DFT and STFT as DFT / STFT (ONNX order); MelWeightMatrix, whose output depends on
// its scalar inputs alone, a constant computed at load (kernels::mel_weight_matrix).
#include <fmt/format.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"
#include "kernels/dft.h"

namespace qgate::onnx_import {

void import_dft(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  std::vector<int> inputs = {im.onnx_order(im.in(n, 0))};
  if (im.has(n, 1)) inputs.push_back(im.const_i64(name + "/dft_length", im.const_ints(n, 1, "dft_length")));
  Attributes a;
  a.set("axis", attr_int(n, "axis", 1));
  a.set("inverse", attr_int(n, "inverse", 0));
  a.set("onesided", attr_int(n, "onesided", 0));
  im.set(n, 0, {im.emit(OpType::dft, inputs, a, name), Layout::onnx});
}

void import_stft(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  std::vector<int> inputs = {im.onnx_order(im.in(n, 0)),
                             im.const_i64(name + "/frame_step", im.const_ints(n, 1, "frame_step"))};
  inputs.push_back(im.has(n, 2) ? im.onnx_order(im.in(n, 2)) : -1);
  if (im.has(n, 3)) inputs.push_back(im.const_i64(name + "/frame_length", im.const_ints(n, 3, "frame_length")));
  while (inputs.back() < 0) inputs.pop_back();
  Attributes a;
  a.set("onesided", attr_int(n, "onesided", 1));
  im.set(n, 0, {im.emit(OpType::stft, inputs, a, name), Layout::onnx});
}

void import_mel_weight_matrix(Importer& im, NodeRef n) {
  const auto one = [&](int i, const char* what) {
    const std::vector<int64_t> v = im.const_ints(n, i, what);
    if (v.size() != 1) im.unsupported(n, fmt::format("{} of {} values", what, v.size()));
    return v[0];
  };
  const int64_t mel = one(0, "num_mel_bins"), dft_length = one(1, "dft_length"), rate = one(2, "sample_rate");
  const float lower = im.const_scalar(n, 3, "lower_edge_hertz"), upper = im.const_scalar(n, 4, "upper_edge_hertz");
  if (mel < 1 || dft_length < 1 || rate < 1)
    im.unsupported(n, fmt::format("num_mel_bins {}, dft_length {}, sample_rate {}", mel, dft_length, rate));
  const int64_t type = attr_int(n, "output_datatype", kFloat);
  if (dtype_from_onnx(type) != DType::f32) im.unsupported(n, fmt::format("output_datatype {}", onnx_type_name(type)));
  const int64_t bins = dft_length / 2 + 1;
  std::vector<float> m(static_cast<size_t>(bins * mel));
  kernels::mel_weight_matrix(mel, dft_length, rate, lower, upper, m.data());
  im.set(n, 0, {im.const_f32(im.out_name(n), {static_cast<int32_t>(bins), static_cast<int32_t>(mel)}, m), Layout::onnx});
}

}  // namespace qgate::onnx_import
