// Image preprocessing options (from CLI flags or a --preprocess JSON file) and their defaults.
//
// Pipeline, in this order, for every image sample (image files, IDX):
//   decode (color) -> resize -> center crop -> convert (scale/mean/std, or raw uint8/int8) -> layout.
//
// Every field is optional; an unset field takes its default once the model input is known:
//   color          image files: decoded to the model's channel count (1 -> gray, 3 -> rgb);
//                  IDX: the source's (gray); a gray source needs an explicit rgb/bgr to feed 3 channels.
//   resize         none. A size mismatch with the model is an error, never a silent resize.
//   interpolation  linear (bilinear; OpenCV's INTER_LINEAR on the 8-bit image).
//   crop           none. Offsets are floor((in - out) / 2) on each axis.
//   dtype          the model input's dtype, which is also the only accepted value.
//                  float32: out = (pixel * scale - mean[c]) / std[c], computed in double and rounded once to
//                           float32; scale 1/255, mean 0, std 1 by default, so pixels 0..255 become 0..1
//                           (bit-identical to numpy's float32(pixel / 255.0) and to pixel / 255.0f).
//                  uint8:   the pixel value as is.   int8: pixel - 128 (the usual zero point -128 convention).
//                  scale/mean/std are refused for uint8 and int8 (they would be silently ignored).
//   layout         from the model input shape: [1,H,W,C] with C in {1,3} is NHWC, [1,C,H,W] with C in {1,3}
//                  is NCHW; [1,H,W] is one gray channel; [1,N] takes the NHWC pixels flattened.
//   mean, std      per output channel, in the output channel order (after color conversion); one value applies
//                  to every channel.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"

namespace qgate {

enum class ColorMode { gray, rgb, bgr };
enum class Interpolation { nearest, linear, area, cubic };
enum class Layout { nhwc, nchw };

struct ImageSize {
  int width = 0;
  int height = 0;
  bool operator==(const ImageSize&) const = default;
};

// Either an exact size (width x height, aspect ratio not kept) or the shorter side's new length with the
// aspect ratio kept (longer side = floor(long * shorter_side / short), as torchvision's Resize(int) does).
struct ResizeSpec {
  ImageSize exact;
  int shorter_side = 0;
  bool operator==(const ResizeSpec&) const = default;
};

struct Preprocess {
  std::optional<ColorMode> color;
  std::optional<ResizeSpec> resize;
  std::optional<Interpolation> interpolation;
  std::optional<ImageSize> crop;
  std::optional<double> scale;
  std::optional<std::vector<double>> mean;
  std::optional<std::vector<double>> std;
  std::optional<DType> dtype;  // f32, u8 or i8
  std::optional<Layout> layout;

  bool empty() const;  // no field set
};

// The option keys, shared by the JSON file and the CLI flags (flag --KEY): color, resize, interpolation,
// crop, scale, mean, std, dtype, layout.
// Sets one field from its text form; `where` names the source in errors ("--resize", "p.json: field
// 'resize'"). Accepted values:
//   color gray|rgb|bgr; resize WxH (exact) or N (shorter side); interpolation nearest|linear|area|cubic;
//   crop WxH or N (square); scale a number or a fraction "1/255"; mean, std one number or a comma-separated
//   list; dtype float32|uint8|int8; layout nhwc|nchw.
// Throws InputError("<where>: expected ..., got '<value>'") for an unknown key or a malformed value.
void set_preprocess_option(Preprocess& p, std::string_view key, std::string_view value, std::string_view where);

// Parses a JSON object whose fields are the keys above. Values may be JSON strings in the text form, or
// numbers (resize, crop, scale, mean, std) and number arrays (mean, std; resize and crop as [W, H]).
// `source` names the file in errors; an unknown field is an error naming it.
Preprocess parse_preprocess_json(const std::string& text, const std::string& source);
Preprocess read_preprocess_json(const std::string& path);

// Fields set in `over` replace those in `base` (flags given on the command line override the JSON file).
Preprocess merge(const Preprocess& base, const Preprocess& over);

std::string_view color_name(ColorMode c);
std::string_view interpolation_name(Interpolation i);
std::string_view layout_name(Layout l);

}  // namespace qgate
