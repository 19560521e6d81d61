// RoiAlign (ONNX opset 16): every region of interest of an [N, C, H, W] feature map pooled to a fixed
// [out_h, out_w] grid of bins, each bin the average (or maximum) of bilinear samples taken on a regular grid
// inside it (torchvision's roi_align, which ONNX's definition follows).
#pragma once

#include <cstdint>

namespace qgate::kernels {

struct RoiAlignParams {
  int64_t channels = 1, height = 1, width = 1, rois = 0, out_h = 1, out_w = 1;
  int64_t sampling_ratio = 0;  // samples per bin side; 0: ceil(region side / bins), per region
  float spatial_scale = 1.0f;  // region coordinates times this are feature-map coordinates
  bool half_pixel = true;      // coordinates shifted by -0.5 (ONNX's half_pixel); else output_half_pixel,
                               // which also makes every region at least 1 x 1
  bool max = false;            // the maximum of the weighted sample corners (onnxruntime's max mode), else the mean
};

// x [N, C, H, W]; rois [rois, 4] as (x1, y1, x2, y2); batch_index [rois]; y [rois, C, out_h, out_w]. A sample
// more than one pixel outside the map contributes 0; inside, its coordinate is clamped to the map and read
// bilinearly. A batch index outside [0, N) gives zeros and is counted in the return value.
int64_t roi_align(const RoiAlignParams& p, int64_t batch, const float* x, const float* rois,
                  const int64_t* batch_index, float* y);

}  // namespace qgate::kernels
