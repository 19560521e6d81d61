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
#include "reports/model.h"

namespace qgate {

class Dataset;

struct SelectiveOptions {
  double float_budget = 0.10;        // fraction of all weight bytes (as float32) that may stay float
  std::vector<metrics::Gate> gates;  // empty: the default gate
  EvalOptions eval;                  // the full evaluation's options (limit, model metrics, output index)
  // The full data's float outputs, from the main evaluation (borrowed; null: the float model runs each time).
  const std::vector<std::vector<float>>* float_outputs = nullptr;
  int max_steps = 16;                // re-validations at most
  SearchGuide guide;                 // what orders the layers and picks the best failing step
  // The main evaluation's layer rows (isolated error per node): the order of a layers.* guide. Borrowed.
  const std::vector<LayerResult>* layers = nullptr;
};

using reports::SelectiveResult;
using reports::SelectiveStep;

SelectiveResult search_selective(const Graph& float_graph, const Scheme& scheme, const Dataset& data,
                                 const SensitivityResult& sensitivity, const SelectiveOptions& options);

}  // namespace qgate
