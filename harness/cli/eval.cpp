// qgate eval: the float model and its quantized twin side by side over a labeled data set; metrics, gates,
// verdict, JSON report.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <unistd.h>

#include <fmt/format.h>

#include "datasets/dataset.h"
#include "datasets/spec.h"
#include "harness/cli/cli_util.h"
#include "harness/cli/commands.h"
#include "harness/cli/input_shapes.h"
#include "harness/cli/run_options.h"
#include "core/errors.h"
#include "harness/eval.h"
#include "harness/cli/model_loader.h"
#include "core/npy.h"
#include "harness/ptq.h"
#include "harness/selective.h"
#include "harness/sensitivity.h"
#include "core/sha256.h"
#include "harness/verdict.h"
#include "kernels/cpu_features.h"
#include "kernels/parallel.h"
#include "reports/html.h"
#include "reports/csv.h"
#include "reports/junit.h"
#include "reports/report.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "eval",
    "qgate eval --model M [--quantized Q | --scheme S] --data KIND:ARGS [--top-k 1,5] [--limit N] [--threads T]\n"
    "                  [--report OUT.json] [--html OUT.html] [--gate EXPR ...] [--sensitivity-samples N]\n"
    "                  [--float-budget F] [--no-search] [--csv OUT.csv] [--junit OUT.xml]",
    "Runs the float model and its quantized twin (a dynamic-range .tflite given with --quantized, or the float\n"
    "model quantized under --scheme, default tflite-dynamic) on every sample of the data set through the same\n"
    "kernels, and reports top-k accuracy of both with the delta and its 95% paired-bootstrap interval, McNemar on\n"
    "the flips, top-1 agreement, KL divergence, and per-layer error (accumulated, isolated, and split into weight\n"
    "and activation parts). Default gate: with labels top1.delta.ci_low>=-1.0 (the lower end of the top-1 delta's\n"
    "interval, in points); without labels agreement.ci_low>=0.99 (the lower end of the top-1 agreement's\n"
    "interval: at most 1% of the predictions change).\n\n"
    "When a gate fails (and the model was quantized here under --scheme, without --no-search), qgate measures\n"
    "each quantizable layer's sensitivity on the first --sensitivity-samples samples (top-1 delta and KL with only\n"
    "that layer quantized, and with only that layer float), then searches greedily for the fewest layers to keep\n"
    "in float, within --float-budget (fraction of weight bytes), re-validating each set on the full data:\n"
    "verdict SELECTIVE (the layer list; write that model with 'qgate quantize --keep-float') or NEEDS_QAT.\n\n"
    "Exit status: 0 PASS (every gate holds on the fully quantized model); 1 FAIL, SELECTIVE or NEEDS_QAT (the\n"
    "fully quantized model failed a gate; SELECTIVE means it ships only with the listed layers kept float);\n"
    "2 bad input.\n\n"
    "Data: idx:IMAGES[,LABELS] | folder:DIR | list:FILE | npy:X.npy[,LABELS.npy] | text:FILE\n"
    "The float model's outputs are cached on disk ($QGATE_CACHE/float-outputs/, default under $XDG_CACHE_HOME/qgate\n"
    "or ~/.cache/qgate), keyed by the model's sha256, the data fingerprint (data and preprocessing) and the output\n"
    "index, shared with 'qgate compare'. With --no-layers a later run reads them and does not run the float graph (the report says\n"
    "timing.float_outputs = \"cached\"); per-layer error needs the float activations, so with layer metrics the\n"
    "float graph runs and only fills the cache. --no-cache neither reads nor writes it.\n\n"
    "Gates: PATH OP NUMBER with OP in >= <= > < ==; paths such as top1.delta, top1.delta.ci_low, top1-drop,\n"
    "top5.quant, agreement, kl.p99, layers.sqnr_min (accuracies in percentage points, agreement a fraction).\n"
    "Outputs (each written atomically, only when the run completes): --report JSON (reports/schema), --html a\n"
    "self-contained report with inline SVG charts, --csv one row per layer and metric plus model rows\n"
    "(section,node,name,op,metric,value), --junit one test case per gate."};

std::vector<int> parse_top_k(const std::string& text) {
  std::vector<int> ks;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string tok = text.substr(start, end - start);
    char* stop = nullptr;
    long v = std::strtol(tok.c_str(), &stop, 10);
    if (tok.empty() || *stop != '\0' || v < 1 || v > 1000)
      throw UsageError(fmt::format("--top-k {}: '{}' is not an integer in [1, 1000]", text, tok));
    ks.push_back(static_cast<int>(v));
    start = end + 1;
  }
  return ks;
}

// A one-line progress bar on stderr, redrawn in place; only when stderr is a terminal.
class Progress {
 public:
  Progress() : enabled_(::isatty(2) != 0), start_(std::chrono::steady_clock::now()) {}
  void update(int64_t done, int64_t total) {
    if (!enabled_) return;
    std::lock_guard lock(mu_);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = s > 0 ? done / s : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    int width = 30, filled = static_cast<int>(width * done / std::max<int64_t>(total, 1));
    fmt::print(stderr, "\r  [{}{}] {}/{} samples  {:.0f}/s  ETA {:.0f}s ", std::string(filled, '#'),
               std::string(width - filled, '.'), done, total, rate, eta);
    if (done == total) fmt::print(stderr, "\r{}\r", std::string(80, ' '));
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
};

}  // namespace

int eval(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("model,m", po::value<std::string>()->required(), "float model (.tflite)")(
      "quantized,q", po::value<std::string>(), "its dynamic-range .tflite (instead of --scheme)")(
      "scheme,s", po::value<std::string>(), ("quantization scheme (default tflite-dynamic): " + scheme_preset_names()).c_str())(
      "arithmetic", po::value<std::string>(),
      "litert-cpu: float and quantized runs compute as LiteRT's CPU path (docs/litert-cpu.md); same as the scheme key "
      "arithmetic=litert-cpu")(
      "top-k", po::value<std::string>()->default_value("1,5"), "k values for top-k accuracy")(
      "output-index", po::value<int>()->default_value(0), "model output holding the class scores")(
      "no-layers", po::bool_switch(), "skip per-layer metrics (faster)")(
      "no-isolated", po::bool_switch(), "skip isolated per-layer error and the weight/activation split")(
      "seed", po::value<uint64_t>()->default_value(20240611), "bootstrap seed")(
      "sensitivity-samples", po::value<int64_t>()->default_value(1000),
      "samples for the per-layer sensitivity analysis (0: all)")(
      "float-budget", po::value<double>()->default_value(0.10),
      "selective search: largest fraction of weight bytes left in float")(
      "no-search", po::bool_switch(), "on a failed gate, stop at FAIL (no sensitivity analysis or search)");
  add_data_options(options);
  add_run_options(options);
  add_export_options(options);
  po::positional_options_description positional;
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;
  if (vm.count("quantized") && vm.count("scheme")) throw UsageError("--quantized and --scheme exclude each other");

  // Everything that can be checked before the long run is checked first.
  metrics::ModelMetricsOptions mopts;
  mopts.top_k = parse_top_k(vm["top-k"].as<std::string>());
  mopts.bootstrap_seed = vm["seed"].as<uint64_t>();
  const bool layers = !vm["no-layers"].as<bool>();
  std::vector<metrics::Gate> gates = read_gates(vm, mopts.top_k, layers);
  const int64_t limit = apply_threads_and_limit(vm);

  const int64_t sensitivity_samples = vm["sensitivity-samples"].as<int64_t>();
  if (sensitivity_samples < 0) throw UsageError(fmt::format("--sensitivity-samples {} is negative", sensitivity_samples));
  const double float_budget = vm["float-budget"].as<double>();
  if (!(float_budget >= 0.0 && float_budget <= 1.0))
    throw UsageError(fmt::format("--float-budget {}: must be a fraction in [0, 1]", float_budget));
  const bool search = !vm["no-search"].as<bool>() && !vm.count("quantized");

  const bool litert_cpu = !read_arithmetic_option(vm).empty();
  const std::string model_path = vm["model"].as<std::string>();
  LoadedModel fm = load_model(model_path);
  reports::Report report;
  Graph quant_graph;
  Scheme scheme;
  if (vm.count("quantized")) {
    LoadedModel qm = load_model(vm["quantized"].as<std::string>());
    report.manifest.quantized_path = vm["quantized"].as<std::string>();
    report.manifest.quantized_sha256 = qm.sha256;
    report.manifest.scheme = "file";
    quant_graph = std::move(qm.graph);
    if (litert_cpu) {
      set_litert_cpu_arithmetic(fm.graph);
      set_litert_cpu_arithmetic(quant_graph);
    }
  } else {
    scheme = Scheme::parse(vm.count("scheme") ? vm["scheme"].as<std::string>() : "tflite-dynamic");
    if (litert_cpu) {
      if (scheme.activations == ActivationMode::weight_only || scheme.activations == ActivationMode::ort_u8_tensor)
        throw UsageError(fmt::format("--arithmetic litert-cpu computes LiteRT's hybrid kernels; scheme {} has none",
                                     scheme.to_string()));
      scheme.arithmetic = Arithmetic::litert_cpu;
    }
    // The float run computes as LiteRT does too: both sides of every comparison come from one runtime.
    if (scheme.arithmetic == Arithmetic::litert_cpu) set_litert_cpu_arithmetic(fm.graph);
    QuantizedGraph q = quantize_graph(fm.graph, scheme);
    report.manifest.scheme = scheme.to_string();
    report.weights = std::move(q.weights);
    quant_graph = std::move(q.graph);
  }
  for (const auto& w : report.weights) report.weight_tensor_names.push_back(fm.graph.tensors[w.tensor].name);
  const bool hybrid = has_int8_weights(quant_graph);
  Graph weight_only;
  if (hybrid && layers && !vm["no-isolated"].as<bool>()) weight_only = dequantized_twin(quant_graph);

  const DataOptions dopts = read_data_options(vm);
  std::unique_ptr<Dataset> data = open_data_for(dopts, fm.graph, input_shapes_for(vm, fm.graph));
  gates = fit_gates_to_data(std::move(gates), *data);

  EvalOptions eopts;
  eopts.model = mopts;
  eopts.limit = limit;
  eopts.output_index = vm["output-index"].as<int>();
  eopts.layer_metrics = layers;
  eopts.isolated = !vm["no-isolated"].as<bool>();
  eopts.weight_only = weight_only.nodes.empty() ? nullptr : &weight_only;
  Progress progress;
  eopts.progress = [&](int64_t done, int64_t total) { progress.update(done, total); };
  // The float outputs: read from the on-disk cache when nothing else needs the float graph (per-layer error
  // needs its activations, so with layer metrics it runs anyway), else recorded and stored for later runs. The
  // selective search re-validates against them too.
  const FloatOutputCache cache = float_cache_for(vm, fm.sha256, *data, eopts.output_index, fm.graph);
  const int64_t total = limit > 0 ? std::min<int64_t>(limit, data->size()) : data->size();
  std::vector<std::vector<float>> float_outputs;
  const bool from_cache = !layers && cache.load(total, float_outputs);
  if (from_cache) eopts.float_outputs = &float_outputs;
  const bool store = cache.enabled() && !from_cache && !cache.holds(total) &&
                     FloatOutputCache::fits(total, output_width(fm.graph, eopts.output_index));
  if (!from_cache && (search || store)) eopts.record_float_outputs = &float_outputs;
  report.result = evaluate(fm.graph, quant_graph, *data, eopts);
  report.float_outputs = from_cache ? "cached" : "computed";

  report.manifest.qgate_version = QGATE_VERSION;
  report.manifest.command = "eval";
  report.manifest.arithmetic = arithmetic_name(quant_graph);
  report.manifest.model_path = model_path;
  report.manifest.model_sha256 = fm.sha256;
  report.manifest.data_spec = dopts.spec;
  report.manifest.data_description = data->describe();
  report.manifest.data_fingerprint = data->fingerprint();
  report.manifest.preprocessing = dopts.preprocess_json.empty() ? nlohmann::ordered_json(nullptr)
                                                                : nlohmann::ordered_json(dopts.preprocess_json);
  report.manifest.threads = kernels::num_threads();
  const auto& cpu = kernels::cpu_features();
  report.manifest.cpu_features = fmt::format("avx2={} fma={} f16c={}", cpu.avx2, cpu.fma, cpu.f16c);
  report.manifest.kernel_path = kernels::kernel_path();
  report.manifest.seed = mopts.bootstrap_seed;
  report.manifest.limit = limit;
  report.class_names = data->class_names();
  apply_gates(report, gates);
  if (report.verdict.status == reports::VerdictStatus::fail && search) {
    if (::isatty(2)) fmt::print(stderr, "gate failed: measuring layer sensitivity and searching for float layers...\n");
    SensitivityOptions sopts;
    sopts.samples = sensitivity_samples;
    sopts.eval = eopts;
    sopts.eval.record_float_outputs = nullptr;
    sopts.eval.float_outputs = nullptr;  // its baseline runs float and quantized: the cost reference
    report.sensitivity = analyze_sensitivity(fm.graph, scheme, *data, sopts);
    SelectiveOptions selopts;
    selopts.float_budget = float_budget;
    selopts.gates = gates;
    selopts.eval = eopts;
    selopts.eval.record_float_outputs = nullptr;
    selopts.eval.float_outputs = nullptr;
    selopts.float_outputs = &float_outputs;
    report.selective = search_selective(fm.graph, scheme, *data, *report.sensitivity, selopts);
    apply_selective(report);
  } else if (report.verdict.status == reports::VerdictStatus::fail && vm.count("quantized") && !vm["no-search"].as<bool>()) {
    report.verdict.reasons.push_back("no selective search: it needs the model quantized here (--scheme), not "
                                     "--quantized");
  }

  fmt::print("{}", reports::console_summary(report));
  write_exports(vm, report);
  // Last, like the exports: a run that failed writes nothing, not even the cache.
  if (store)
    if (const std::string why = cache.store(float_outputs); !why.empty())
      fmt::print(stderr, "qgate eval: warning: float outputs not cached: {}\n", why);
  return report.verdict.status == reports::VerdictStatus::pass ? 0 : 1;
}

}  // namespace qgate::cli
