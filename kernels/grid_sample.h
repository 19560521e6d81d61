// GridSample (ONNX opset 16, 2-D): every output pixel samples the input image at a location the grid gives in
// normalized coordinates ([-1, 1] spans the image), by nearest, bilinear or bicubic (Keys, a = -0.75)
// interpolation, with zeros, border or reflection padding. The coordinate rules are ONNX's (those of PyTorch's
// grid_sample, which the operator follows).
#pragma once

#include <cstdint>

namespace qgate::kernels {

enum class GridSampleMode : uint8_t { bilinear, nearest, bicubic };
enum class GridSamplePadding : uint8_t { zeros, border, reflection };

struct GridSampleParams {
  int64_t batch = 1, channels = 1, in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  GridSampleMode mode = GridSampleMode::bilinear;
  GridSamplePadding padding = GridSamplePadding::zeros;
  bool align_corners = false;  // -1 and 1 are the centres of the corner pixels (else their outer edges)
};

// x [batch, channels, in_h, in_w]; grid [batch, out_h, out_w, 2] with (x, y) pairs; y [batch, channels, out_h,
// out_w]. Pixel coordinate u = (g + 1) / 2 * (size - 1) (align_corners) or ((g + 1) * size - 1) / 2. border clamps u
// into [0, size - 1]; reflection reflects it about the edges ([0, size - 1], or [-0.5, size - 0.5] without
// align_corners) then clamps; bicubic applies that to each of its 16 taps instead. Taps outside the image read 0.
void grid_sample(const GridSampleParams& p, const float* x, const float* grid, float* y);

}  // namespace qgate::kernels
