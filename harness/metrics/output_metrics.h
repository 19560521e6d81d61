// Per-output metrics: every model output scored for what it is (docs/metrics.md#output-kinds). One scorer per
// output kind behind one interface, fed one sample at a time with both variants' outputs and the output's target,
// producing the report model's OutputResult: named metrics, each against targets (float / quantized / delta) or
// float vs quantized (one value), with a bootstrap interval on the headline ones, plus kind-specific rows.
//
// Kinds: classes (today's model metrics: top-k, agreement, KL), multilabel (independent sigmoids), regression (values;
// landmarks with a point layout), segmentation (argmax over the class axis per pixel), embedding (cosine, nearest
// neighbours), sequence (per-step argmax, CTC greedy decoding, edit distance) and raw (output error only).
//
// Determinism, as ModelMetricsAccumulator: each scorer keeps one record per sample keyed by its sample index;
// finalize() sorts them and computes everything from the sorted records, so the result does not depend on how the
// samples were split over threads or merged. Intervals use weighted_bootstrap (statistics.h) with the same
// resample count, seed and level as the model metrics.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "datasets/dataset.h"
#include "harness/metrics/model_metrics.h"
#include "reports/model.h"

namespace qgate::metrics {

using reports::Distribution;
using reports::OutputKind;
using reports::OutputMetric;
using reports::OutputResult;
using reports::OutputRow;

// A regression output read as K points of D coordinates: point k's coordinates are elements
// [k * stride, k * stride + dims) (stride = elements / points, so a [1,63] output of 21 points may be read with
// 2 or 3 coordinates).
struct LandmarkLayout {
  int points = 0;         // 0: not landmarks
  int dims = 0;
  int stride = 0;
  // A point is "within tolerance" when it moved at most this far (model units). 0: per sample,
  // kLandmarkToleranceFraction of the diagonal of the float points' bounding box (their extent).
  double tolerance = 0;
};
inline constexpr double kLandmarkToleranceFraction = 0.02;

// How one output is scored. Filled by harness/outputs.h from the model, the data, the targets and --output.
struct OutputSpec {
  int index = 0;
  std::string tensor;            // the graph output's tensor name
  std::string name;              // the name in gate paths (outputs.<name>.<metric>)
  Shape shape;
  OutputKind kind = OutputKind::raw;
  std::string kind_source;       // why this kind (printed and reported)
  bool takes_labels = false;     // the data's class labels are this output's targets (classes, embedding groups)
  bool has_targets = false;      // a target source (--targets) feeds this output
  std::string targets;           // that source, described
  double threshold = 0.5;        // multilabel decisions and one-channel segmentation: score > threshold
  int blank = 0;                 // sequence: the CTC blank symbol; -1 reads per-step argmax without collapsing
  bool channels_first = false;   // segmentation scores [1,C,H,W] instead of [1,H,W,C]
  LandmarkLayout landmarks;      // regression only

  int64_t elements() const { return shape_elements(shape); }
  // Segmentation: scores per pixel (the class axis of a rank-4 output, else 1), classes (one score per pixel reads as
  // two classes through the threshold) and pixels.
  int64_t segmentation_channels() const;
  int64_t segmentation_classes() const;
  int64_t segmentation_pixels() const;
  // The symbol count (last axis) and the step count of a sequence output.
  int64_t sequence_symbols() const;
  int64_t sequence_steps() const;
  // "threshold 0.5", "21 landmarks x 3 (stride 3), tolerance 2% of the points' extent", "CTC blank 0", "".
  std::string settings() const;
};

struct OutputScoring {
  ModelMetricsOptions classes;   // top-k and the bootstrap (resamples, seed, confidence) every kind uses
  bool details = true;     // rows and distributions (the sensitivity passes turn them off)
  bool neighbours = true;  // the embedding's nearest neighbours (O(N^2) in the samples); else nn_agreement is NaN
};

// Not thread-safe: one per thread (or chunk), merged.
class OutputScorer {
 public:
  virtual ~OutputScorer() = default;
  // One sample: both variants' outputs (the output's elements, same length) and its target (nullptr without one);
  // `label` is the data's class label (< 0: none), used when spec.takes_labels. Throws InputError naming the
  // sample when the output or the target does not fit the spec.
  virtual void add(int64_t sample, std::span<const float> float_out, std::span<const float> quant_out,
                   const Target* target, int64_t label) = 0;
  // Takes the other scorer's samples; it must come from the same spec and scoring (std::invalid_argument if not).
  virtual void merge(const OutputScorer& other) = 0;
  // Throws std::logic_error when a sample index occurs twice.
  virtual OutputResult finalize() const = 0;
  // An empty scorer with the same spec and scoring.
  virtual std::unique_ptr<OutputScorer> fresh() const = 0;
  // The classes scorer's model metrics accumulator (the report's `model` section), nullptr for other kinds.
  virtual const ModelMetricsAccumulator* classes() const { return nullptr; }
};

std::unique_ptr<OutputScorer> make_output_scorer(const OutputSpec& spec, const OutputScoring& scoring);

// The metrics finalize() reports for an output of this spec, each with whether it is against targets (so gate
// paths can be checked before the run).
struct MetricName {
  std::string name;
  bool vs_targets = false;
  bool has_interval = false;
};
std::vector<MetricName> output_metric_names(const OutputSpec& spec, const std::vector<int>& top_k);

// Levenshtein distance between two symbol sequences (insertions, deletions and substitutions cost 1).
int64_t edit_distance(std::span<const int32_t> a, std::span<const int32_t> b);
// Greedy CTC decoding of [steps, symbols] scores: per-step argmax (first maximum), repeats collapsed, `blank`
// dropped; blank < 0: the per-step argmax as is. A step whose scores are all non-finite decodes to nothing.
std::vector<int32_t> ctc_greedy_decode(std::span<const float> scores, int64_t steps, int64_t symbols, int blank);

}  // namespace qgate::metrics
