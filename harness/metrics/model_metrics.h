// Model-level metrics of a float model vs its quantized twin (docs/metrics.md#model-metrics), fed one sample at a time
// with both models' outputs and the label.
//
// Units: accuracies, their deltas and intervals are in percentage points (0..100), the unit a release gate
// is written in ("top-1 drop <= 0.5 points"); agreement is a fraction in [0, 1]; KL is in nats; dp is a
// probability difference in [-1, 1].
//
// Determinism: the accumulator keeps one compact record per sample keyed by its sample index; finalize()
// sorts them by index and computes everything as a pure function of the sorted records. So the result does
// not depend on how samples were split across accumulators (threads, shards) or the order of merges.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reports/model.h"

namespace qgate::metrics {

// The result types are the report model's (reports/model.h): this file computes them.
using reports::ClassAccuracy;
using reports::Flip;
using reports::KlSummary;
using reports::ModelMetrics;
using reports::score_kind_name;
using reports::ScoreKind;
using reports::TopKResult;

struct ModelMetricsOptions {
  std::vector<int> top_k = {1, 5};      // each k >= 1, at most 32 entries; stored sorted and de-duplicated
  int bootstrap_resamples = 2000;       // paired bootstrap of each accuracy delta
  uint64_t bootstrap_seed = 20240611;   // SplitMix64 seed: fixed, so intervals are reproducible bit for bit
  double confidence = 0.95;             // interval level (nearest-rank percentile interval)
  double kl_floor = 1e-12;              // pQ is floored at this before log(pF / pQ)
  int max_listed_flips = 100;           // flips listed (all are counted)
};

// Not thread-safe: use one per thread (or shard) and merge().
class ModelMetricsAccumulator {
 public:
  // Throws InputError when a k is < 1, more than 32 k are given, resamples < 0, confidence not in (0, 1) or
  // the KL floor not in (0, 1).
  explicit ModelMetricsAccumulator(ModelMetricsOptions options = {});

  // One sample: both variants' output scores (same length = number of classes) and the label (< 0: none).
  // Ranking uses the raw scores (softmax is monotonic; probabilities could tie where logits do not); ties go to
  // the lower class index, so top-1 is the first maximum and the label is a top-k hit when fewer than k
  // classes rank above it. Throws InputError when the lengths differ or are 0, the class count changes between
  // samples, the label is >= the class count, or the sample index is negative. A sample index fed twice
  // (here or across merged accumulators) is reported by finalize().
  void add(int64_t sample_index, std::span<const float> float_scores, std::span<const float> quant_scores,
           int64_t label);

  // Takes the other accumulator's samples. Both must have the same options (std::invalid_argument if not).
  void merge(const ModelMetricsAccumulator& other);

  int64_t samples() const { return static_cast<int64_t>(records_.size()); }
  const ModelMetricsOptions& options() const { return options_; }

  // Throws std::logic_error when a sample index occurs twice.
  ModelMetrics finalize() const;

 private:
  struct Record {
    int64_t index;
    int32_t label;
    int32_t float_top1, quant_top1;
    uint32_t float_hits, quant_hits;  // bit i: label in top-k[i]
    uint8_t flags;                    // bit 0/1: float/quant read as probabilities; bit 2/3: float/quant non-finite
    double kl;
    double float_true_p, quant_true_p;
  };
  ModelMetricsOptions options_;
  int32_t num_classes_ = 0;
  std::vector<Record> records_;
  std::vector<double> pf_, pq_;  // scratch for one sample's probabilities
};

}  // namespace qgate::metrics
