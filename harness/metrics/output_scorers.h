// Internal to harness/metrics: the scorer of each output kind and what they share. The public interface is
// output_metrics.h.
#pragma once

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/metrics/output_metrics.h"

namespace qgate::metrics {

std::unique_ptr<OutputScorer> make_classes_scorer(const OutputSpec& spec, const OutputScoring& scoring);
std::unique_ptr<OutputScorer> make_multilabel_scorer(const OutputSpec& spec, const OutputScoring& scoring);
// `raw`: output error only, no intervals (kind raw); else the regression scorer.
std::unique_ptr<OutputScorer> make_regression_scorer(const OutputSpec& spec, const OutputScoring& scoring, bool raw);
std::unique_ptr<OutputScorer> make_segmentation_scorer(const OutputSpec& spec, const OutputScoring& scoring);
std::unique_ptr<OutputScorer> make_embedding_scorer(const OutputSpec& spec, const OutputScoring& scoring);
std::unique_ptr<OutputScorer> make_sequence_scorer(const OutputSpec& spec, const OutputScoring& scoring);

// A float-vs-quantized metric (value) and a metric against targets (float, quantized, delta).
OutputMetric compared(std::string name, std::string unit, double value, bool higher_is_better, bool headline);
OutputMetric against_targets(std::string name, std::string unit, double float_value, double quant_value,
                             bool higher_is_better, bool headline);
// Sets each metric's interval from its sorted bootstrap values (of the value, or of the delta against targets);
// an empty distribution (no resamples) collapses the interval to the point.
void set_intervals(std::vector<OutputMetric*> metrics, const std::vector<std::vector<double>>& boot,
                   double confidence);
// weighted_bootstrap with the scoring's resamples and seed.
std::vector<std::vector<double>> bootstrap(int64_t n, const OutputScoring& scoring, int k,
                                           const std::function<void(std::span<const uint32_t>, std::span<double>)>& f);
// Sum of counts[i] * values[i] over sum of counts (0 when the counts are all 0), in sample order.
double weighted_mean(std::span<const uint32_t> counts, std::span<const double> values);
// Sum of counts[i] * num[i] over sum of counts[i] * den[i] (0 when the denominator is 0).
double weighted_ratio(std::span<const uint32_t> counts, std::span<const double> num, std::span<const double> den);
double mean_of(std::span<const double> values);
// 10 log10(signal / noise) within [-kSqnrCapDb, kSqnrCapDb]: the cap without noise, minus the cap without signal.
double sqnr_db_of(double signal, double noise);
// `bins` equal bins from the smallest to the largest finite value.
Distribution histogram(std::string statistic, std::span<const double> values, int bins);
// Throws InputError naming the sample and the output when the two outputs do not have spec.elements() values.
void check_sizes(const OutputSpec& spec, int64_t sample, std::span<const float> f, std::span<const float> q);
// An OutputResult with the spec's identity filled in.
OutputResult result_of(const OutputSpec& spec, int64_t samples, int64_t targeted);

inline constexpr int kDistributionBins = 24;

// The records of one scorer, kept per sample and sorted by sample index at finalize(); merge() appends.
template <class Record>
class RecordScorer : public OutputScorer {
 public:
  RecordScorer(OutputSpec spec, OutputScoring scoring) : spec_(std::move(spec)), scoring_(std::move(scoring)) {}

  void merge(const OutputScorer& other) override {
    const auto* o = dynamic_cast<const RecordScorer*>(&other);
    if (!o || o->spec_.index != spec_.index || o->spec_.kind != spec_.kind)
      throw std::invalid_argument("output scorer merge: a scorer of another output or kind");
    records_.insert(records_.end(), o->records_.begin(), o->records_.end());
  }

 protected:
  std::vector<Record> sorted(const char* what) const {
    std::vector<Record> rs = records_;
    std::sort(rs.begin(), rs.end(), [](const Record& a, const Record& b) { return a.index < b.index; });
    for (size_t i = 1; i < rs.size(); ++i)
      if (rs[i].index == rs[i - 1].index)
        throw std::logic_error(std::string(what) + " metrics: sample index " + std::to_string(rs[i].index) +
                               " was fed twice");
    return rs;
  }

  OutputSpec spec_;
  OutputScoring scoring_;
  std::vector<Record> records_;
};

}  // namespace qgate::metrics
