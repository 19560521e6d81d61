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
#include "harness/metrics/gates.h"
#include "harness/metrics/model_metrics.h"
#include "harness/scheme.h"
#include "reports/model.h"

namespace qgate {

class Dataset;

using reports::LayerSensitivity;
using reports::SensitivityResult;
using reports::VariantMeasure;

// What the analysis and the search follow: the first gate that failed on the fully quantized model
// (docs/metrics.md#selective-search).
struct SearchGuide {
  enum class By {
    classes_kl,     // a gate on the classes output (top-k, agreement, KL, dp, flips): layers ranked by KL, as always
    output_metric,  // outputs.<name>.<metric> of another output: every variant measured by that gate's value
    layer_error,    // layers.*: layers ranked by the error each adds alone (isolated SQNR of the main evaluation)
  };
  By by = By::classes_kl;
  metrics::Gate gate;   // the followed gate (not for classes_kl)
  int output = -1;      // output_metric: position in the scored outputs of the output the gate reads
  bool higher_is_better = true;
};
// The guide of a failed gate, given the scored outputs and the position of the `model` output among them (-1: none).
SearchGuide guide_for(const metrics::Gate& failed, const std::vector<metrics::OutputSpec>& outputs, int model_output);

struct SensitivityOptions {
  int64_t samples = 1000;  // first N samples (0: every sample); also capped by eval.limit
  EvalOptions eval;        // scored outputs, model metrics options, limit, threads-independent chunking
  SearchGuide guide;
  std::function<void(int done, int total)> progress;  // per variant measured
};


// Node ids holding at least one weight the scheme quantizes.
std::vector<int> quantizable_nodes(const Graph& float_graph, const Scheme& scheme);

SensitivityResult analyze_sensitivity(const Graph& float_graph, const Scheme& scheme, const Dataset& data,
                                      const SensitivityOptions& options);

// Measures one model-metrics result as a VariantMeasure (top-1 delta, KL, agreement).
VariantMeasure measure_of(const metrics::ModelMetrics& m, double seconds);
// The value of `path` in the gate values of an evaluation (model metrics, outputs and layers), NaN when absent.
double gate_value_of(const EvalResult& e, const std::string& path);

}  // namespace qgate
