#include "harness/sensitivity.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <cstring>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "datasets/dataset.h"
#include "core/errors.h"
#include "harness/executor.h"
#include "harness/ptq.h"
#include "kernels/parallel.h"

namespace qgate {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
std::span<const float> floats(const Tensor& t) { return {t.as<float>(), static_cast<size_t>(t.elements())}; }

// Every variant of one kind in one pass, sample-major: per sample the base model runs once and each variant,
// which equals the base up to its first node by construction, runs only from that node on, copying what it reads
// from the base run (Executor::run_from). only_quantized variants are the float model up to their layer (base:
// the float model, whose output is the reference); only_float variants are the fully quantized model up to their
// layer (base: the quantized model; the reference is the cached float outputs). Chunked like evaluate(): the
// result does not depend on the thread count.
std::vector<VariantMeasure> suffix_pass(const Graph& base_graph, const std::vector<QuantizedGraph>& variants,
                                        const std::vector<int>& first_nodes, const Dataset& data,
                                        const EvalOptions& eo, int64_t total,
                                        const std::vector<std::vector<float>>* float_outputs) {
  const size_t nv = variants.size();
  const int64_t chunk = std::max<int64_t>(1, eo.chunk_samples);
  const int64_t chunks = (total + chunk - 1) / chunk;
  std::vector<std::vector<metrics::ModelMetricsAccumulator>> acc(
      chunks, std::vector<metrics::ModelMetricsAccumulator>(nv, metrics::ModelMetricsAccumulator(eo.model)));
  struct Worker {
    std::unique_ptr<Executor> fl;
    std::vector<std::unique_ptr<Executor>> qu;
    Sample sample;
    std::vector<double> seconds;
  };
  std::mutex mu;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<Worker*> free_list;
  std::string first_error;
  kernels::parallel_for(chunks, 1, [&](int64_t c_begin, int64_t c_end) {
    Worker* w = nullptr;
    try {
      {
        std::lock_guard lock(mu);
        if (!free_list.empty()) {
          w = free_list.back();
          free_list.pop_back();
        }
      }
      if (!w) {
        auto nw = std::make_unique<Worker>();
        // Symbolic input dimensions: each sample's shapes pick (or make) the plan, below.
        const bool now = !base_graph.has_symbolic_inputs();
        nw->fl = std::make_unique<Executor>(base_graph);
        if (now) nw->fl->prepare();
        for (const auto& v : variants) {
          nw->qu.push_back(std::make_unique<Executor>(v.graph));
          if (now) nw->qu.back()->prepare();
        }
        nw->seconds.assign(nv, 0.0);
        std::lock_guard lock(mu);
        workers.push_back(std::move(nw));
        w = workers.back().get();
      }
      for (int64_t c = c_begin; c < c_end; ++c)
        for (int64_t s = c * chunk; s < std::min(total, (c + 1) * chunk); ++s) {
          data.load(s, w->sample);
          feed_sample(w->sample, s, {w->fl.get()}, base_graph.has_symbolic_inputs());
          if (base_graph.has_symbolic_inputs())
            for (auto& q : w->qu) q->prepare(sample_shapes(w->sample));
          w->fl->reset_state();
          w->fl->run();
          const auto fout = float_outputs ? std::span<const float>((*float_outputs)[s])
                                          : floats(w->fl->output(eo.output_index));
          for (size_t v = 0; v < nv; ++v) {
            const auto t0 = Clock::now();
            w->qu[v]->reset_state();
            w->qu[v]->run_from(first_nodes[v], *w->fl);
            w->seconds[v] += since(t0);
            acc[c][v].add(s, fout, floats(w->qu[v]->output(eo.output_index)), w->sample.label);
          }
        }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      if (first_error.empty()) first_error = e.what();
    }
    if (w) {
      std::lock_guard lock(mu);
      free_list.push_back(w);
    }
  });
  if (!first_error.empty()) throw InputError(first_error);
  std::vector<VariantMeasure> out;
  for (size_t v = 0; v < nv; ++v) {
    metrics::ModelMetricsAccumulator m(eo.model);
    for (auto& a : acc) m.merge(a[v]);  // chunk order
    double secs = 0;
    for (auto& w : workers) secs += w->seconds[v];
    out.push_back(measure_of(m.finalize(), secs));
  }
  return out;
}

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

  // Baseline: float + fully quantized, recording the float outputs (the only-float variants compare to them).
  std::vector<std::vector<float>> float_outputs;
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
    base.record_float_outputs = &float_outputs;
    const EvalResult e = evaluate(float_graph, full.graph, data, base);
    r.double_run_seconds = since(t0);
    r.all_quantized = measure_of(e.model, r.double_run_seconds);
  }
  eo.float_outputs = &float_outputs;

  const std::vector<int> nodes = quantizable_nodes(float_graph, scheme);
  const int total = static_cast<int>(nodes.size()) * 2;
  int done = 0;

  // only_quantized: every layer in one sample-major pass, each variant running from its own node on.
  std::vector<VariantMeasure> only_q;
  {
    const auto t0 = Clock::now();
    std::vector<QuantizedGraph> variants;
    for (int node : nodes) {
      std::set<int> keep;
      for (int other : nodes)
        if (other != node) keep.insert(other);
      variants.push_back(quantize_graph(float_graph, scheme, keep));
    }
    only_q = suffix_pass(float_graph, variants, nodes, data, eo, n, nullptr);
    r.only_quantized_seconds = since(t0);
    done += static_cast<int>(nodes.size());
    if (options.progress) options.progress(done, total);
  }

  // only_float: every layer in one sample-major pass over the fully quantized model, against the cached float
  // outputs.
  std::vector<VariantMeasure> only_f;
  {
    const auto t0 = Clock::now();
    std::vector<QuantizedGraph> variants;
    for (int node : nodes) variants.push_back(quantize_graph(float_graph, scheme, {node}));
    only_f = suffix_pass(full.graph, variants, nodes, data, eo, n, &float_outputs);
    r.only_float_seconds = since(t0);
    done += static_cast<int>(nodes.size());
    if (options.progress) options.progress(done, total);
  }

  for (size_t i = 0; i < nodes.size(); ++i) {
    const int node = nodes[i];
    LayerSensitivity l;
    const Node& nd = float_graph.nodes[node];
    l.node = node;
    l.name = nd.name;
    l.op = std::string(op_name(nd.op));
    l.float_bytes = bytes[node].first;
    l.quantized_bytes = bytes[node].second;
    l.only_quantized = only_q[i];
    l.only_float = only_f[i];
    r.layers.push_back(std::move(l));
  }
  r.seconds = since(start);
  return r;
}

}  // namespace qgate
