#include "datasets/targets.h"

#include <cstring>
#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/files.h"
#include "core/npy.h"
#include "datasets/image_pipeline.h"
#include "datasets/preprocess.h"

namespace qgate {

TargetSource::~TargetSource() = default;

namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = nl + 1;
  }
  return lines;
}

// ---- npy ------------------------------------------------------------------------------------------------------------

class NpyTargets final : public TargetSource {
 public:
  NpyTargets(const std::string& prefix, const std::string& path, int64_t samples) : path_(path) {
    array_ = read_npy(path);
    integers_ = array_.dtype == DType::i32 || array_.dtype == DType::i64 || array_.dtype == DType::u8 ||
                array_.dtype == DType::i8;
    if (!integers_ && array_.dtype != DType::f32 && array_.dtype != DType::f16)
      throw InputError(fmt::format("{}: {} holds {} values; targets are float32 or integers", prefix, path,
                                   dtype_name(array_.dtype)));
    if (array_.dtype == DType::f16)
      throw InputError(fmt::format("{}: {} holds float16 values; save it as float32", prefix, path));
    if (array_.shape.empty() || array_.shape[0] != samples)
      throw InputError(fmt::format("{}: {} is {}; expected one row per sample, [{}, ...]", prefix, path,
                                   shape_string(array_.shape), samples));
    per_sample_ = samples > 0 ? array_.elements() / samples : 0;
    binary_ = true;
    for (int64_t i = 0; i < array_.elements() && binary_; ++i) {
      const double v = value(i);
      binary_ = v == 0 || v == 1;
    }
  }

  TargetForm form() const override { return integers_ ? TargetForm::integers : TargetForm::values; }
  int64_t values_per_sample() const override { return per_sample_; }
  bool binary() const override { return binary_; }

  void load(int64_t index, const Sample&, Target& out) const override {
    out.values.resize(static_cast<size_t>(per_sample_));
    out.ids.clear();
    if (integers_) out.ids.resize(static_cast<size_t>(per_sample_));
    for (int64_t j = 0; j < per_sample_; ++j) {
      const double v = value(index * per_sample_ + j);
      out.values[static_cast<size_t>(j)] = static_cast<float>(v);
      if (integers_) out.ids[static_cast<size_t>(j)] = static_cast<int32_t>(v);
    }
  }

  std::string describe() const override {
    return fmt::format("npy {} {} {}", path_, shape_string(array_.shape), dtype_name(array_.dtype));
  }

 private:
  double value(int64_t i) const {
    switch (array_.dtype) {
      case DType::f32: return array_.as<float>()[i];
      case DType::i32: return array_.as<int32_t>()[i];
      case DType::i64: return static_cast<double>(array_.as<int64_t>()[i]);
      case DType::u8: return array_.as<uint8_t>()[i];
      case DType::i8: return array_.as<int8_t>()[i];
      default: return 0;
    }
  }

  std::string path_;
  Tensor array_;
  bool integers_ = false, binary_ = false;
  int64_t per_sample_ = 0;
};

// ---- png masks --------------------------------------------------------------------------------------------------------

class MaskTargets final : public TargetSource {
 public:
  MaskTargets(const std::string& prefix, const std::string& where, const DataOptions& data,
              const std::vector<ModelInput>& inputs, int map_height, int map_width)
      : prefix_(prefix), where_(where), map_height_(map_height), map_width_(map_width) {
    if (inputs.size() != 1)
      throw InputError(fmt::format("{}: masks follow the image of a model with one input; the model has {}", prefix,
                                   inputs.size()));
    const Preprocess p =
        data.preprocess_json.empty() ? data.preprocess : merge(read_preprocess_json(data.preprocess_json), data.preprocess);
    pipeline_ = ImagePipeline::plan(p, inputs[0], ImageSource{}, prefix);
    std::error_code ec;
    if (fs::is_directory(where, ec)) return;
    if (!fs::is_regular_file(where, ec))
      throw InputError(fmt::format("{}: {} is neither a folder of masks nor a list of 'IMAGE MASK' lines", prefix,
                                   where));
    const fs::path root = fs::path(where).parent_path();
    const std::vector<std::string> lines = lines_of(read_file(where));
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      const size_t start = line.find_first_not_of(" \t");
      if (start == std::string::npos || line[start] == '#') continue;
      const size_t end = line.find_last_not_of(" \t");
      const size_t sep = line.find_last_of(" \t", end);
      if (sep == std::string::npos || sep < start)
        throw InputError(fmt::format("{}: {}: line {}: expected 'IMAGE MASK', got '{}'", prefix, where, i + 1, line));
      const std::string image = line.substr(start, line.find_last_not_of(" \t", sep) + 1 - start);
      const std::string mask = line.substr(sep + 1, end - sep);
      by_image_[image] = fs::path(mask).is_absolute() ? mask : (root / mask).string();
    }
    if (by_image_.empty()) throw InputError(fmt::format("{}: {} lists no masks", prefix, where));
  }

  TargetForm form() const override { return TargetForm::mask; }
  int64_t values_per_sample() const override { return 0; }

  void load(int64_t, const Sample& sample, Target& out) const override {
    if (sample.source_width == 0)
      throw InputError(fmt::format("{}: sample {}: PNG masks follow image files (data folder: or list:); give the "
                                   "masks of this data as npy:MASKS.npy [N,H,W]",
                                   prefix_, sample.id));
    std::string path;
    if (by_image_.empty()) {
      path = (fs::path(where_) / fs::path(sample.id).replace_extension(".png")).string();
    } else {
      const auto it = by_image_.find(sample.id);
      if (it == by_image_.end())
        throw InputError(fmt::format("{}: sample {}: {} lists no mask for this image", prefix_, sample.id, where_));
      path = it->second;
    }
    cv::Mat mask = cv::imread(path, cv::IMREAD_UNCHANGED);
    if (mask.empty())
      throw InputError(fmt::format("{}: sample {}: cannot read the mask {}", prefix_, sample.id, path));
    if (mask.channels() != 1 || (mask.depth() != CV_8U && mask.depth() != CV_16U))
      throw InputError(fmt::format("{}: sample {}: mask {} has {} channels of {} bits; masks are single-channel 8- "
                                   "or 16-bit class ids (save palette or color masks as gray ids)",
                                   prefix_, sample.id, path, mask.channels(), mask.depth() == CV_16U ? 16 : 8));
    if (mask.cols != sample.source_width || mask.rows != sample.source_height)
      throw InputError(fmt::format("{}: sample {}: mask {} is {}x{}, its image {}x{}", prefix_, sample.id, path,
                                   mask.cols, mask.rows, sample.source_width, sample.source_height));
    cv::Mat m = pipeline_.geometry(mask, Interpolation::nearest);
    if (map_width_ > 0 && (m.cols != map_width_ || m.rows != map_height_)) {
      cv::Mat resized;
      cv::resize(m, resized, cv::Size(map_width_, map_height_), 0, 0, cv::INTER_NEAREST_EXACT);
      m = resized;
    }
    out.values.clear();
    out.ids.resize(static_cast<size_t>(m.rows) * m.cols);
    for (int y = 0; y < m.rows; ++y)
      for (int x = 0; x < m.cols; ++x)
        out.ids[static_cast<size_t>(y) * m.cols + x] =
            m.depth() == CV_8U ? m.at<uint8_t>(y, x) : static_cast<int32_t>(m.at<uint16_t>(y, x));
  }

  std::string describe() const override {
    return fmt::format("png masks {} ({}), nearest-neighbour through the image geometry{}", where_,
                       by_image_.empty() ? "folder" : fmt::format("list of {}", by_image_.size()),
                       map_width_ > 0 ? fmt::format(", then to {}x{}", map_width_, map_height_) : "");
  }

 private:
  std::string prefix_, where_;
  int map_height_ = 0, map_width_ = 0;
  ImagePipeline pipeline_;
  std::unordered_map<std::string, std::string> by_image_;
};

// ---- text transcripts -------------------------------------------------------------------------------------------------

// The UTF-8 characters of a line (a character is a lead byte and its continuation bytes).
std::vector<std::string> characters(const std::string& line) {
  std::vector<std::string> out;
  for (size_t i = 0; i < line.size();) {
    size_t n = 1;
    while (i + n < line.size() && (static_cast<unsigned char>(line[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(line.substr(i, n));
    i += n;
  }
  return out;
}

class TranscriptTargets final : public TargetSource {
 public:
  TranscriptTargets(const std::string& prefix, const std::string& file, const std::string& vocab, int64_t samples)
      : file_(file), vocab_(vocab) {
    std::unordered_map<std::string, int32_t> symbols;
    if (!vocab.empty()) {
      const std::vector<std::string> v = lines_of(read_file(vocab));
      for (size_t j = 0; j < v.size(); ++j) symbols.emplace(v[j], static_cast<int32_t>(j));
    }
    const std::vector<std::string> lines = lines_of(read_file(file));
    if (static_cast<int64_t>(lines.size()) < samples)
      throw InputError(fmt::format("{}: {} has {} lines, the data {} samples (one transcript per line)", prefix, file,
                                   lines.size(), samples));
    ids_.resize(static_cast<size_t>(samples));
    for (int64_t i = 0; i < samples; ++i) {
      const std::string& line = lines[static_cast<size_t>(i)];
      std::vector<int32_t>& ids = ids_[static_cast<size_t>(i)];
      if (!vocab.empty()) {
        for (const std::string& c : characters(line)) {
          const auto it = symbols.find(c);
          if (it == symbols.end())
            throw InputError(fmt::format("{}: {}: line {}: '{}' is not a symbol of {}", prefix, file, i + 1, c,
                                         vocab));
          ids.push_back(it->second);
        }
        continue;
      }
      size_t pos = 0;
      while (pos < line.size()) {
        const size_t b = line.find_first_not_of(" \t", pos);
        if (b == std::string::npos) break;
        size_t e = line.find_first_of(" \t", b);
        if (e == std::string::npos) e = line.size();
        const std::string tok = line.substr(b, e - b);
        char* stop = nullptr;
        const long v = std::strtol(tok.c_str(), &stop, 10);
        if (*stop != '\0' || v < 0 || v > 1000000)
          throw InputError(fmt::format("{}: {}: line {}: '{}' is not a symbol id (without ,VOCAB each line holds "
                                       "integer ids separated by spaces)",
                                       prefix, file, i + 1, tok));
        ids.push_back(static_cast<int32_t>(v));
        pos = e;
      }
    }
  }

  TargetForm form() const override { return TargetForm::transcript; }
  int64_t values_per_sample() const override { return 0; }

  void load(int64_t index, const Sample&, Target& out) const override {
    out.values.clear();
    out.ids = ids_[static_cast<size_t>(index)];
  }

  std::string describe() const override {
    return fmt::format("text {}{}", file_, vocab_.empty() ? " (symbol ids)" : ", symbols " + vocab_);
  }

 private:
  std::string file_, vocab_;
  std::vector<std::vector<int32_t>> ids_;
};

}  // namespace

std::unique_ptr<TargetSource> open_targets(const TargetOptions& options, const DataOptions& data,
                                           const std::vector<ModelInput>& inputs) {
  const std::string prefix = fmt::format("--targets {}={}", options.output, options.spec);
  const size_t colon = options.spec.find(':');
  const std::string kind = colon == std::string::npos ? "" : options.spec.substr(0, colon);
  const std::string args = colon == std::string::npos ? "" : options.spec.substr(colon + 1);
  if (args.empty())
    throw InputError(fmt::format("{}: expected npy:FILE.npy, png:DIR, png:LIST or text:FILE[,VOCAB]", prefix));
  if (kind == "npy") return std::make_unique<NpyTargets>(prefix, args, options.samples);
  if (kind == "png")
    return std::make_unique<MaskTargets>(prefix, args, data, inputs, options.map_height, options.map_width);
  if (kind == "text") {
    const size_t comma = args.find(',');
    return std::make_unique<TranscriptTargets>(prefix, args.substr(0, comma),
                                               comma == std::string::npos ? "" : args.substr(comma + 1),
                                               options.samples);
  }
  throw InputError(fmt::format("{}: unknown target kind '{}' (npy, png or text)", prefix, kind));
}

}  // namespace qgate
