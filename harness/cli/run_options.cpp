#include "harness/cli/run_options.h"

#include <algorithm>

#include <fmt/format.h>

#include "datasets/preprocess.h"
#include "harness/cli/commands.h"
#include "harness/cli/input_shapes.h"
#include "core/files.h"
#include "core/npy.h"
#include "harness/ptq.h"
#include "kernels/parallel.h"
#include "reports/csv.h"
#include "reports/html.h"
#include "reports/junit.h"

namespace qgate::cli {

namespace {
constexpr const char* kPreprocessFlags[] = {"color", "resize", "interpolation", "crop", "scale",
                                            "mean",  "std",    "dtype",         "layout"};
template <class R>
void write_exports_of(const po::variables_map& vm, const R& report) {
  if (vm.count("report")) write_file_atomic(vm["report"].as<std::string>(), reports::to_json(report).dump(2) + "\n");
  if (vm.count("html")) reports::write_html(vm["html"].as<std::string>(), report);
  if (vm.count("csv")) write_file_atomic(vm["csv"].as<std::string>(), reports::to_csv(report));
  if (vm.count("junit")) write_file_atomic(vm["junit"].as<std::string>(), reports::to_junit(report));
}

}  // namespace

void add_export_options(po::options_description& options) {
  options.add_options()("report,r", po::value<std::string>(), "write the JSON report here (reports/schema)")(
      "html", po::value<std::string>(), "write a self-contained HTML report here (inline SVG charts, no scripts)")(
      "csv", po::value<std::string>(), "write the CSV export here (one row per layer and metric, model rows)")(
      "junit", po::value<std::string>(), "write JUnit XML here (one test case per gate)");
}

void write_exports(const po::variables_map& vm, const reports::Report& report) { write_exports_of(vm, report); }
void write_exports(const po::variables_map& vm, const reports::CompareReport& report) {
  write_exports_of(vm, report);
}

void add_data_options(po::options_description& options) {
  options.add_options()("data,d", po::value<std::string>()->required(), "data set: KIND:ARGS (see above)")(
      "labels", po::value<std::string>(), "class names, one per line (order = label index)")(
      "vocab", po::value<std::string>(), "vocabulary for text data, one token per line")(
      "preprocess", po::value<std::string>(), "preprocessing JSON file (images); the flags below override it")(
      "color", po::value<std::string>(), "images: gray | rgb | bgr")(
      "resize", po::value<std::string>(), "images: WxH (exact) or N (shorter side)")(
      "interpolation", po::value<std::string>(), "images: nearest | linear | area | cubic")(
      "crop", po::value<std::string>(), "images: center crop WxH or N")(
      "scale", po::value<std::string>(), "images: pixel scale, e.g. 1/255")(
      "mean", po::value<std::string>(), "images: per-channel mean (one number or a comma-separated list)")(
      "std", po::value<std::string>(), "images: per-channel std")(
      "dtype", po::value<std::string>(), "images: float32 | uint8 | int8 (raw)")(
      "layout", po::value<std::string>(), "images: nhwc | nchw");
}

void add_run_options(po::options_description& options) {
  options.add_options()("limit", po::value<int64_t>()->default_value(0), "evaluate the first N samples only (0: all)")(
      "threads,t", po::value<int>()->default_value(0), "threads (0: all cores); results do not depend on it")(
      "gate,g", po::value<std::vector<std::string>>()->composing(), "gate expression (repeatable)")(
      "no-cache", po::bool_switch(), "neither read nor write the on-disk cache of float outputs");
  add_input_shape_option(options);
}

DataOptions read_data_options(const po::variables_map& vm) {
  DataOptions d;
  d.spec = vm["data"].as<std::string>();
  if (vm.count("labels")) d.labels_file = vm["labels"].as<std::string>();
  if (vm.count("vocab")) d.vocab_file = vm["vocab"].as<std::string>();
  if (vm.count("preprocess")) d.preprocess_json = vm["preprocess"].as<std::string>();
  for (const char* key : kPreprocessFlags)
    if (vm.count(key)) set_preprocess_option(d.preprocess, key, vm[key].as<std::string>(), std::string("--") + key);
  return d;
}

std::unique_ptr<Dataset> open_data_for(const DataOptions& options, const Graph& graph,
                                       const std::vector<Shape>& input_shapes) {
  std::vector<ModelInput> inputs;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    inputs.push_back(ModelInput::of(graph.tensors[graph.inputs[i]]));
    inputs.back().shape = input_shapes.at(i);
  }
  return open_dataset(options, inputs);
}

std::vector<metrics::Gate> read_gates(const po::variables_map& vm, const std::vector<int>& top_k, bool with_layers,
                                      const std::string& hint) {
  std::vector<metrics::Gate> gates;
  if (vm.count("gate"))
    for (const auto& g : vm["gate"].as<std::vector<std::string>>()) gates.push_back(metrics::parse_gate(g));
  const auto known = metrics::gate_value_names(top_k, with_layers);
  for (const auto& g : gates)
    if (std::find(known.begin(), known.end(), g.path) == known.end())
      throw UsageError(fmt::format("--gate {}: unknown field '{}' (known: {}{})", g.text, g.path,
                                   fmt::join(known, ", "), hint));
  return gates;
}

std::vector<metrics::Gate> fit_gates_to_data(std::vector<metrics::Gate> gates, const Dataset& data) {
  const bool labeled = data.num_classes() > 0;
  if (gates.empty()) return {metrics::default_gate(labeled)};
  if (!labeled)
    for (const auto& g : gates)
      if (metrics::gate_needs_labels(g.path))
        throw UsageError(fmt::format("--gate {}: '{}' needs labels and the data ({}) has none; gate on agreement, "
                                     "agreement.ci_low or kl.* instead (default without labels: {})",
                                     g.text, g.path, data.describe(), metrics::kDefaultUnlabeledGate));
  return gates;
}

int64_t apply_threads_and_limit(const po::variables_map& vm) {
  const int threads = vm["threads"].as<int>();
  if (threads < 0) throw UsageError(fmt::format("--threads {} is negative", threads));
  if (threads > 0) kernels::set_num_threads(threads);
  const int64_t limit = vm["limit"].as<int64_t>();
  if (limit < 0) throw UsageError(fmt::format("--limit {} is negative", limit));
  return limit;
}

FloatOutputCache float_cache_for(const po::variables_map& vm, const std::string& model_sha256, const Dataset& data,
                                 int output_index, const Graph& float_graph) {
  if (vm["no-cache"].as<bool>()) return {};
  const bool litert = arithmetic_name(float_graph) == "litert-cpu";
  return FloatOutputCache(model_sha256, data.fingerprint(), output_index, litert ? "litert-cpu" : "");
}

std::string read_arithmetic_option(const po::variables_map& vm) {
  if (!vm.count("arithmetic")) return "";
  const std::string a = vm["arithmetic"].as<std::string>();
  if (a != "litert-cpu")
    throw UsageError(fmt::format("--arithmetic {}: the one arithmetic to choose is litert-cpu (LiteRT's CPU path); "
                                 "without it, hybrid ops follow the scheme's epilogue", a));
  return a;
}

}  // namespace qgate::cli
