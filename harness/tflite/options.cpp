// TFLite operator options -> node attributes (options.h).
#include "harness/tflite/options.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "harness/tflite/reader_util.h"

namespace qgate::tflite_import {
namespace {

std::vector<int64_t> to_int64s(const FbIntVector* v) {
  std::vector<int64_t> out;
  if (v) out.assign(v->begin(), v->end());
  return out;
}

}  // namespace

// Option tables -> attributes named as the schema's fields (see the attribute contract in harness/graph.h).
void decode_builtin_options(const tflite::Operator* op, Attributes& a) {
  using O = tflite::BuiltinOptions;
  auto i = [&a](const char* k, auto v) { a.set(k, static_cast<int64_t>(v)); };
  auto f = [&a](const char* k, float v) { a.set(k, static_cast<double>(v)); };
  switch (op->builtin_options_type()) {
    case O::Conv2DOptions: {
      const auto* o = op->builtin_options_as_Conv2DOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("fused_activation_function", o->fused_activation_function());
      i("dilation_w_factor", o->dilation_w_factor());
      i("dilation_h_factor", o->dilation_h_factor());
      break;
    }
    case O::DepthwiseConv2DOptions: {
      const auto* o = op->builtin_options_as_DepthwiseConv2DOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("depth_multiplier", o->depth_multiplier());
      i("fused_activation_function", o->fused_activation_function());
      i("dilation_w_factor", o->dilation_w_factor());
      i("dilation_h_factor", o->dilation_h_factor());
      break;
    }
    case O::TransposeConvOptions: {
      const auto* o = op->builtin_options_as_TransposeConvOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("fused_activation_function", o->fused_activation_function());
      break;
    }
    case O::Pool2DOptions: {
      const auto* o = op->builtin_options_as_Pool2DOptions();
      i("padding", o->padding());
      i("stride_w", o->stride_w());
      i("stride_h", o->stride_h());
      i("filter_width", o->filter_width());
      i("filter_height", o->filter_height());
      i("fused_activation_function", o->fused_activation_function());
      break;
    }
    case O::FullyConnectedOptions: {
      const auto* o = op->builtin_options_as_FullyConnectedOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("weights_format", o->weights_format());
      i("keep_num_dims", o->keep_num_dims());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::RNNOptions: {
      const auto* o = op->builtin_options_as_RNNOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::SequenceRNNOptions: {
      const auto* o = op->builtin_options_as_SequenceRNNOptions();
      i("time_major", o->time_major());
      i("fused_activation_function", o->fused_activation_function());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::BidirectionalSequenceRNNOptions: {
      const auto* o = op->builtin_options_as_BidirectionalSequenceRNNOptions();
      i("time_major", o->time_major());
      i("fused_activation_function", o->fused_activation_function());
      i("merge_outputs", o->merge_outputs());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::LSTMOptions: {
      const auto* o = op->builtin_options_as_LSTMOptions();
      i("fused_activation_function", o->fused_activation_function());
      f("cell_clip", o->cell_clip());
      f("proj_clip", o->proj_clip());
      i("kernel_type", o->kernel_type());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::UnidirectionalSequenceLSTMOptions: {
      const auto* o = op->builtin_options_as_UnidirectionalSequenceLSTMOptions();
      i("fused_activation_function", o->fused_activation_function());
      f("cell_clip", o->cell_clip());
      f("proj_clip", o->proj_clip());
      i("time_major", o->time_major());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      i("diagonal_recurrent_tensors", o->diagonal_recurrent_tensors());
      break;
    }
    case O::BidirectionalSequenceLSTMOptions: {
      const auto* o = op->builtin_options_as_BidirectionalSequenceLSTMOptions();
      i("fused_activation_function", o->fused_activation_function());
      f("cell_clip", o->cell_clip());
      f("proj_clip", o->proj_clip());
      i("merge_outputs", o->merge_outputs());
      i("time_major", o->time_major());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::SoftmaxOptions: f("beta", op->builtin_options_as_SoftmaxOptions()->beta()); break;
    case O::ConcatenationOptions: {
      const auto* o = op->builtin_options_as_ConcatenationOptions();
      i("axis", o->axis());
      i("fused_activation_function", o->fused_activation_function());
      break;
    }
    case O::AddOptions: {
      const auto* o = op->builtin_options_as_AddOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("pot_scale_int16", o->pot_scale_int16());
      break;
    }
    case O::SubOptions: {
      const auto* o = op->builtin_options_as_SubOptions();
      i("fused_activation_function", o->fused_activation_function());
      i("pot_scale_int16", o->pot_scale_int16());
      break;
    }
    case O::MulOptions:
      i("fused_activation_function", op->builtin_options_as_MulOptions()->fused_activation_function());
      break;
    case O::DivOptions:
      i("fused_activation_function", op->builtin_options_as_DivOptions()->fused_activation_function());
      break;
    case O::ResizeBilinearOptions: {
      const auto* o = op->builtin_options_as_ResizeBilinearOptions();
      i("align_corners", o->align_corners());
      i("half_pixel_centers", o->half_pixel_centers());
      break;
    }
    case O::ResizeNearestNeighborOptions: {
      const auto* o = op->builtin_options_as_ResizeNearestNeighborOptions();
      i("align_corners", o->align_corners());
      i("half_pixel_centers", o->half_pixel_centers());
      break;
    }
    case O::ReshapeOptions:
      // Absent when the shape comes from the second input; an empty list is a valid scalar target.
      if (const auto* ns = op->builtin_options_as_ReshapeOptions()->new_shape()) a.set("new_shape", to_int64s(ns));
      break;
    case O::SpaceToDepthOptions: i("block_size", op->builtin_options_as_SpaceToDepthOptions()->block_size()); break;
    case O::DepthToSpaceOptions: i("block_size", op->builtin_options_as_DepthToSpaceOptions()->block_size()); break;
    case O::GatherOptions: {
      const auto* o = op->builtin_options_as_GatherOptions();
      i("axis", o->axis());
      i("batch_dims", o->batch_dims());
      break;
    }
    case O::ReducerOptions: i("keep_dims", op->builtin_options_as_ReducerOptions()->keep_dims()); break;
    case O::SqueezeOptions:
      a.set("squeeze_dims", to_int64s(op->builtin_options_as_SqueezeOptions()->squeeze_dims()));
      break;
    case O::SplitOptions: i("num_splits", op->builtin_options_as_SplitOptions()->num_splits()); break;
    case O::SplitVOptions: i("num_splits", op->builtin_options_as_SplitVOptions()->num_splits()); break;
    case O::StridedSliceOptions: {
      const auto* o = op->builtin_options_as_StridedSliceOptions();
      i("begin_mask", o->begin_mask());
      i("end_mask", o->end_mask());
      i("ellipsis_mask", o->ellipsis_mask());
      i("new_axis_mask", o->new_axis_mask());
      i("shrink_axis_mask", o->shrink_axis_mask());
      i("offset", o->offset());
      break;
    }
    case O::CastOptions: {
      const auto* o = op->builtin_options_as_CastOptions();
      i("in_data_type", o->in_data_type());
      i("out_data_type", o->out_data_type());
      break;
    }
    case O::PackOptions: {
      const auto* o = op->builtin_options_as_PackOptions();
      i("values_count", o->values_count());
      i("axis", o->axis());
      break;
    }
    case O::UnpackOptions: {
      const auto* o = op->builtin_options_as_UnpackOptions();
      i("num", o->num());
      i("axis", o->axis());
      break;
    }
    case O::LeakyReluOptions: f("alpha", op->builtin_options_as_LeakyReluOptions()->alpha()); break;
    case O::BatchMatMulOptions: {
      const auto* o = op->builtin_options_as_BatchMatMulOptions();
      i("adj_x", o->adj_x());
      i("adj_y", o->adj_y());
      i("asymmetric_quantize_inputs", o->asymmetric_quantize_inputs());
      break;
    }
    case O::GeluOptions: i("approximate", op->builtin_options_as_GeluOptions()->approximate()); break;
    case O::CumsumOptions: {
      const auto* o = op->builtin_options_as_CumsumOptions();
      i("exclusive", o->exclusive());
      i("reverse", o->reverse());
      break;
    }
    case O::MirrorPadOptions: i("mode", static_cast<int64_t>(op->builtin_options_as_MirrorPadOptions()->mode())); break;
    case O::OneHotOptions: i("axis", op->builtin_options_as_OneHotOptions()->axis()); break;
    case O::LocalResponseNormalizationOptions: {
      const auto* o = op->builtin_options_as_LocalResponseNormalizationOptions();
      i("radius", o->radius());
      f("bias", o->bias());
      f("alpha", o->alpha());
      f("beta", o->beta());
      break;
    }
    default: break;  // no options, or options of an op qgate does not run
  }
}

// MediaPipe's custom ops keep TFLite's C parameter structs, raw, in custom_options (little-endian int32s,
// checked against selfie_segmentation.tflite, whose Convolution2DTransposeBias carries the 12 bytes
// 01 00 00 00 02 00 00 00 02 00 00 00):
//   Convolution2DTransposeBias (TfLiteTransposeConvParams): int32 padding, stride_width, stride_height.
//   MaxPoolingWithArgmax2D, MaxUnpooling2D (TfLitePoolParams): int32 padding, stride_width, stride_height,
//     filter_width, filter_height, activation, then the computed padding qgate does not need.
// padding is the C enum TfLitePadding (0 unknown, 1 SAME, 2 VALID), not the schema's Padding (SAME 0,
// VALID 1); activation is TfLiteFusedActivation, whose values 0..5 equal the schema's ActivationFunctionType.
void decode_mediapipe_options(const tflite::Operator* op, OpType type, std::span<const std::byte> file,
                              const std::string& source, const std::string& where, Attributes& a) {
  const ImportFailure fail{source};
  std::span<const std::byte> raw;
  if (op->custom_options()) {
    raw = {reinterpret_cast<const std::byte*>(op->custom_options()->data()), op->custom_options()->size()};
  } else if (op->large_custom_options_offset() > 1) {
    const uint64_t off = op->large_custom_options_offset(), size = op->large_custom_options_size();
    if (off > file.size() || size > file.size() - off)
      fail(where, fmt::format("custom options at bytes {}..{} lie outside the {}-byte file", off, off + size,
                              file.size()));
    raw = file.subspan(off, size);
  }
  const bool pool = type != OpType::conv2d_transpose_bias;
  const size_t need = pool ? 24 : 12;
  if (raw.size() < need)
    fail(where, fmt::format("custom_options hold {} bytes, expected at least {} ({} layout)", raw.size(), need,
                            pool ? "TfLitePoolParams" : "TfLiteTransposeConvParams"));
  auto field = [&raw](size_t k) {
    int32_t v;
    std::memcpy(&v, raw.data() + 4 * k, 4);
    return v;
  };
  const int32_t padding = field(0);
  if (padding != 1 && padding != 2)
    fail(where, fmt::format("custom option padding is {} (TfLitePadding: 1 SAME, 2 VALID)", padding));
  a.set("padding", int64_t{padding == 1 ? 0 : 1});
  a.set("stride_w", int64_t{field(1)});
  a.set("stride_h", int64_t{field(2)});
  if (pool) {
    a.set("filter_width", int64_t{field(3)});
    a.set("filter_height", int64_t{field(4)});
    const int32_t act = field(5);
    if (act < 0 || act > 5)
      fail(where, fmt::format("custom option activation is {} (supported: 0 NONE .. 5 SIGN_BIT)", act));
    a.set("fused_activation_function", int64_t{act});
  }
}

}  // namespace qgate::tflite_import
