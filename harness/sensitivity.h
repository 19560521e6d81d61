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
#include "reports/model.h"

namespace qgate {

class Dataset;

using reports::LayerSensitivity;
using reports::SensitivityResult;
using reports::VariantMeasure;

struct SensitivityOptions {
  int64_t samples = 1000;  // first N samples (0: every sample); also capped by eval.limit
  EvalOptions eval;        // model metrics options, output index, limit, threads-independent chunking
  std::function<void(int done, int total)> progress;  // per variant measured
};


// Node ids holding at least one weight the scheme quantizes.
std::vector<int> quantizable_nodes(const Graph& float_graph, const Scheme& scheme);

SensitivityResult analyze_sensitivity(const Graph& float_graph, const Scheme& scheme, const Dataset& data,
                                      const SensitivityOptions& options);

// Measures one model-metrics result as a VariantMeasure (top-1 delta, KL, agreement).
VariantMeasure measure_of(const metrics::ModelMetrics& m, double seconds);

}  // namespace qgate
