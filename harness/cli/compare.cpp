// qgate compare: one float model under several quantization schemes, side by side over one labeled data set.
// The float graph runs once (or not at all when its outputs are cached on disk); each scheme then runs only its
// quantized graph against those float outputs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
#include "harness/verdict.h"
#include "core/sha256.h"
#include "kernels/parallel.h"
#include "reports/compare.h"
#include "reports/report.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "compare",
    "qgate compare --model M --schemes S1,S2,... --data KIND:ARGS [--labels F] [--vocab F] [--limit N]\n"
    "                     [--threads T] [--layers] [--gate EXPR ...] [--report OUT.json] [--html OUT.html]\n"
    "                     [--csv OUT.csv] [--junit OUT.xml] [--no-cache]",
    "Evaluates the float model quantized under each scheme on the same data set and prints one row per scheme:\n"
    "weight bytes (float32 -> quantized), top-1 and top-5 delta with their 95% paired-bootstrap intervals, top-1\n"
    "agreement, KL p99, worst layer SQNR and the verdict of the gates (default top1.delta.ci_low>=-1.0 with labels,\n"
    "agreement.ci_low>=0.99 without), applied to each scheme on its own.\n\n"
    "--schemes is a comma-separated list of schemes; a key=value token belongs to the scheme before it, so\n"
    "'tflite-dynamic,per-tensor,bits=4,min-elements=0' is two schemes.\n\n"
    "The float model runs once. Its outputs are cached in $QGATE_CACHE/float-outputs/ (default under\n"
    "$XDG_CACHE_HOME/qgate or ~/.cache/qgate), keyed by the model's sha256, the data fingerprint (data and\n"
    "preprocessing) and the output index, shared with 'qgate eval'; a later run over the same model and data (up to as many samples)\n"
    "reads them instead ('float outputs: cached' vs 'computed'). --no-cache neither reads nor writes the cache.\n"
    "Per-layer error needs the float activations, so it is measured only with --layers (every scheme then runs\n"
    "the float graph again beside its quantized one); without it the SQNR column shows '-' and layers.* gates\n"
    "are refused.\n\n"
    "Exit status: 0 every scheme passes its gates; 1 at least one fails; 2 bad input.\n\n"
    "Outputs (each written atomically, only when the run completes): --report JSON, kind \"qgate.compare\"\n"
    "(reports/schema/compare.schema.json): one row per scheme with weight bytes, top1/top5 {float, quant, delta,\n"
    "ci_low, ci_high}, agreement, kl_p99, worst_layer_sqnr_db, verdict, reasons, gates, classes and layers;\n"
    "--html the table, a top-1 interval chart and each scheme's accuracy table and charts; --csv one row per\n"
    "scheme x layer x metric (a leading scheme column); --junit one test case per scheme x gate.\n\n"
    "Data: idx:IMAGES[,LABELS] | folder:DIR | list:FILE | npy:X.npy[,LABELS.npy] | text:FILE"};

// Splits "a,k=v,b,k=v" into {"a,k=v", "b,k=v"}: a token holding '=' continues the scheme before it.
std::vector<std::string> split_schemes(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string tok = text.substr(start, end - start);
    if (tok.empty()) throw UsageError(fmt::format("--schemes {}: empty entry", text));
    if (tok.find('=') != std::string::npos) {
      if (out.empty()) throw UsageError(fmt::format("--schemes {}: '{}' comes before any scheme name", text, tok));
      out.back() += "," + tok;
    } else {
      out.push_back(tok);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

int compare(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("model,m", po::value<std::string>()->required(), "float model (.tflite)")(
      "schemes,s", po::value<std::string>()->required(),
      ("comma-separated schemes (presets: " + scheme_preset_names() + ")").c_str())(
      "output-index", po::value<int>()->default_value(0), "model output holding the class scores")(
      "layers", po::bool_switch(), "measure per-layer error (worst layer SQNR; re-runs the float graph per scheme)");
  add_data_options(options);
  add_run_options(options);  // gates apply to each scheme
  add_export_options(options);
  po::positional_options_description positional;
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;
  const auto start = std::chrono::steady_clock::now();

  const std::string schemes_text = vm["schemes"].as<std::string>();
  std::vector<Scheme> schemes;
  for (const auto& s : split_schemes(schemes_text)) schemes.push_back(Scheme::parse(s));
  const bool layers = vm["layers"].as<bool>();
  metrics::ModelMetricsOptions mopts;  // top-1 and top-5, default bootstrap seed: the same numbers as eval
  std::vector<metrics::Gate> gates =
      read_gates(vm, mopts.top_k, layers, layers ? "" : "; layers.* need --layers");
  const int64_t limit = apply_threads_and_limit(vm);
  const int output_index = vm["output-index"].as<int>();

  const std::string model_path = vm["model"].as<std::string>();
  LoadedModel fm = load_model(model_path);
  // One float run serves every scheme: it computes as LiteRT does only when every scheme does.
  bool all_litert = true;
  for (const Scheme& s : schemes) all_litert = all_litert && s.arithmetic == Arithmetic::litert_cpu;
  if (all_litert) set_litert_cpu_arithmetic(fm.graph);
  const DataOptions dopts = read_data_options(vm);
  std::unique_ptr<Dataset> data = open_data_for(dopts, fm.graph, input_shapes_for(vm, fm.graph));
  gates = fit_gates_to_data(std::move(gates), *data);

  // Without --layers every scheme runs only its quantized graph against the float outputs: from the on-disk
  // cache (shared with eval), else from the first scheme's run, which records and stores them.
  const FloatOutputCache cache = float_cache_for(vm, fm.sha256, *data, output_index, fm.graph);
  const int64_t total = limit > 0 ? std::min<int64_t>(limit, data->size()) : data->size();
  std::vector<std::vector<float>> float_outputs;
  const bool cached = !layers && cache.load(total, float_outputs);
  // With --layers every scheme runs the float graph anyway: record its outputs only to store them.
  const bool store = !cached && cache.enabled() && !cache.holds(total) &&
                     FloatOutputCache::fits(total, output_width(fm.graph, output_index));

  reports::CompareReport c;
  for (size_t i = 0; i < schemes.size(); ++i) {
    QuantizedGraph q = quantize_graph(fm.graph, schemes[i]);
    reports::CompareRow row;
    for (const auto& w : q.weights) {
      row.float_bytes += w.float_bytes;
      row.quant_bytes += w.quantized_bytes;
    }
    EvalOptions eopts;
    eopts.model = mopts;
    eopts.limit = limit;
    eopts.output_index = output_index;
    eopts.layer_metrics = layers;
    eopts.isolated = false;  // the accumulated error is enough for the worst-layer column and the SQNR chart
    const bool record = !cached && i == 0 && (!layers || store);
    if (!layers && !record) eopts.float_outputs = &float_outputs;
    if (record) eopts.record_float_outputs = &float_outputs;
    reports::Report& r = row.report;
    r.result = evaluate(fm.graph, q.graph, *data, eopts);
    r.float_outputs = cached ? "cached" : "computed";
    r.manifest.qgate_version = QGATE_VERSION;
    r.manifest.command = "compare";
    r.manifest.model_path = model_path;
    r.manifest.model_sha256 = fm.sha256;
    r.manifest.scheme = schemes[i].to_string();
    r.manifest.arithmetic = arithmetic_name(q.graph);
    r.manifest.data_spec = dopts.spec;
    r.manifest.data_description = data->describe();
    r.manifest.data_fingerprint = data->fingerprint();
    r.manifest.limit = limit;
    r.manifest.seed = mopts.bootstrap_seed;
    r.manifest.threads = kernels::num_threads();
    r.class_names = data->class_names();
    r.weights = std::move(q.weights);
    for (const auto& w : r.weights) r.weight_tensor_names.push_back(fm.graph.tensors[w.tensor].name);
    apply_gates(r, gates);
    c.rows.push_back(std::move(row));
  }

  c.qgate_version = QGATE_VERSION;
  c.model_path = model_path;
  c.model_sha256 = fm.sha256;
  c.data_spec = dopts.spec;
  c.data_description = data->describe();
  c.data_fingerprint = data->fingerprint();
  c.class_names = data->class_names();
  c.samples = c.rows.empty() ? 0 : c.rows[0].report.result.samples;
  c.limit = limit;
  c.layers = layers;
  c.float_outputs = cached ? "cached" : "computed";
  c.threads = kernels::num_threads();
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}", reports::console_summary(c));
  write_exports(vm, c);
  // Last, like the exports: a run that failed writes nothing, not even the cache.
  if (store)
    if (const std::string why = cache.store(float_outputs); !why.empty())
      fmt::print(stderr, "qgate compare: warning: float outputs not cached: {}\n", why);
  return reports::all_pass(c) ? 0 : 1;
}

}  // namespace qgate::cli
