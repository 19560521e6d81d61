// A Preprocess resolved against one model input: every default chosen and every check that does not need a
// decoded image done. Internal to datasets/ (loaders of images use it).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "datasets/dataset.h"
#include "datasets/preprocess.h"

namespace qgate {

// What a loader knows about its images before decoding any.
struct ImageSource {
  int channels = 0;  // 1 for IDX (gray); 0 when images are decoded to whatever the pipeline asks (files)
  ImageSize size;    // every image's size, or 0x0 when sizes vary (files)
};

struct ImagePipeline {
  ColorMode color = ColorMode::rgb;
  std::optional<ResizeSpec> resize;
  Interpolation interpolation = Interpolation::linear;
  std::optional<ImageSize> crop;
  DType dtype = DType::f32;
  Layout layout = Layout::nhwc;
  bool flat = false;  // model input [1, H*W*C]: pixels in NHWC order
  double scale = 1.0 / 255.0;
  std::vector<double> mean;  // one per channel
  std::vector<double> std;   // one per channel
  int channels = 0;
  ImageSize out_size;  // 0x0 when it depends on each image (files without resize or crop)
  std::string input_name;
  Shape shape;  // the model input's shape
  std::string error_prefix;  // "data folder:DIR"

  // Resolves `p` against `input` for images from `source`. Throws InputError starting with `error_prefix`
  // when the pipeline cannot produce the model input.
  static ImagePipeline plan(const Preprocess& p, const ModelInput& input, const ImageSource& source,
                            const std::string& error_prefix);

  // cv::imdecode flags that give the image run() expects (gray or BGR, 8-bit, EXIF orientation ignored as
  // training pipelines built on PIL or tf.image do).
  int decode_flags() const;

  // `image` is 8-bit gray or BGR. Writes the model input into `out` (name, dtype, shape set; buffer reused).
  // Throws InputError naming `sample_id` when the image cannot be made into the model input.
  void run(const cv::Mat& image, Tensor& out, const std::string& sample_id) const;

  // The geometric part of run() alone (resize, then center crop) on any single-image matrix, with the given
  // interpolation: what a segmentation mask of the image goes through (nearest neighbour keeps class ids).
  cv::Mat geometry(const cv::Mat& image, Interpolation interpolation) const;

  // Canonical text of every resolved choice; part of describe() and fingerprint().
  std::string describe() const;
};

}  // namespace qgate
