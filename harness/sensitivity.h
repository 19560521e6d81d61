// Sensitivity analysis: how much of the quantization error each quantizable layer carries.
//
// For every node that holds a quantized weight under the scheme, two variants of the model run on the first N
// samples against the float model:
//   only_quantized: that layer quantized, every other quantizable layer float (the damage it does alone);
//   only_float:     that layer float, the rest quantized (what keeping it float recovers).
// The baseline pass runs the float and the fully quantized model (the cost reference) and caches the float
// outputs. Each kind of variant then shares one sample-major pass: per sample the base model runs once (float for
// only_quantized, fully quantized for only_float) and each variant, which equals its base up to its layer, runs
// only from its layer on (Executor::run_from), so a layer costs the part of the network after it. No layer
// metrics anywhere.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/eval.h"
#include "harness/graph.h"
#include "harness/metrics/model_metrics.h"
#include "harness/scheme.h"

namespace qgate {

class Dataset;

// One variant measured against the float model on the sensitivity samples.
struct VariantMeasure {
  double top1_delta = 0;   // points (quantized - float); 0 when the data has no labels
  double kl_mean = 0, kl_p99 = 0;  // KL(pF || pQ), nats
  double agreement = 1;    // top-1 agreement, a fraction
  // Cost: the summed time of its suffix runs (the variants of one kind share one sample-major pass and one base
  // run per sample).
  double seconds = 0;
};

struct LayerSensitivity {
  int node = 0;
  std::string name, op;
  int64_t float_bytes = 0;      // its quantized weights as float32 (what keeping it float costs)
  int64_t quantized_bytes = 0;  // the same weights quantized
  VariantMeasure only_quantized, only_float;
};

struct SensitivityOptions {
  int64_t samples = 1000;  // first N samples (0: every sample); also capped by eval.limit
  EvalOptions eval;        // model metrics options, output index, limit, threads-independent chunking
  std::function<void(int done, int total)> progress;  // per variant measured
};

struct SensitivityResult {
  int64_t samples = 0;
  VariantMeasure all_quantized;   // the fully quantized model on the same samples
  double double_run_seconds = 0;  // the baseline pass: float and quantized graph both run (the cost reference)
  double only_quantized_seconds = 0;  // the whole sample-major pass of every only_quantized variant
  double only_float_seconds = 0;      // the whole sample-major pass of every only_float variant
  double seconds = 0;             // everything
  std::vector<LayerSensitivity> layers;  // node order
  // Float outputs on the sensitivity samples (reused by the selective search when it covers the same samples).
  std::vector<std::vector<float>> float_outputs;
};

// Node ids holding at least one weight the scheme quantizes.
std::vector<int> quantizable_nodes(const Graph& float_graph, const Scheme& scheme);

SensitivityResult analyze_sensitivity(const Graph& float_graph, const Scheme& scheme, const Dataset& data,
                                      const SensitivityOptions& options);

// Measures one model-metrics result as a VariantMeasure (top-1 delta, KL, agreement).
VariantMeasure measure_of(const metrics::ModelMetrics& m, double seconds);

}  // namespace qgate
