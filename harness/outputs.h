// Which model outputs are scored how (docs/metrics.md#output-kinds): every output gets a kind and its settings from
// --output, --landmarks and --targets when given, else from what the data and the model say (targets of a form,
// the class labels, the op that produces the output, its shape). The reason is kept with the kind, so the console
// and the report can state it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "datasets/targets.h"
#include "harness/graph.h"
#include "harness/metrics/output_metrics.h"

namespace qgate {

// --output SEL[=NAME][:KIND[,OPTION=VALUE...]]: SEL an output index or tensor name; NAME the name gates use
// (outputs.NAME.metric); OPTION threshold=F, blank=N, layout=nhwc|nchw, landmarks=KxD, tolerance=F.
struct OutputRequest {
  std::string text, selector, name;
  std::optional<reports::OutputKind> kind;
  std::optional<double> threshold, tolerance;
  std::optional<int> blank;
  std::optional<bool> channels_first;
  int landmark_points = 0, landmark_dims = 0;  // landmarks=KxD
};
OutputRequest parse_output_request(const std::string& text);

// --landmarks [SEL=]K,D[,TOL]: K points of D coordinates (tolerance TOL in model units); without SEL, every
// regression output whose size is a multiple of K with at least D values per point.
struct LandmarksRequest {
  std::string text, selector;
  int points = 0, dims = 0;
  double tolerance = 0;
};
LandmarksRequest parse_landmarks_request(const std::string& text);

// --targets SEL=SPEC (datasets/targets.h).
struct TargetsRequest {
  std::string text, selector, spec;
};
TargetsRequest parse_targets_request(const std::string& text);

// What is known of one output's targets before the run.
struct TargetInfo {
  TargetForm form = TargetForm::values;
  int64_t values_per_sample = 0;
  bool binary = false;
  std::string description;
};

struct OutputPlanInput {
  const Graph* graph = nullptr;
  int label_output = 0;   // --output-index: the output the data's class labels belong to
  bool labeled = false;   // the data has class labels
  std::vector<OutputRequest> requests;
  std::vector<LandmarksRequest> landmarks;
  std::vector<std::optional<TargetInfo>> targets;  // per output index (may be shorter: no targets)
  // Per output index, its shape at the data's input sizes (shapes_for_data in harness/eval.h; a model with symbolic
  // input dimensions declares symbolic output shapes); empty: the declared shapes.
  std::vector<Shape> output_shapes;
};

// The output index a selector names: a number, a tensor name, or a NAME given by one of `requests`. Throws
// UsageError naming `option`, the selector and the outputs.
int resolve_output(const Graph& graph, const std::vector<OutputRequest>& requests, const std::string& selector,
                   const std::string& option);

// One spec per model output, in model order. Throws UsageError for a request that does not fit its output.
std::vector<metrics::OutputSpec> plan_outputs(const OutputPlanInput& in);

// Output `index` scored as classes with the data's labels: what evaluating the model metrics alone means.
metrics::OutputSpec classes_spec(const Graph& graph, int index);

// A mask target's map size for output `index` ({0, 0} when the output is not a map): height and width of a
// [1,H,W,C] output (or [1,C,H,W] with layout=nchw), or of [1,H,W]; `shape` is the output's shape at the data's sizes.
std::pair<int, int> output_map_size(const Graph& graph, const std::vector<OutputRequest>& requests, int index,
                                    const Shape& shape);

// The output whose metrics fill the report's `model` section (the label output scored as classes), or -1.
int model_output(const std::vector<metrics::OutputSpec>& specs, int label_output);

// The default gate of each output, in output order (docs/metrics.md#gates): the `model` output keeps the classes
// gate (top1.delta.ci_low>=-1.0 with labels, agreement.ci_low>=0.99 without); every other output gets its kind's
// gate on its headline metric.
std::vector<std::string> default_gate_texts(const std::vector<metrics::OutputSpec>& specs, int label_output,
                                            bool labeled);

}  // namespace qgate
