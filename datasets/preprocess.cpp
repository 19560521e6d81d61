#include "datasets/preprocess.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/files.h"

namespace qgate {

namespace {

[[noreturn]] void bad_value(std::string_view where, std::string_view expected, std::string_view value) {
  throw InputError(fmt::format("{}: expected {}, got '{}'", where, expected, value));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_int(std::string_view s, int& out) {
  s = trim(s);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_float(std::string_view s, double& out) {
  s = trim(s);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

// "WxH" -> size; "N" -> N x N when `square_ok`.
bool parse_size(std::string_view s, ImageSize& out, bool square_ok) {
  auto x = s.find('x');
  if (x == std::string_view::npos) {
    int n = 0;
    if (!square_ok || !parse_int(s, n) || n <= 0) return false;
    out = {n, n};
    return true;
  }
  int w = 0, h = 0;
  if (!parse_int(s.substr(0, x), w) || !parse_int(s.substr(x + 1), h) || w <= 0 || h <= 0) return false;
  out = {w, h};
  return true;
}

bool parse_float_list(std::string_view s, std::vector<double>& out) {
  out.clear();
  while (true) {
    auto comma = s.find(',');
    double v = 0;
    if (!parse_float(s.substr(0, comma), v)) return false;
    out.push_back(v);
    if (comma == std::string_view::npos) return true;
    s.remove_prefix(comma + 1);
  }
}

}  // namespace

bool Preprocess::empty() const {
  return !color && !resize && !interpolation && !crop && !scale && !mean && !std && !dtype && !layout;
}

std::string_view color_name(ColorMode c) {
  switch (c) {
    case ColorMode::gray: return "gray";
    case ColorMode::rgb: return "rgb";
    case ColorMode::bgr: return "bgr";
  }
  return "?";
}

std::string_view interpolation_name(Interpolation i) {
  switch (i) {
    case Interpolation::nearest: return "nearest";
    case Interpolation::linear: return "linear";
    case Interpolation::area: return "area";
    case Interpolation::cubic: return "cubic";
  }
  return "?";
}

std::string_view layout_name(Layout l) { return l == Layout::nhwc ? "NHWC" : "NCHW"; }

void set_preprocess_option(Preprocess& p, std::string_view key, std::string_view value, std::string_view where) {
  if (key == "color") {
    if (value == "gray") p.color = ColorMode::gray;
    else if (value == "rgb") p.color = ColorMode::rgb;
    else if (value == "bgr") p.color = ColorMode::bgr;
    else bad_value(where, "gray, rgb or bgr", value);
  } else if (key == "resize") {
    ResizeSpec r;
    if (value.find('x') != std::string_view::npos) {
      if (!parse_size(value, r.exact, false)) bad_value(where, "WxH (exact size) or N (shorter side)", value);
    } else if (!parse_int(value, r.shorter_side) || r.shorter_side <= 0) {
      bad_value(where, "WxH (exact size) or N (shorter side)", value);
    }
    p.resize = r;
  } else if (key == "interpolation") {
    if (value == "nearest") p.interpolation = Interpolation::nearest;
    else if (value == "linear") p.interpolation = Interpolation::linear;
    else if (value == "area") p.interpolation = Interpolation::area;
    else if (value == "cubic") p.interpolation = Interpolation::cubic;
    else bad_value(where, "nearest, linear, area or cubic", value);
  } else if (key == "crop") {
    ImageSize s;
    if (!parse_size(value, s, true)) bad_value(where, "WxH or N (square)", value);
    p.crop = s;
  } else if (key == "scale") {
    double v = 0;
    auto slash = value.find('/');
    if (slash != std::string_view::npos) {
      double num = 0, den = 0;
      if (!parse_float(value.substr(0, slash), num) || !parse_float(value.substr(slash + 1), den) || den == 0) {
        bad_value(where, "a number or a fraction such as 1/255", value);
      }
      v = num / den;
    } else if (!parse_float(value, v)) {
      bad_value(where, "a number or a fraction such as 1/255", value);
    }
    p.scale = v;
  } else if (key == "mean" || key == "std") {
    std::vector<double> v;
    if (!parse_float_list(value, v)) bad_value(where, "a number or a comma-separated list of numbers", value);
    if (key == "std") {
      for (double s : v) {
        if (s == 0) bad_value(where, "non-zero standard deviations", value);
      }
      p.std = v;
    } else {
      p.mean = v;
    }
  } else if (key == "dtype") {
    if (value == "float32") p.dtype = DType::f32;
    else if (value == "uint8") p.dtype = DType::u8;
    else if (value == "int8") p.dtype = DType::i8;
    else bad_value(where, "float32, uint8 or int8", value);
  } else if (key == "layout") {
    if (value == "nhwc" || value == "NHWC") p.layout = Layout::nhwc;
    else if (value == "nchw" || value == "NCHW") p.layout = Layout::nchw;
    else bad_value(where, "nhwc or nchw", value);
  } else {
    throw InputError(fmt::format(
        "{}: unknown preprocessing option '{}' (known: color, resize, interpolation, crop, scale, mean, std, "
        "dtype, layout)",
        where, key));
  }
}

Preprocess parse_preprocess_json(const std::string& text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", source, e.what()));
  }
  if (!j.is_object()) throw InputError(fmt::format("{}: expected a JSON object of preprocessing fields", source));
  Preprocess p;
  for (const auto& [key, value] : j.items()) {
    std::string where = fmt::format("{}: field '{}'", source, key);
    // Numbers and arrays are turned into the flags' text form so one parser checks both.
    std::string textual;
    if (value.is_string()) {
      textual = value.get<std::string>();
    } else if (value.is_number()) {
      textual = fmt::format("{}", value.get<double>());
    } else if (value.is_array() && !value.empty() && (key == "resize" || key == "crop") && value.size() == 2 &&
               value[0].is_number_integer() && value[1].is_number_integer()) {
      textual = fmt::format("{}x{}", value[0].get<int64_t>(), value[1].get<int64_t>());
    } else if (value.is_array() && !value.empty() && (key == "mean" || key == "std")) {
      for (const auto& v : value) {
        if (!v.is_number()) bad_value(where, "an array of numbers", value.dump());
        if (!textual.empty()) textual += ',';
        textual += fmt::format("{}", v.get<double>());
      }
    } else {
      bad_value(where, "a string or a number", value.dump());
    }
    set_preprocess_option(p, key, textual, where);
  }
  return p;
}

Preprocess read_preprocess_json(const std::string& path) { return parse_preprocess_json(read_file(path), path); }

Preprocess merge(const Preprocess& base, const Preprocess& over) {
  Preprocess out = base;
  if (over.color) out.color = over.color;
  if (over.resize) out.resize = over.resize;
  if (over.interpolation) out.interpolation = over.interpolation;
  if (over.crop) out.crop = over.crop;
  if (over.scale) out.scale = over.scale;
  if (over.mean) out.mean = over.mean;
  if (over.std) out.std = over.std;
  if (over.dtype) out.dtype = over.dtype;
  if (over.layout) out.layout = over.layout;
  return out;
}

}  // namespace qgate
