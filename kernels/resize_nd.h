// ONNX Resize over any dims of a tensor: nearest (four rounding rules), N-linear and cubic (coefficient a,
// exclude_outside) interpolation, with ONNX's six coordinate transformations (tf_crop_and_resize with its region
// of interest and extrapolation value). Separable: make_resize_taps() turns each dim into a table of taps (source
// indices and weights per output index) once at prepare; resize_nd() sums over the product of the taps.
// The 2-D resizes TFLite expresses run NHWC through kernels/resize.h; this serves the rest.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace qgate::kernels {

constexpr int kMaxResizeRank = 8;

enum class ResizeMode : uint8_t { nearest, linear, cubic };
enum class CoordinateTransform : uint8_t {
  half_pixel,            // (o + 0.5) / scale - 0.5
  pytorch_half_pixel,    // as half_pixel, but 0 when the output dim is 1
  align_corners,         // o * (in - 1) / (out - 1), 0 when the output dim is 1
  asymmetric,            // o / scale
  tf_half_pixel_for_nn,  // (o + 0.5) / scale
  tf_crop_and_resize,    // into the region [roi_start, roi_end] (fractions of in - 1); outside it: extrapolation
};
enum class NearestRounding : uint8_t {
  round_prefer_floor,  // to the nearest, halves down
  round_prefer_ceil,   // to the nearest, halves up
  floor, ceil,
};

struct ResizeNdParams {
  int rank = 0;
  std::array<int64_t, kMaxResizeRank> in{}, out{};
  // The scale of each dim: as given, or out / in when the output sizes were given.
  std::array<float, kMaxResizeRank> scale{}, roi_start{}, roi_end{};
  ResizeMode mode = ResizeMode::nearest;
  CoordinateTransform transform = CoordinateTransform::half_pixel;
  NearestRounding rounding = NearestRounding::round_prefer_floor;
  float cubic_a = -0.75f;
  bool exclude_outside = false;  // cubic: taps outside the input get weight 0, the rest renormalized
  float extrapolation_value = 0.0f;
};

// The taps of one output index along one dim: up to 4 (index, weight) pairs, or `outside` (the coordinate
// left the input under tf_crop_and_resize: the output element is the extrapolation value).
struct ResizeTap {
  int n = 0;
  bool outside = false;
  std::array<int64_t, 4> index{};
  std::array<float, 4> weight{};
};
using ResizeTaps = std::array<std::vector<ResizeTap>, kMaxResizeRank>;

// Per dim and output index: the source coordinate by the transformation, then nearest picks one index by the
// rounding rule (clamped into the input); linear takes the two neighbours of the coordinate clamped into
// [0, in - 1]; cubic the four around it with Keys' weights for `a`, indices clamped to the edge.
void make_resize_taps(const ResizeNdParams& p, ResizeTaps* taps);

// in is [p.in...], out is [p.out...], row-major.
void resize_nd(const ResizeNdParams& p, const ResizeTaps& taps, const float* in, float* out);

}  // namespace qgate::kernels
