// The evaluation session: a float graph and its quantized twin run side by side over a data set, sample by
// sample, through the shared executor; observers tap every node; model outputs feed the task metrics and node
// outputs the per-layer error accumulators.
//
// Determinism: samples are split into fixed chunks (independent of the thread count); each chunk accumulates
// into its own layer accumulators, merged in chunk order at the end; model metrics keep per-sample records.
// So the result is the same for any thread count.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "harness/graph.h"
#include "harness/metrics/layer_metrics.h"
#include "harness/metrics/model_metrics.h"
#include "reports/model.h"

namespace qgate {

class Dataset;
class Executor;
struct Sample;

struct EvalOptions {
  metrics::ModelMetricsOptions model;
  int64_t limit = 0;          // 0: every sample
  int output_index = 0;       // which model output holds the class scores
  bool layer_metrics = true;  // accumulated error per node
  bool isolated = true;       // isolated error per node (one extra quantized pass per sample)
  // Weight-only twin for the hybrid decomposition (weight part vs activation part); null to skip.
  const Graph* weight_only = nullptr;
  int64_t chunk_samples = 32;
  // Float model outputs (output_index) per sample, from an earlier run over the same data: when given, the float
  // graph is not run at all (sensitivity analysis evaluates dozens of quantized variants against one float run).
  // Needs layer_metrics == false (layer errors need the float activations) and at least as many entries as
  // samples evaluated. Borrowed.
  const std::vector<std::vector<float>>* float_outputs = nullptr;
  // When non-null, filled with the float model's outputs (output_index), one vector per sample evaluated.
  std::vector<std::vector<float>>* record_float_outputs = nullptr;
  // Called now and then from worker threads with (samples done, total); must be cheap and thread-safe.
  std::function<void(int64_t, int64_t)> progress;
};

using reports::EvalResult;
using reports::LayerResult;

// Runs the evaluation. Throws InputError for data that does not fit the model (naming the sample).
EvalResult evaluate(const Graph& float_graph, const Graph& quant_graph, const Dataset& data,
                    const EvalOptions& options);

// The shapes of sample's input tensors, in input order.
std::vector<Shape> sample_shapes(const Sample& sample);

// Copies sample s's tensors into the model inputs of each executor (null ones skipped; all run graphs with the same
// inputs). With `prepare_shapes` (a model with symbolic input dimensions) each executor is first prepared for the
// sample's input shapes (its cached plan for that shape set). Throws InputError naming the sample when its tensor
// count, a dtype or a shape differs from the model's.
void feed_sample(const Sample& sample, int64_t s, std::initializer_list<Executor*> executors,
                 bool prepare_shapes);

}  // namespace qgate
