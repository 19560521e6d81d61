#include "harness/eval.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "datasets/dataset.h"
#include "core/errors.h"
#include "harness/executor.h"
#include "harness/weight_rules.h"
#include "kernels/parallel.h"

namespace qgate {

namespace {

using Clock = std::chrono::steady_clock;

bool is_sequence_op(OpType op) {
  return op == OpType::unidirectional_sequence_rnn || op == OpType::unidirectional_sequence_lstm ||
         op == OpType::bidirectional_sequence_rnn || op == OpType::bidirectional_sequence_lstm ||
         op == OpType::gru;
}

std::span<const float> floats(const Tensor& t) { return {t.as<float>(), static_cast<size_t>(t.elements())}; }

// The nodes whose first output is float32: the ones with a layer row.
std::vector<int> tracked_nodes(const Graph& g) {
  std::vector<int> ids;
  for (const Node& n : g.nodes)
    if (!n.outputs.empty() && g.tensors[n.outputs[0]].dtype == DType::f32) ids.push_back(n.id);
  return ids;
}

// One chunk's layer accumulators (merged in chunk order at the end).
struct ChunkLayers {
  std::vector<metrics::TensorErrorAccumulator> accumulated, isolated, weight_part, activation_part;
  std::vector<metrics::SeriesErrorAccumulator> series;
  void resize(size_t n, bool iso, bool decompose) {
    accumulated.resize(n);
    series.resize(n);
    if (iso) isolated.resize(n);
    if (decompose) {
      weight_part.resize(n);
      activation_part.resize(n);
    }
  }
};

// Compares each tracked node's output in the running executor with the same tensor in one or two others.
class CompareObserver : public Observer {
 public:
  // `reference` may be null when the observer is never attached (cached float outputs).
  CompareObserver(const std::vector<int>& slot_of_node, const Executor* reference)
      : slot_of_node_(slot_of_node), reference_(reference) {}
  // Tensors are matched through the node (same position, first output), not by id: a quantized file may number
  // its tensors differently from the float one.
  std::vector<metrics::TensorErrorAccumulator>* target = nullptr;
  std::vector<metrics::SeriesErrorAccumulator>* series = nullptr;  // accumulated pass only
  // Second comparison (activation part): this executor's output vs `second_reference`.
  const Executor* second_reference = nullptr;
  std::vector<metrics::TensorErrorAccumulator>* second_target = nullptr;

  void on_node(const Node& node, const std::vector<Tensor*>& outputs) override {
    const int slot = slot_of_node_[node.id];
    if (slot < 0) return;
    const Tensor& out = *outputs[0];
    const Tensor& ref = reference_->tensor(reference_->graph().nodes[node.id].outputs[0]);
    (*target)[slot].add(floats(ref), floats(out));
    if (second_reference)
      (*second_target)[slot].add(
          floats(second_reference->tensor(second_reference->graph().nodes[node.id].outputs[0])), floats(out));
    if (series && is_sequence_op(node.op) && out.shape.size() == 3) {
      const bool time_major = node.attrs.get_bool("time_major", false);
      const int64_t t = time_major ? out.shape[0] : out.shape[1];
      const int64_t b = time_major ? out.shape[1] : out.shape[0];
      (*series)[slot].add_sequence(floats(ref), floats(out), t, b, out.shape[2], time_major);
    }
  }

 private:
  const std::vector<int>& slot_of_node_;
  const Executor* reference_;
};

// Per worker: its own executors (arenas, packed weights, scratch), reused across chunks.
struct Worker {
  std::unique_ptr<Executor> fl, qu, wo;
  Sample sample;
  double float_seconds = 0, quant_seconds = 0;
};

}  // namespace

std::vector<Shape> sample_shapes(const Sample& sample) {
  std::vector<Shape> shapes;
  for (const Tensor& x : sample.inputs) shapes.push_back(x.shape);
  return shapes;
}

void feed_sample(const Sample& sample, int64_t s, std::initializer_list<Executor*> executors,
                 bool prepare_shapes) {
  for (Executor* e : executors) {
    if (!e) continue;
    if (sample.inputs.size() != e->num_inputs())
      throw InputError(fmt::format("sample {} ({}): {} input tensors, the model has {}", s, sample.id,
                                   sample.inputs.size(), e->num_inputs()));
    break;  // the executors share the model's inputs: one count check serves all
  }
  if (prepare_shapes)
    for (Executor* e : executors)
      if (e) e->prepare(sample_shapes(sample));
  for (size_t i = 0; i < sample.inputs.size(); ++i) {
    const Tensor& x = sample.inputs[i];
    for (Executor* e : executors) {
      if (!e) continue;
      Tensor& in = e->input(i);
      if (x.dtype != in.dtype || x.shape != in.shape)
        throw InputError(fmt::format("sample {} ({}): input {} is {} {}, the model expects {} {}", s, sample.id, i,
                                     dtype_name(x.dtype), shape_string(x.shape), dtype_name(in.dtype),
                                     shape_string(in.shape)));
      std::memcpy(in.data.data(), x.data.data(), x.bytes());
    }
  }
}

EvalResult evaluate(const Graph& float_graph, const Graph& quant_graph, const Dataset& data,
                    const EvalOptions& options) {
  const auto start = Clock::now();
  bool same_nodes = float_graph.nodes.size() == quant_graph.nodes.size();
  for (size_t i = 0; same_nodes && i < float_graph.nodes.size(); ++i) {
    const Node& a = float_graph.nodes[i];
    const Node& b = quant_graph.nodes[i];
    same_nodes = a.op == b.op && a.inputs.size() == b.inputs.size() && a.outputs.size() == b.outputs.size();
    for (size_t k = 0; same_nodes && k < a.outputs.size(); ++k)
      same_nodes = float_graph.tensors[a.outputs[k]].shape == quant_graph.tensors[b.outputs[k]].shape;
  }
  if (!same_nodes)
    throw InputError(fmt::format("{}: its nodes do not match the float model {} node for node (same ops in the same "
                                 "order with the same output shapes): not its quantized twin",
                                 quant_graph.source, float_graph.source));
  if (options.output_index < 0 || options.output_index >= static_cast<int>(float_graph.outputs.size()))
    throw InputError(fmt::format("{}: output index {} does not exist (the model has {} outputs)", float_graph.source,
                                 options.output_index, float_graph.outputs.size()));
  const int64_t total = options.limit > 0 ? std::min<int64_t>(options.limit, data.size()) : data.size();
  if (total <= 0) throw InputError("data set is empty: nothing to evaluate");

  const bool cached = options.float_outputs != nullptr;
  if (cached && options.layer_metrics)
    throw InputError("evaluate: cached float outputs cannot feed layer metrics (they need the float activations)");
  if (cached && static_cast<int64_t>(options.float_outputs->size()) < total)
    throw InputError(fmt::format("evaluate: {} cached float outputs for {} samples", options.float_outputs->size(),
                                 total));
  if (options.record_float_outputs) options.record_float_outputs->assign(total, {});

  const std::vector<int> nodes = tracked_nodes(float_graph);
  std::vector<int> slot_of_node(float_graph.nodes.size(), -1);
  for (size_t i = 0; i < nodes.size(); ++i) slot_of_node[nodes[i]] = static_cast<int>(i);
  const bool iso = options.layer_metrics && options.isolated;
  const bool decompose = options.layer_metrics && options.weight_only != nullptr;

  const int64_t chunk = std::max<int64_t>(1, options.chunk_samples);
  const int64_t chunks = (total + chunk - 1) / chunk;
  std::vector<ChunkLayers> chunk_layers(options.layer_metrics ? chunks : 0);
  std::vector<metrics::ModelMetricsAccumulator> chunk_model(chunks, metrics::ModelMetricsAccumulator(options.model));

  const bool symbolic_inputs = float_graph.has_symbolic_inputs() || quant_graph.has_symbolic_inputs();
  // Workers are created lazily and handed out from a free list, one per concurrently running chunk.
  std::mutex mu;
  std::vector<std::unique_ptr<Worker>> all_workers;
  std::vector<Worker*> free_workers;
  auto acquire = [&]() -> Worker* {
    {
      std::lock_guard lock(mu);
      if (!free_workers.empty()) {
        Worker* w = free_workers.back();
        free_workers.pop_back();
        return w;
      }
    }
    auto w = std::make_unique<Worker>();
    // Symbolic input dimensions: each sample's shapes pick (or make) the plan, below.
    const bool now = !symbolic_inputs;
    if (!cached) {
      w->fl = std::make_unique<Executor>(float_graph);
      if (now) w->fl->prepare();
    }
    w->qu = std::make_unique<Executor>(quant_graph);
    if (now) w->qu->prepare();
    if (decompose) {
      w->wo = std::make_unique<Executor>(*options.weight_only);
      if (now) w->wo->prepare();
    }
    std::lock_guard lock(mu);
    all_workers.push_back(std::move(w));
    return all_workers.back().get();
  };
  auto release = [&](Worker* w) {
    std::lock_guard lock(mu);
    free_workers.push_back(w);
  };

  std::atomic<int64_t> done{0};
  std::mutex error_mu;
  std::string first_error;
  int64_t first_error_sample = -1;

  kernels::parallel_for(chunks, 1, [&](int64_t c_begin, int64_t c_end) {
    Worker* w = nullptr;
    try {
      w = acquire();
    } catch (const std::exception& e) {
      std::lock_guard lock(error_mu);
      if (first_error.empty()) first_error = e.what();
      return;
    }
    for (int64_t c = c_begin; c < c_end; ++c) {
      ChunkLayers* layers = options.layer_metrics ? &chunk_layers[c] : nullptr;
      if (layers) layers->resize(nodes.size(), iso, decompose);
      CompareObserver acc_obs(slot_of_node, w->fl.get());
      CompareObserver iso_obs(slot_of_node, w->fl.get());
      CompareObserver wo_obs(slot_of_node, w->fl.get());
      if (layers) {
        acc_obs.target = &layers->accumulated;
        acc_obs.series = &layers->series;
        if (iso) {
          iso_obs.target = &layers->isolated;
          if (decompose) {
            iso_obs.second_reference = w->wo.get();
            iso_obs.second_target = &layers->activation_part;
          }
        }
        if (decompose) wo_obs.target = &layers->weight_part;
      }
      const int64_t s_end = std::min(total, (c + 1) * chunk);
      for (int64_t s = c * chunk; s < s_end; ++s) {
        try {
          data.load(s, w->sample);
          feed_sample(w->sample, s, {w->fl.get(), w->qu.get(), w->wo.get()}, symbolic_inputs);
          auto t0 = Clock::now();
          if (!cached) {
            w->fl->reset_state();
            w->fl->run();
          }
          auto t1 = Clock::now();
          w->qu->reset_state();
          w->qu->run(layers ? &acc_obs : nullptr);
          auto t2 = Clock::now();
          w->float_seconds += std::chrono::duration<double>(t1 - t0).count();
          w->quant_seconds += std::chrono::duration<double>(t2 - t1).count();
          std::span<const float> fout =
              cached ? std::span<const float>((*options.float_outputs)[s]) : floats(w->fl->output(options.output_index));
          if (options.record_float_outputs) (*options.record_float_outputs)[s].assign(fout.begin(), fout.end());
          chunk_model[c].add(s, fout, floats(w->qu->output(options.output_index)), w->sample.label);
          if (decompose) {
            w->wo->reset_state();
            w->wo->run_isolated(*w->fl, &wo_obs);
          }
          if (iso) {
            w->qu->reset_state();
            w->qu->run_isolated(*w->fl, &iso_obs);
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(error_mu);
          if (first_error_sample < 0 || s < first_error_sample) {
            first_error = e.what();
            first_error_sample = s;
          }
          release(w);
          return;
        }
        int64_t d = done.fetch_add(1) + 1;
        if (options.progress && (d % 64 == 0 || d == total)) options.progress(d, total);
      }
    }
    release(w);
  });
  if (!first_error.empty()) throw InputError(first_error);

  EvalResult r;
  r.samples = total;
  r.threads = kernels::num_threads();
  metrics::ModelMetricsAccumulator model(options.model);
  for (auto& m : chunk_model) model.merge(m);
  r.model = model.finalize();
  for (auto& w : all_workers) {
    r.float_seconds += w->float_seconds;
    r.quant_seconds += w->quant_seconds;
  }
  if (options.layer_metrics) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node& n = float_graph.nodes[nodes[i]];
      const Node& qn = quant_graph.nodes[nodes[i]];
      metrics::TensorErrorAccumulator acc, isolated, wpart, apart;
      metrics::SeriesErrorAccumulator series;
      for (auto& cl : chunk_layers) {  // chunk order: the same bits for any thread count
        acc.merge(cl.accumulated[i]);
        series.merge(cl.series[i]);
        if (iso) isolated.merge(cl.isolated[i]);
        if (decompose) {
          wpart.merge(cl.weight_part[i]);
          apart.merge(cl.activation_part[i]);
        }
      }
      LayerResult l;
      l.node = n.id;
      l.name = n.name;
      l.op = std::string(op_name(n.op));
      for (const WeightSlot& ws : weight_slots(qn))
        if (ws.input < static_cast<int>(qn.inputs.size()) && qn.inputs[ws.input] >= 0) {
          const Tensor& t = quant_graph.tensors[qn.inputs[ws.input]];
          const Tensor& f = float_graph.tensors[n.inputs[ws.input]];
          if (t.dtype == DType::i8 ||
              (t.is_constant && t.bytes() == f.bytes() && std::memcmp(t.data.data(), f.data.data(), t.bytes())))
            l.quantized = true;
        }
      const double step = metrics::asymmetric_step(acc.sums());
      l.accumulated = acc.finalize(step);
      if (iso) l.isolated = isolated.finalize(step);
      if (decompose) {
        l.weight_part = wpart.finalize(step);
        l.activation_part = apart.finalize(step);
      }
      if (is_sequence_op(n.op) && !series.steps().empty()) l.series = series.finalize(step);
      r.layers.push_back(std::move(l));
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace qgate
