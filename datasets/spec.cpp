#include "datasets/spec.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/loaders.h"
#include "core/errors.h"
#include "core/files.h"
#include "core/sha256.h"

namespace qgate {

Tensor& Sample::single_input(const ModelInput& input) {
  inputs.resize(1);
  Tensor& t = inputs[0];
  t.name = input.name;
  t.dtype = input.dtype;
  t.shape = input.shape;
  t.allocate();
  return t;
}

Dataset::~Dataset() = default;

std::vector<std::string> Dataset::class_names() const { return {}; }

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<std::string> parse_class_names(const std::string& text, const std::string& source) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(trim(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) throw InputError(fmt::format("{}: no class names (one per line)", source));
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      throw InputError(fmt::format("{}: line {} is blank (one class name per line; line 1 names class 0)", source,
                                   i + 1));
    }
    auto [it, fresh] = seen.emplace(lines[i], i);
    if (!fresh) {
      throw InputError(fmt::format("{}: line {}: class '{}' repeats line {}", source, i + 1, lines[i],
                                   it->second + 1));
    }
  }
  return lines;
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const ModelInput& LoaderContext::single_input() const {
  if (inputs.size() != 1) {
    std::string names;
    for (const auto& in : inputs) names += (names.empty() ? "'" : ", '") + in.name + "'";
    throw InputError(fmt::format("{}: the model has {} inputs{}{}; this data feeds exactly one", prefix,
                                 inputs.size(), inputs.empty() ? "" : " ", names));
  }
  return inputs[0];
}

std::vector<std::string> LoaderContext::split_args(size_t max_args, const char* usage) const {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    size_t comma = args.find(',', pos);
    parts.push_back(args.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (parts.size() > max_args || parts[0].empty()) throw InputError(fmt::format("{}: expected {}", prefix, usage));
  return parts;
}

void LoaderContext::refuse_preprocess(const std::string& why) const {
  if (!preprocess.empty()) {
    throw InputError(fmt::format("{}: image preprocessing options (--preprocess, --resize, --color, ...) do not "
                                 "apply: {}",
                                 prefix, why));
  }
}

int64_t LoaderContext::check_label(int64_t label, const std::string& sample) const {
  if (label < 0) throw InputError(fmt::format("{}: sample {}: label {} is negative", prefix, sample, label));
  if (!class_names.empty() && label >= static_cast<int64_t>(class_names.size())) {
    throw InputError(fmt::format("{}: sample {}: label {} is out of range: --labels {} names {} classes (0..{})",
                                 prefix, sample, label, labels_file, class_names.size(), class_names.size() - 1));
  }
  return label;
}

int64_t LoaderContext::parse_label(const std::string& text, const std::string& sample) const {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && p == text.data() + text.size()) return check_label(v, sample);
  if (class_names.empty()) {
    throw InputError(fmt::format("{}: sample {}: label '{}' is not an integer (give --labels FILE to use class "
                                 "names)",
                                 prefix, sample, text));
  }
  auto it = std::find(class_names.begin(), class_names.end(), text);
  if (it == class_names.end()) {
    throw InputError(
        fmt::format("{}: sample {}: label '{}' is not a class in --labels {}", prefix, sample, text, labels_file));
  }
  return it - class_names.begin();
}

int64_t LoaderContext::num_classes(int64_t max_label) const {
  if (!class_names.empty()) return static_cast<int64_t>(class_names.size());
  return max_label + 1;
}

std::string LoaderContext::classes_text(int64_t n) const {
  if (n == 0) return "; unlabeled";
  if (!class_names.empty()) return fmt::format("; {} classes (--labels {})", n, base_name(labels_file));
  return fmt::format("; {} classes", n);
}

std::unique_ptr<Dataset> open_dataset(const DataOptions& options, const std::vector<ModelInput>& inputs) {
  LoaderContext ctx;
  ctx.prefix = "data " + options.spec;
  auto colon = options.spec.find(':');
  if (colon == std::string::npos || colon + 1 == options.spec.size()) {
    throw InputError(fmt::format("data '{}': expected KIND:ARGS with KIND one of idx, folder, list, npy, text",
                                 options.spec));
  }
  const std::string kind = options.spec.substr(0, colon);
  ctx.args = options.spec.substr(colon + 1);
  ctx.inputs = inputs;
  if (!options.labels_file.empty()) {
    std::string bytes = read_file(options.labels_file);
    ctx.class_names = parse_class_names(bytes, options.labels_file);
    ctx.labels_file = options.labels_file;
    ctx.labels_sha256 = sha256_hex(bytes);
  }
  ctx.vocab_file = options.vocab_file;
  if (!ctx.vocab_file.empty() && kind != "text") {
    throw InputError(fmt::format("{}: --vocab applies to text data only", ctx.prefix));
  }
  if (!options.preprocess_json.empty()) ctx.preprocess = read_preprocess_json(options.preprocess_json);
  ctx.preprocess = merge(ctx.preprocess, options.preprocess);

  if (kind == "idx") return open_idx(ctx);
  if (kind == "folder") return open_folder(ctx);
  if (kind == "list") return open_list(ctx);
  if (kind == "npy") return open_npy(ctx);
  if (kind == "text") return open_text(ctx);
  throw InputError(fmt::format("data '{}': unknown kind '{}' (expected idx, folder, list, npy or text)",
                               options.spec, kind));
}

}  // namespace qgate
