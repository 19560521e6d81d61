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

namespace qgate::metrics {

// How a sample's output scores were read. `probabilities`: non-negative and summing to 1 within 1e-3 (then
// renormalised to sum to 1 in double); otherwise `logits` (softmax in double). `mixed` in a summary: both
// kinds occurred (a logit vector that happened to look like probabilities, or a model that changes).
enum class ScoreKind : uint8_t { probabilities, logits, mixed };
const char* score_kind_name(ScoreKind kind);

struct ModelMetricsOptions {
  std::vector<int> top_k = {1, 5};      // each k >= 1, at most 32 entries; stored sorted and de-duplicated
  int bootstrap_resamples = 2000;       // paired bootstrap of each accuracy delta
  uint64_t bootstrap_seed = 20240611;   // SplitMix64 seed: fixed, so intervals are reproducible bit for bit
  double confidence = 0.95;             // interval level (nearest-rank percentile interval)
  double kl_floor = 1e-12;              // pQ is floored at this before log(pF / pQ)
  int max_listed_flips = 100;           // flips listed (all are counted)
};

// Top-k accuracy of both variants over the labeled samples, their paired difference and McNemar's test.
struct TopKResult {
  int k = 1;
  int64_t float_correct = 0, quant_correct = 0;
  double float_pct = 0, quant_pct = 0;  // 100 * correct / labeled
  double delta_pct = 0;                 // quant_pct - float_pct (negative: quantization lost accuracy)
  double delta_ci_low_pct = 0, delta_ci_high_pct = 0;  // paired bootstrap percentile interval of delta_pct
  int64_t b = 0;                        // float right, quant wrong
  int64_t c = 0;                        // float wrong, quant right
  double mcnemar_p = 1;                 // exact two-sided binomial p-value on (b, c)
  double mcnemar_chi2 = 0;              // continuity-corrected statistic, for reference only
};

// Top-1 accuracy of one true class.
struct ClassAccuracy {
  int64_t label = 0;
  int64_t samples = 0;
  int64_t float_correct = 0, quant_correct = 0;
  double float_pct = 0, quant_pct = 0, delta_pct = 0;
};

// A labeled sample whose top-1 correctness changed between the variants.
struct Flip {
  int64_t sample_index = 0;
  int64_t label = 0;
  int32_t float_top1 = -1, quant_top1 = -1;
  bool quant_correct = false;  // true: float wrong, quant right (a "c" flip); false: a "b" flip
};

// Nearest-rank percentiles (statistics.h) of the per-sample KL(pF || pQ), in nats.
struct KlSummary {
  double mean = 0, median = 0, p99 = 0, p99_9 = 0, max = 0;
};

struct ModelMetrics {
  int64_t samples = 0;    // every sample fed
  int64_t labeled = 0;    // samples with label >= 0: the only ones in accuracies, flips, dp and per-class tables
  int32_t num_classes = 0;
  ScoreKind float_kind = ScoreKind::logits, quant_kind = ScoreKind::logits;
  // Samples whose output held NaN or infinity: that variant predicts nothing for the sample (all its
  // probabilities are 0, top-1 is -1, no top-k hit; KL then uses the floor for pQ, or is 0 when pF is absent).
  int64_t float_nonfinite = 0, quant_nonfinite = 0;

  std::vector<TopKResult> top_k;  // one per configured k, ascending; empty of meaning when labeled == 0
  int64_t agree = 0;              // samples with equal top-1 (both defined)
  double agreement = 0;           // agree / samples, a fraction
  // Bootstrap percentile interval of the agreement over all samples (labels not needed), same resample count,
  // seed and level as the accuracy intervals: what the default gate on unlabeled data reads.
  double agreement_ci_low = 0, agreement_ci_high = 0;
  KlSummary kl;
  double dp_mean = 0, dp_rms = 0;  // true-class shift pQ(y) - pF(y) over labeled samples
  std::vector<ClassAccuracy> classes;  // labels that occur, ascending
  int64_t flip_count = 0;              // b + c of top-1
  std::vector<Flip> flips;             // the first max_listed_flips, in sample order

  // Settings that produced the numbers (for the report).
  int bootstrap_resamples = 0;
  uint64_t bootstrap_seed = 0;
  double confidence = 0;
  double kl_floor = 0;

  // The entry for k, or nullptr.
  const TopKResult* find_k(int k) const;
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
