// qgate compare: one float model under several quantization schemes, side by side over one labeled data set.
// The float graph runs once (or not at all when its outputs are cached on disk); each scheme then runs only its
// quantized graph against those float outputs.
#include <algorithm>
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
#include "harness/cli/run_options.h"
#include "harness/errors.h"
#include "harness/eval.h"
#include "harness/model_loader.h"
#include "harness/npy.h"
#include "harness/ptq.h"
#include "harness/sha256.h"
#include "kernels/parallel.h"
#include "reports/report.h"

namespace qgate::cli {

namespace {

constexpr CommandSpec kSpec = {
    "compare",
    "qgate compare --model M --schemes S1,S2,... --data KIND:ARGS [--labels F] [--vocab F] [--limit N]\n"
    "                     [--threads T] [--layers] [--report OUT.json] [--gate EXPR ...]",
    "Evaluates the float model quantized under each scheme on the same data set and prints one row per scheme:\n"
    "weight bytes (float32 -> quantized), top-1 and top-5 delta with their 95% paired-bootstrap intervals, top-1\n"
    "agreement, KL p99, worst layer SQNR and the verdict of the gates (default top1.delta.ci_low>=-1.0), applied\n"
    "to each scheme on its own.\n\n"
    "--schemes is a comma-separated list of schemes; a key=value token belongs to the scheme before it, so\n"
    "'tflite-dynamic,per-tensor,bits=4,min-elements=0' is two schemes.\n\n"
    "The float model runs once. Its outputs are cached in $QGATE_CACHE/float-outputs/ (default\n"
    ".cache/float-outputs/), keyed by the model's sha256, the data fingerprint, --limit and the output index;\n"
    "a later run over the same model and data reads them instead ('float outputs: cached' vs 'computed').\n"
    "Per-layer error needs the float activations, so it is measured only with --layers (every scheme then runs\n"
    "the float graph again beside its quantized one); without it the SQNR column shows '-' and layers.* gates\n"
    "are refused.\n\n"
    "Exit status: 0 every scheme passes its gates; 1 at least one fails; 2 bad input.\n\n"
    "--report writes (atomically) {\"kind\": \"qgate.compare\", \"schema_version\": 1, \"model\", \"model_sha256\",\n"
    "\"data\", \"data_fingerprint\", \"samples\", \"float_outputs\": \"cached\"|\"computed\", \"rows\": [{\"scheme\",\n"
    "\"weight_bytes_float\", \"weight_bytes_quantized\", \"top1\": {\"float\", \"quant\", \"delta\", \"ci_low\",\n"
    "\"ci_high\"}, \"top5\": {...} or null, \"agreement\", \"kl_p99\", \"worst_layer_sqnr_db\" (null without\n"
    "--layers), \"verdict\", \"reasons\": [...], \"gates\": [{\"gate\", \"value\", \"passed\"}]}]}. Accuracies in\n"
    "percentage points, agreement a fraction, KL in nats.\n\n"
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

// Float outputs on disk: "QGFO" magic, uint32 version 1, int64 samples, int64 width, then samples * width
// float32 values in host byte order (the cache is local to one machine).
constexpr char kMagic[4] = {'Q', 'G', 'F', 'O'};
constexpr uint32_t kCacheVersion = 1;

std::string cache_dir() {
  const char* env = std::getenv("QGATE_CACHE");
  std::string base = env && *env ? env : ".cache";
  return base + "/float-outputs";
}

// Returns false (so the caller recomputes) on any missing, short or inconsistent file.
bool read_cache(const std::string& path, std::vector<std::vector<float>>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char magic[4];
  uint32_t version = 0;
  int64_t samples = 0, width = 0;
  in.read(magic, 4);
  in.read(reinterpret_cast<char*>(&version), sizeof version);
  in.read(reinterpret_cast<char*>(&samples), sizeof samples);
  in.read(reinterpret_cast<char*>(&width), sizeof width);
  if (!in || std::memcmp(magic, kMagic, 4) != 0 || version != kCacheVersion || samples <= 0 || width <= 0 ||
      samples > (int64_t{1} << 32) || width > (int64_t{1} << 24))
    return false;
  out.assign(samples, std::vector<float>(width));
  for (auto& row : out) in.read(reinterpret_cast<char*>(row.data()), width * sizeof(float));
  if (!in || in.peek() != std::char_traits<char>::eof()) {
    out.clear();
    return false;
  }
  return true;
}

// Writes atomically; a failure to write the cache only costs the next run a float pass, so it is a warning.
void write_cache(const std::string& path, const std::vector<std::vector<float>>& rows) {
  if (rows.empty()) return;
  const int64_t samples = static_cast<int64_t>(rows.size()), width = static_cast<int64_t>(rows[0].size());
  for (const auto& r : rows)
    if (static_cast<int64_t>(r.size()) != width) return;  // ragged outputs: not cacheable in this layout
  std::string bytes(kMagic, 4);
  bytes.append(reinterpret_cast<const char*>(&kCacheVersion), sizeof kCacheVersion);
  bytes.append(reinterpret_cast<const char*>(&samples), sizeof samples);
  bytes.append(reinterpret_cast<const char*>(&width), sizeof width);
  for (const auto& r : rows) bytes.append(reinterpret_cast<const char*>(r.data()), r.size() * sizeof(float));
  try {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    write_file_atomic(path, bytes);
  } catch (const std::exception& e) {
    fmt::print(stderr, "qgate compare: warning: float outputs not cached: {}\n", e.what());
  }
}

std::string interval(const metrics::TopKResult* t) {
  if (!t) return "-";
  return fmt::format("{:+.2f} [{:+.2f},{:+.2f}]", t->delta_pct, t->delta_ci_low_pct, t->delta_ci_high_pct);
}

nlohmann::ordered_json topk_json(const metrics::TopKResult* t) {
  if (!t) return nullptr;
  return {{"float", t->float_pct}, {"quant", t->quant_pct}, {"delta", t->delta_pct},
          {"ci_low", t->delta_ci_low_pct}, {"ci_high", t->delta_ci_high_pct}};
}

}  // namespace

int compare(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("model,m", po::value<std::string>()->required(), "float model (.tflite)")(
      "schemes,s", po::value<std::string>()->required(),
      ("comma-separated schemes (presets: " + scheme_preset_names() + ")").c_str())(
      "output-index", po::value<int>()->default_value(0), "model output holding the class scores")(
      "layers", po::bool_switch(), "measure per-layer error (worst layer SQNR; re-runs the float graph per scheme)")(
      "report,r", po::value<std::string>(), "write the JSON comparison here (written only when the run completes)");
  add_data_options(options);
  add_run_options(options);  // gates apply to each scheme
  po::positional_options_description positional;
  po::variables_map vm;
  if (!parse_options(kSpec, options, positional, args, vm)) return 0;

  const std::string schemes_text = vm["schemes"].as<std::string>();
  std::vector<Scheme> schemes;
  for (const auto& s : split_schemes(schemes_text)) schemes.push_back(Scheme::parse(s));
  const bool layers = vm["layers"].as<bool>();
  metrics::ModelMetricsOptions mopts;  // top-1 and top-5, default bootstrap seed: the same numbers as eval
  const std::vector<metrics::Gate> gates =
      read_gates(vm, mopts.top_k, layers, layers ? "" : "; layers.* need --layers");
  const int64_t limit = apply_threads_and_limit(vm);
  const int output_index = vm["output-index"].as<int>();

  const std::string model_path = vm["model"].as<std::string>();
  LoadedModel fm = load_model(model_path);
  const DataOptions dopts = read_data_options(vm);
  std::unique_ptr<Dataset> data = open_data_for(dopts, fm.graph);

  const std::string key =
      sha256_hex(fmt::format("{}\n{}\n{}\n{}", fm.sha256, data->fingerprint(), limit, output_index));
  const std::string cache_path = cache_dir() + "/" + key + ".bin";
  std::vector<std::vector<float>> float_outputs;
  const bool cached = read_cache(cache_path, float_outputs);

  struct Row {
    reports::Report report;
    int64_t float_bytes = 0, quant_bytes = 0;
  };
  std::vector<Row> rows;
  for (size_t i = 0; i < schemes.size(); ++i) {
    QuantizedGraph q = quantize_graph(fm.graph, schemes[i]);
    Row row;
    for (const auto& w : q.weights) {
      row.float_bytes += w.float_bytes;
      row.quant_bytes += w.quantized_bytes;
    }
    EvalOptions eopts;
    eopts.model = mopts;
    eopts.limit = limit;
    eopts.output_index = output_index;
    eopts.layer_metrics = layers;
    eopts.isolated = false;  // the accumulated error is enough for the worst-layer column
    if (!layers && (cached || i > 0)) eopts.float_outputs = &float_outputs;
    if (!cached && i == 0) eopts.record_float_outputs = &float_outputs;
    reports::Report& r = row.report;
    r.result = evaluate(fm.graph, q.graph, *data, eopts);
    if (!cached && i == 0) write_cache(cache_path, float_outputs);
    r.manifest.qgate_version = QGATE_VERSION;
    r.manifest.command = "compare";
    r.manifest.model_path = model_path;
    r.manifest.model_sha256 = fm.sha256;
    r.manifest.scheme = schemes[i].to_string();
    r.manifest.data_spec = dopts.spec;
    r.manifest.data_fingerprint = data->fingerprint();
    r.manifest.limit = limit;
    r.manifest.seed = mopts.bootstrap_seed;
    r.weights = std::move(q.weights);
    for (const auto& w : r.weights) r.weight_tensor_names.push_back(fm.graph.tensors[w.tensor].name);
    reports::apply_gates(r, gates);
    rows.push_back(std::move(row));
  }

  const int64_t samples = rows.empty() ? 0 : rows[0].report.result.samples;
  fmt::print("float outputs: {} ({} samples)\n", cached ? "cached" : "computed", samples);
  fmt::print("{:<40} {:>19} {:>24} {:>24} {:>6} {:>8} {:>9}  {}\n", "scheme", "weight bytes", "top-1 delta [95%]",
             "top-5 delta [95%]", "agree", "KL p99", "SQNR min", "verdict");
  nlohmann::ordered_json jrows = nlohmann::ordered_json::array();
  bool all_pass = true;
  for (const Row& row : rows) {
    const reports::Report& r = row.report;
    const auto& m = r.result.model;
    const auto values = reports::gate_value_map(r);
    const auto sq = values.find("layers.sqnr_min");
    const bool has_sqnr = layers && sq != values.end();
    all_pass = all_pass && r.verdict.status == "PASS";
    fmt::print("{:<40} {:>19} {:>24} {:>24} {:>6.3f} {:>8.4f} {:>9}  {}\n", r.manifest.scheme,
               fmt::format("{} -> {}", human_bytes(row.float_bytes), human_bytes(row.quant_bytes)),
               interval(m.find_k(1)), interval(m.find_k(5)), m.agreement, m.kl.p99,
               has_sqnr ? fmt::format("{:.1f} dB", sq->second) : "-", r.verdict.status);
    nlohmann::ordered_json jgates = nlohmann::ordered_json::array();
    for (const auto& g : r.gates)
      jgates.push_back({{"gate", g.gate.text}, {"value", g.actual}, {"passed", g.passed}});
    jrows.push_back({{"scheme", r.manifest.scheme},
                     {"weight_bytes_float", row.float_bytes},
                     {"weight_bytes_quantized", row.quant_bytes},
                     {"top1", topk_json(m.find_k(1))},
                     {"top5", topk_json(m.find_k(5))},
                     {"agreement", m.agreement},
                     {"kl_p99", m.kl.p99},
                     {"worst_layer_sqnr_db", has_sqnr ? nlohmann::ordered_json(sq->second) : nullptr},
                     {"verdict", r.verdict.status},
                     {"reasons", r.verdict.reasons},
                     {"gates", jgates}});
  }
  for (const Row& row : rows)
    if (row.report.verdict.status != "PASS")
      for (const auto& reason : row.report.verdict.reasons) fmt::print("  {}: {}\n", row.report.manifest.scheme, reason);

  if (vm.count("report")) {
    nlohmann::ordered_json j = {{"kind", "qgate.compare"},
                                {"schema_version", 1},
                                {"qgate_version", QGATE_VERSION},
                                {"model", model_path},
                                {"model_sha256", fm.sha256},
                                {"data", dopts.spec},
                                {"data_fingerprint", data->fingerprint()},
                                {"samples", samples},
                                {"float_outputs", cached ? "cached" : "computed"},
                                {"rows", jrows}};
    write_file_atomic(vm["report"].as<std::string>(), j.dump(2) + "\n");
  }
  return all_pass ? 0 : 1;
}

}  // namespace qgate::cli
