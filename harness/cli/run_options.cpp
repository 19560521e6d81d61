#include "harness/cli/run_options.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "datasets/preprocess.h"
#include "harness/cli/commands.h"
#include "harness/cli/input_shapes.h"
#include "harness/eval.h"
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

void add_output_options(po::options_description& options) {
  options.add_options()(
      "output", po::value<std::vector<std::string>>()->composing(),
      "score an output as KIND: SEL[=NAME][:KIND[,OPTION=VALUE...]], SEL an index or tensor name, KIND classes | "
      "multilabel | regression | segmentation | embedding | sequence | raw (repeatable)")(
      "targets", po::value<std::vector<std::string>>()->composing(),
      "targets of an output: SEL=npy:FILE.npy | SEL=png:DIR|LIST | SEL=text:FILE[,VOCAB] (repeatable)")(
      "landmarks", po::value<std::vector<std::string>>()->composing(),
      "read a regression output as K points of D coordinates: [SEL=]K,D[,TOLERANCE] (repeatable)");
}

namespace {
std::vector<std::string> strings(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
}
}  // namespace

OutputSetup plan_output_setup(const po::variables_map& vm, const Graph& graph, const Dataset& data,
                              const DataOptions& data_options) {
  OutputSetup setup;
  setup.label_output = vm.count("output-index") ? vm["output-index"].as<int>() : 0;
  const int count = static_cast<int>(graph.outputs.size());
  if (setup.label_output < 0 || setup.label_output >= count)
    throw UsageError(fmt::format("--output-index {}: the model has {} outputs", setup.label_output, count));
  OutputPlanInput in;
  in.graph = &graph;
  in.label_output = setup.label_output;
  in.labeled = data.num_classes() > 0;
  for (const auto& t : strings(vm, "output")) in.requests.push_back(parse_output_request(t));
  for (const auto& t : strings(vm, "landmarks")) in.landmarks.push_back(parse_landmarks_request(t));
  // Symbolic input dimensions: the outputs planned, and the targets sized, at the data's input sizes.
  const DataShapes shapes = shapes_for_data(graph, data);
  in.output_shapes = shapes.outputs;
  std::vector<ModelInput> inputs;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    inputs.push_back(ModelInput::of(graph.tensors[graph.inputs[i]]));
    inputs.back().shape = shapes.inputs[i];
  }
  std::vector<std::unique_ptr<TargetSource>> by_output(static_cast<size_t>(count));
  in.targets.resize(static_cast<size_t>(count));
  for (const auto& t : strings(vm, "targets")) {
    const TargetsRequest r = parse_targets_request(t);
    const int index = resolve_output(graph, in.requests, r.selector, "--targets " + t);
    if (by_output[static_cast<size_t>(index)])
      throw UsageError(fmt::format("--targets {}: output {} already has targets", t, index));
    TargetOptions options;
    options.spec = r.spec;
    options.output = r.selector;
    options.samples = data.size();
    std::tie(options.map_height, options.map_width) = output_map_size(graph, in.requests, index, shapes.outputs[static_cast<size_t>(index)]);
    by_output[static_cast<size_t>(index)] = open_targets(options, data_options, inputs);
    const TargetSource& source = *by_output[static_cast<size_t>(index)];
    in.targets[static_cast<size_t>(index)] =
        TargetInfo{source.form(), source.values_per_sample(), source.binary(), source.describe()};
  }
  setup.specs = plan_outputs(in);
  for (auto& source : by_output) {
    setup.targets.push_back(source.get());
    if (source) setup.sources.push_back(std::move(source));
  }
  setup.model_output = model_output(setup.specs, setup.label_output);
  return setup;
}

std::string describe_outputs(const OutputSetup& setup) {
  std::string out;
  for (const auto& s : setup.specs) {
    out += fmt::format("output {} '{}' {}: {} ({})", s.index, s.tensor, shape_string(s.shape),
                       reports::output_kind_name(s.kind), s.kind_source);
    if (const std::string settings = s.settings(); !settings.empty()) out += "; " + settings;
    if (!s.targets.empty()) out += "; targets " + s.targets;
    out += fmt::format("; gates: outputs.{}.*\n", s.name);
  }
  return out;
}

std::vector<metrics::Gate> read_gates(const po::variables_map& vm) {
  std::vector<metrics::Gate> gates;
  for (const auto& g : strings(vm, "gate")) gates.push_back(metrics::parse_gate(g));
  return gates;
}

std::vector<metrics::Gate> settle_gates(std::vector<metrics::Gate> gates, const OutputSetup& outputs,
                                        const Dataset& data, const std::vector<int>& top_k, bool with_layers,
                                        const std::string& hint) {
  const bool labeled = data.num_classes() > 0;
  const bool model = outputs.model_output >= 0;
  if (gates.empty()) {
    for (const std::string& text : default_gate_texts(outputs.specs, outputs.label_output, labeled))
      gates.push_back(metrics::parse_gate(text));
    return gates;
  }
  // Every key: the classes keys of the `model` output, the layers' (with layers), every output's.
  std::vector<std::string> known = metrics::gate_value_names(top_k, with_layers, true);
  const std::vector<std::string> classes_keys = metrics::gate_value_names(top_k, false, true);
  if (!model)
    known.erase(std::remove_if(known.begin(), known.end(),
                               [&](const std::string& k) {
                                 return std::find(classes_keys.begin(), classes_keys.end(), k) != classes_keys.end();
                               }),
                known.end());
  for (const std::string& k : metrics::output_gate_value_names(outputs.specs, top_k)) known.push_back(k);
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  for (const auto& g : gates) {
    if (std::find(known.begin(), known.end(), g.path) != known.end()) continue;
    if (!model && std::find(classes_keys.begin(), classes_keys.end(), g.path) != classes_keys.end()) {
      const auto& s = outputs.specs[static_cast<size_t>(outputs.label_output)];
      throw UsageError(fmt::format("--gate {}: '{}' reads the classes output (--output-index {}), and output {} '{}' "
                                   "is scored as {} ({}); gate on outputs.{}.* instead",
                                   g.text, g.path, outputs.label_output, s.index, s.tensor,
                                   reports::output_kind_name(s.kind), s.kind_source, s.name));
    }
    throw UsageError(fmt::format("--gate {}: unknown field '{}' (known: {}{})", g.text, g.path,
                                 fmt::join(known, ", "), hint));
  }
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
                                 const std::vector<metrics::OutputSpec>& outputs, const Graph& float_graph) {
  if (vm["no-cache"].as<bool>()) return {};
  std::vector<int> indices;
  for (const auto& s : outputs) indices.push_back(s.index);
  const bool litert = arithmetic_name(float_graph) == "litert-cpu";
  return FloatOutputCache(model_sha256, data.fingerprint(), indices, litert ? "litert-cpu" : "");
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
