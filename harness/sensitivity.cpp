#include "harness/sensitivity.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "datasets/dataset.h"
#include "harness/ptq.h"

namespace qgate {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

VariantMeasure measure_of(const metrics::ModelMetrics& m, double seconds) {
  VariantMeasure v;
  if (const metrics::TopKResult* t1 = m.find_k(1); t1 && m.labeled > 0) v.top1_delta = t1->delta_pct;
  v.kl_mean = m.kl.mean;
  v.kl_p99 = m.kl.p99;
  v.agreement = m.agreement;
  v.seconds = seconds;
  return v;
}

std::vector<int> quantizable_nodes(const Graph& float_graph, const Scheme& scheme) {
  const QuantizedGraph q = quantize_graph(float_graph, scheme);
  std::vector<int> ids;
  for (const WeightQuantization& w : q.weights)
    if (w.quantized && (ids.empty() || ids.back() != w.node)) ids.push_back(w.node);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

SensitivityResult analyze_sensitivity(const Graph& float_graph, const Scheme& scheme, const Dataset& data,
                                      const SensitivityOptions& options) {
  const auto start = Clock::now();
  SensitivityResult r;
  EvalOptions eo = options.eval;
  eo.layer_metrics = false;
  eo.isolated = false;
  eo.weight_only = nullptr;
  eo.progress = nullptr;
  int64_t n = data.size();
  if (eo.limit > 0) n = std::min(n, eo.limit);
  if (options.samples > 0) n = std::min(n, options.samples);
  eo.limit = n;
  r.samples = n;

  // Baseline: float + fully quantized, recording the float outputs.
  const QuantizedGraph full = quantize_graph(float_graph, scheme);
  std::map<int, std::pair<int64_t, int64_t>> bytes;  // node -> (float, quantized) bytes of its quantized weights
  for (const WeightQuantization& w : full.weights)
    if (w.quantized) {
      bytes[w.node].first += w.float_bytes;
      bytes[w.node].second += w.quantized_bytes;
    }
  {
    const auto t0 = Clock::now();
    EvalOptions base = eo;
    base.record_float_outputs = &r.float_outputs;
    const EvalResult e = evaluate(float_graph, full.graph, data, base);
    r.double_run_seconds = since(t0);
    r.all_quantized = measure_of(e.model, r.double_run_seconds);
  }
  eo.float_outputs = &r.float_outputs;

  const std::vector<int> nodes = quantizable_nodes(float_graph, scheme);
  const int total = static_cast<int>(nodes.size()) * 2;
  int done = 0;
  for (int node : nodes) {
    LayerSensitivity l;
    const Node& nd = float_graph.nodes[node];
    l.node = node;
    l.name = nd.name;
    l.op = std::string(op_name(nd.op));
    l.float_bytes = bytes[node].first;
    l.quantized_bytes = bytes[node].second;
    for (int variant = 0; variant < 2; ++variant) {
      const auto t0 = Clock::now();
      std::set<int> keep;
      if (variant == 0) {
        for (int other : nodes)
          if (other != node) keep.insert(other);
      } else {
        keep.insert(node);
      }
      const QuantizedGraph q = quantize_graph(float_graph, scheme, keep);
      const EvalResult e = evaluate(float_graph, q.graph, data, eo);
      (variant == 0 ? l.only_quantized : l.only_float) = measure_of(e.model, since(t0));
      if (options.progress) options.progress(++done, total);
    }
    r.layers.push_back(std::move(l));
  }
  r.seconds = since(start);
  return r;
}

}  // namespace qgate
