#include "datasets/image_pipeline.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/errors.h"

namespace qgate {

namespace {

int channels_of(ColorMode c) { return c == ColorMode::gray ? 1 : 3; }

int cv_interpolation(Interpolation i) {
  switch (i) {
    // Pixel-centre aligned nearest neighbour (as PIL and TF's half_pixel_centers), not OpenCV's legacy
    // INTER_NEAREST that samples the top-left of each cell.
    case Interpolation::nearest: return cv::INTER_NEAREST_EXACT;
    case Interpolation::linear: return cv::INTER_LINEAR;
    case Interpolation::area: return cv::INTER_AREA;
    case Interpolation::cubic: return cv::INTER_CUBIC;
  }
  return cv::INTER_LINEAR;
}

// The size a shorter-side resize gives: the shorter side becomes n, the longer floor(long * n / short).
ImageSize shorter_side_size(ImageSize in, int n) {
  if (in.width <= in.height) {
    return {n, static_cast<int>(static_cast<int64_t>(in.height) * n / in.width)};
  }
  return {static_cast<int>(static_cast<int64_t>(in.width) * n / in.height), n};
}

std::string size_text(ImageSize s) { return fmt::format("{}x{}", s.width, s.height); }

std::vector<double> per_channel(const std::optional<std::vector<double>>& v, double fallback, int channels,
                               const char* name, const std::string& prefix) {
  if (!v) return std::vector<double>(channels, fallback);
  if (v->size() == 1) return std::vector<double>(channels, (*v)[0]);
  if (static_cast<int>(v->size()) != channels) {
    throw InputError(fmt::format("{}: {} has {} values, the images have {} channel{} (give 1 or {})", prefix, name,
                                 v->size(), channels, channels == 1 ? "" : "s", channels));
  }
  return *v;
}

}  // namespace

ImagePipeline ImagePipeline::plan(const Preprocess& p, const ModelInput& input, const ImageSource& source,
                                  const std::string& error_prefix) {
  ImagePipeline pl;
  pl.error_prefix = error_prefix;
  pl.input_name = input.name;
  pl.shape = input.shape;
  Shape s = input.shape;
  const std::string model_text =
      fmt::format("model input '{}' is {} {}", input.name, shape_string(s), dtype_name(input.dtype));

  if (s.size() < 2 || s.size() > 4 || (s[0] != 1 && s[0] >= 0)) {
    throw InputError(fmt::format("{}: {}: images feed [1,H,W,C], [1,C,H,W], [1,H,W] or [1,N] inputs (batch 1)",
                                 error_prefix, model_text));
  }
  if (input.dtype != DType::f32 && input.dtype != DType::u8 && input.dtype != DType::i8) {
    throw InputError(fmt::format("{}: {}: images feed float32, uint8 or int8 inputs", error_prefix, model_text));
  }
  if (p.dtype && *p.dtype != input.dtype) {
    throw InputError(fmt::format("{}: dtype {} was asked for, but {}", error_prefix, dtype_name(*p.dtype),
                                 model_text));
  }
  pl.dtype = input.dtype;

  // The model's image geometry (0 where the shape does not say).
  int mh = 0, mw = 0, mc = 0;
  if (s.size() == 4) {
    if (p.layout) pl.layout = *p.layout;
    else if (s[3] == 1 || s[3] == 3) pl.layout = Layout::nhwc;
    else if (s[1] == 1 || s[1] == 3) pl.layout = Layout::nchw;
    else pl.layout = Layout::nhwc;
    if (pl.layout == Layout::nhwc) {
      mh = s[1], mw = s[2], mc = s[3];
    } else {
      mc = s[1], mh = s[2], mw = s[3];
    }
  } else if (s.size() == 3) {
    mh = s[1], mw = s[2], mc = 1;
  } else {
    pl.flat = true;
  }

  if (p.color) pl.color = *p.color;
  else if (source.channels == 1) pl.color = ColorMode::gray;  // a gray source stays gray unless asked
  else if (mc == 3) pl.color = ColorMode::rgb;
  else pl.color = ColorMode::gray;
  pl.channels = channels_of(pl.color);
  if (p.interpolation) pl.interpolation = *p.interpolation;
  pl.resize = p.resize;
  pl.crop = p.crop;

  // The size every image has after resize and crop, when it does not depend on the image.
  ImageSize size = source.size;
  if (pl.resize) {
    if (pl.resize->shorter_side == 0) size = pl.resize->exact;
    else if (size.width > 0) size = shorter_side_size(size, pl.resize->shorter_side);
  }
  if (pl.crop) {
    if (size.width > 0 && (pl.crop->width > size.width || pl.crop->height > size.height)) {
      throw InputError(fmt::format("{}: crop {} is larger than the {} image{}", error_prefix, size_text(*pl.crop),
                                   size_text(size), pl.resize ? " after resize" : ""));
    }
    size = *pl.crop;
  }
  pl.out_size = size;
  if (!shape_is_concrete(s)) {
    // Symbolic dimensions (a detector declared [1,3,?,?]) take the images' geometry after preprocessing: batch 1,
    // the size after resize and crop, the channels of the color mode.
    if (pl.flat || size.width == 0)
      throw InputError(fmt::format("{}: {} has symbolic dimensions and the images' size varies: set --resize WxH "
                                   "(or --crop), or the input's size with --input-shape {}:...", error_prefix,
                                   model_text, input.name));
    auto fill = [&](size_t axis, int value) {
      if (s[axis] < 0) s[axis] = value;
    };
    fill(0, 1);
    if (s.size() == 3 || pl.layout == Layout::nhwc) {
      fill(1, size.height);
      fill(2, size.width);
      if (s.size() == 4) fill(3, pl.channels);
    } else {
      fill(1, pl.channels);
      fill(2, size.height);
      fill(3, size.width);
    }
    pl.shape = s;
    if (s.size() == 3) mh = s[1], mw = s[2];
    else if (pl.layout == Layout::nhwc) mh = s[1], mw = s[2], mc = s[3];
    else mc = s[1], mh = s[2], mw = s[3];
  }

  // "images are 28x28x1", "28x28x1 images become 32x32x3", "images become 224x224x3"
  const bool changed = pl.resize || pl.crop || pl.channels != source.channels;
  std::string images_text = "images";
  if (size.width > 0) {
    std::string out = fmt::format("{}x{}x{}", size.width, size.height, pl.channels);
    if (!changed) images_text = "images are " + out;
    else if (source.size.width > 0)
      images_text = fmt::format("{}x{}x{} images become {}", source.size.width, source.size.height,
                                source.channels, out);
    else images_text = "images become " + out;
  }

  if (!pl.flat) {
    const bool size_bad = size.width > 0 && (size.width != mw || size.height != mh);
    const bool channels_bad = pl.channels != mc;
    if (size_bad || channels_bad) {
      std::vector<std::string> hints;
      // An explicit --layout that reads the shape the other way round is the likelier mistake than the size.
      if (p.layout && s.size() == 4) {
        const bool other_nhwc = pl.layout == Layout::nchw;
        const int oh = other_nhwc ? s[1] : s[2], ow = other_nhwc ? s[2] : s[3], oc = other_nhwc ? s[3] : s[1];
        if (pl.channels == oc && (size.width == 0 || (size.width == ow && size.height == oh))) {
          throw InputError(fmt::format("{}: {}, {}, read as {} by --layout {} (the shape fits --layout {})",
                                       error_prefix, images_text, model_text, layout_name(pl.layout),
                                       other_nhwc ? "nchw" : "nhwc", other_nhwc ? "nhwc" : "nchw"));
        }
      }
      if (size_bad) hints.push_back(fmt::format("{} {}x{}", pl.crop ? "--crop" : "--resize", mw, mh));
      if (channels_bad && (mc == 1 || mc == 3)) hints.push_back(mc == 3 ? "--color rgb" : "--color gray");
      std::string hint = hints.empty() ? "check the model"
                                       : fmt::format("set {}, or check the model", fmt::join(hints, " and "));
      throw InputError(fmt::format("{}: {}, {} ({})", error_prefix, images_text, model_text, hint));
    }
  } else {
    if (size.width == 0) {
      throw InputError(fmt::format("{}: {} takes flattened pixels, and image sizes vary (set --resize WxH)",
                                   error_prefix, model_text));
    }
    int64_t values = int64_t{size.width} * size.height * pl.channels;
    if (values != s[1]) {
      throw InputError(fmt::format("{}: {} ({} values), {} (check --resize, --crop and --color, or the model)",
                                   error_prefix, images_text, values, model_text));
    }
  }

  if (pl.dtype != DType::f32 && (p.scale || p.mean || p.std)) {
    throw InputError(fmt::format("{}: scale, mean and std apply to float32 inputs; {} and takes {} pixels",
                                 error_prefix, model_text,
                                 pl.dtype == DType::u8 ? "raw uint8" : "int8 (pixel - 128)"));
  }
  if (p.scale) pl.scale = *p.scale;
  pl.mean = per_channel(p.mean, 0.0, pl.channels, "mean", error_prefix);
  pl.std = per_channel(p.std, 1.0, pl.channels, "std", error_prefix);
  return pl;
}

int ImagePipeline::decode_flags() const {
  return (color == ColorMode::gray ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR) | cv::IMREAD_IGNORE_ORIENTATION;
}

void ImagePipeline::run(const cv::Mat& image, Tensor& out, const std::string& sample_id) const {
  auto fail = [&](const std::string& why) {
    throw InputError(fmt::format("{}: sample {}: {}", error_prefix, sample_id, why));
  };
  if (image.depth() != CV_8U) fail("image is not 8-bit");
  cv::Mat img;
  if (image.channels() == 1) {
    if (color == ColorMode::gray) img = image;
    else cv::cvtColor(image, img, cv::COLOR_GRAY2BGR);  // gray has the same value in every channel order
  } else if (image.channels() == 3) {
    if (color == ColorMode::gray) cv::cvtColor(image, img, cv::COLOR_BGR2GRAY);
    else if (color == ColorMode::rgb) cv::cvtColor(image, img, cv::COLOR_BGR2RGB);
    else img = image;
  } else {
    fail(fmt::format("image has {} channels (expected gray or BGR)", image.channels()));
  }

  if (resize) {
    ImageSize in{img.cols, img.rows};
    ImageSize target = resize->shorter_side ? shorter_side_size(in, resize->shorter_side) : resize->exact;
    if (target != in) {
      cv::Mat resized;
      cv::resize(img, resized, cv::Size(target.width, target.height), 0, 0, cv_interpolation(interpolation));
      img = resized;
    }
  }
  if (crop) {
    if (crop->width > img.cols || crop->height > img.rows) {
      fail(fmt::format("image is {}x{}{}, smaller than the crop {}", img.cols, img.rows,
                       resize ? " after resize" : "", size_text(*crop)));
    }
    int x0 = (img.cols - crop->width) / 2, y0 = (img.rows - crop->height) / 2;
    img = img(cv::Rect(x0, y0, crop->width, crop->height));
  }

  const int h = img.rows, w = img.cols, c = channels;
  if (flat) {
    if (int64_t{h} * w * c != shape[1]) {
      fail(fmt::format("image is {}x{}x{} after preprocessing, model input '{}' takes {} values", w, h, c,
                       input_name, shape[1]));
    }
  } else {
    const int mh = shape.size() == 4 ? (layout == Layout::nhwc ? shape[1] : shape[2]) : shape[1];
    const int mw = shape.size() == 4 ? (layout == Layout::nhwc ? shape[2] : shape[3]) : shape[2];
    if (h != mh || w != mw) {
      fail(fmt::format("image is {}x{} after preprocessing, model input '{}' takes {}x{} (set --resize {}x{}, or "
                       "--resize N --crop {}x{})",
                       w, h, input_name, mw, mh, mw, mh, mw, mh));
    }
  }

  out.name = input_name;
  out.dtype = dtype;
  out.shape = shape;
  out.allocate();
  const bool planar = !flat && layout == Layout::nchw;
  auto index = [&](int y, int x, int ch) -> size_t {
    return planar ? (static_cast<size_t>(ch) * h + y) * w + x : (static_cast<size_t>(y) * w + x) * c + ch;
  };
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = img.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int ch = 0; ch < c; ++ch) {
        const uint8_t v = row[x * c + ch];
        switch (dtype) {
          case DType::f32:
            out.as<float>()[index(y, x, ch)] = static_cast<float>((v * scale - mean[ch]) / std[ch]);
            break;
          case DType::u8: out.as<uint8_t>()[index(y, x, ch)] = v; break;
          case DType::i8: out.as<int8_t>()[index(y, x, ch)] = static_cast<int8_t>(v - 128); break;
          default: break;
        }
      }
    }
  }
}

std::string ImagePipeline::describe() const {
  std::string s(color_name(color));
  if (resize) {
    if (resize->shorter_side) s += fmt::format(", resize shorter side {}", resize->shorter_side);
    else s += fmt::format(", resize {}", size_text(resize->exact));
    s += fmt::format(" ({})", interpolation_name(interpolation));
  }
  if (crop) s += fmt::format(", center crop {}", size_text(*crop));
  switch (dtype) {
    case DType::f32:
      s += fmt::format(", float32 (pixel * {} - mean {}) / std {}", scale, mean, std);
      break;
    case DType::u8: s += ", uint8 raw pixels"; break;
    case DType::i8: s += ", int8 pixel - 128"; break;
    default: break;
  }
  s += fmt::format(", {} -> '{}' {}", flat ? "flattened NHWC" : std::string(layout_name(layout)), input_name,
                   shape_string(shape));
  return s;
}

}  // namespace qgate
