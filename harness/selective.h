// Selective quantization search (docs/metrics.md#selective-search): the fewest layers to keep float so that every gate
// holds, within a budget of float weight bytes. Greedy on sensitivity: layers are ordered by the damage each does
// when it alone is quantized (KL on the sensitivity samples; ties by what keeping it float recovers), added one at
// a time while the float bytes stay within the budget, and every candidate set is re-validated on the full
// evaluation data against the gates.
#pragma once

#include <string>
#include <vector>

#include "harness/eval.h"
#include "harness/metrics/gates.h"
#include "harness/scheme.h"
#include "harness/sensitivity.h"

namespace qgate {

class Dataset;

struct SelectiveOptions {
  double float_budget = 0.10;        // fraction of all weight bytes (as float32) that may stay float
  std::vector<metrics::Gate> gates;  // empty: the default gate
  EvalOptions eval;                  // the full evaluation's options (limit, model metrics, output index)
  // The full data's float outputs, from the main evaluation (borrowed; null: the float model runs each time).
  const std::vector<std::vector<float>>* float_outputs = nullptr;
  int max_steps = 16;                // re-validations at most
};

// One re-validated candidate set.
struct SelectiveStep {
  std::vector<int> keep_float;       // node ids, in the order added
  int64_t float_bytes = 0;
  metrics::ModelMetrics model;       // on the full data
  std::vector<metrics::GateResult> gates;
  bool passed = false;
  double seconds = 0;
};

struct SelectiveResult {
  bool found = false;                // SELECTIVE when true, NEEDS_QAT otherwise
  std::vector<int> keep_float;       // the passing set (empty when none)
  std::vector<std::string> keep_float_names;
  int64_t float_bytes = 0;           // float32 bytes of the kept layers' weights
  int64_t total_weight_bytes = 0;    // every weight tensor as float32
  int64_t budget_bytes = 0;
  double float_budget = 0;
  std::vector<int> order;            // the greedy order (node ids), most damaging first
  std::vector<SelectiveStep> steps;
  int best_step = -1;                // the passing step, or the one with the highest top-1 delta interval low end
  int error_carriers = 0;            // layers carrying 80% of the single-layer damage (KL when quantized alone)
  std::vector<std::string> reasons;  // words and numbers
  double seconds = 0;
};

SelectiveResult search_selective(const Graph& float_graph, const Scheme& scheme, const Dataset& data,
                                 const SensitivityResult& sensitivity, const SelectiveOptions& options);

}  // namespace qgate
