#include "harness/metrics/output_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/metrics/statistics.h"
#include "harness/metrics/output_scorers.h"

namespace qgate::metrics {

int64_t OutputSpec::segmentation_channels() const {
  if (shape.size() < 4) return 1;  // [1,H,W] or [H,W]: one score per pixel
  return channels_first ? shape[shape.size() - 3] : shape.back();
}

int64_t OutputSpec::segmentation_classes() const {
  const int64_t c = segmentation_channels();
  return c == 1 ? 2 : c;
}

int64_t OutputSpec::segmentation_pixels() const {
  const int64_t c = segmentation_channels();
  return c > 0 ? elements() / c : 0;
}

int64_t OutputSpec::sequence_symbols() const { return shape.empty() ? 0 : shape.back(); }
int64_t OutputSpec::sequence_steps() const {
  const int64_t c = sequence_symbols();
  return c > 0 ? elements() / c : 0;
}

std::string OutputSpec::settings() const {
  switch (kind) {
    case OutputKind::multilabel: return fmt::format("decision: score > {:g}", threshold);
    case OutputKind::segmentation:
      if (segmentation_channels() == 1)
        return fmt::format("one score per pixel: class 1 where score > {:g}", threshold);
      return fmt::format("{} classes, argmax over the {} axis", segmentation_classes(),
                         channels_first ? "second" : "last");
    case OutputKind::sequence:
      return blank >= 0 ? fmt::format("{} steps x {} symbols, CTC greedy decoding, blank {}", sequence_steps(),
                                      sequence_symbols(), blank)
                        : fmt::format("{} steps x {} symbols, per-step argmax", sequence_steps(), sequence_symbols());
    case OutputKind::regression:
      if (landmarks.points > 0)
        return fmt::format("{} landmarks x {} coordinates (stride {}), tolerance {}", landmarks.points, landmarks.dims,
                           landmarks.stride,
                           landmarks.tolerance > 0
                               ? fmt::format("{:g} units", landmarks.tolerance)
                               : fmt::format("{:g}% of the float points' extent", 100 * kLandmarkToleranceFraction));
      return "";
    default: return "";
  }
}

int64_t edit_distance(std::span<const int32_t> a, std::span<const int32_t> b) {
  std::vector<int64_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int64_t>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int64_t diagonal = row[0];
    row[0] = static_cast<int64_t>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int64_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<int32_t> ctc_greedy_decode(std::span<const float> scores, int64_t steps, int64_t symbols, int blank) {
  std::vector<int32_t> out;
  int32_t previous = -1;
  for (int64_t t = 0; t < steps; ++t) {
    const float* s = scores.data() + t * symbols;
    int32_t best = -1;
    for (int64_t c = 0; c < symbols; ++c)
      if (std::isfinite(s[c]) && (best < 0 || s[c] > s[best])) best = static_cast<int32_t>(c);
    if (blank < 0) {
      if (best >= 0) out.push_back(best);
      continue;
    }
    // A step that predicts nothing acts as a blank: it ends a run of repeats.
    if (best >= 0 && best != blank && best != previous) out.push_back(best);
    previous = best;
  }
  return out;
}

namespace {

void add_names(std::vector<MetricName>& out, std::initializer_list<const char*> names, bool vs_targets,
               bool interval) {
  for (const char* n : names) out.push_back({n, vs_targets, interval});
}

}  // namespace

std::vector<MetricName> output_metric_names(const OutputSpec& spec, const std::vector<int>& top_k) {
  std::vector<MetricName> out;
  const bool targets = spec.has_targets;
  switch (spec.kind) {
    case OutputKind::classes:
      if (spec.takes_labels)
        for (int k : top_k) out.push_back({fmt::format("top{}", k), true, true});
      add_names(out, {"agreement"}, false, true);
      add_names(out, {"kl_mean", "kl_p99"}, false, false);
      break;
    case OutputKind::multilabel:
      add_names(out, {"agreement", "exact_agreement"}, false, true);
      add_names(out, {"flips"}, false, false);
      if (targets) add_names(out, {"map", "label_accuracy"}, true, true);
      break;
    case OutputKind::regression:
      add_names(out, {"sqnr_db"}, false, true);
      add_names(out, {"nmse", "max_abs_error", "mean_abs_error"}, false, false);
      if (spec.landmarks.points > 0) {
        add_names(out, {"mean_distance", "within_tolerance"}, false, true);
        add_names(out, {"max_distance"}, false, false);
      }
      if (targets) add_names(out, {"mae", "rmse"}, true, true);
      if (targets && spec.landmarks.points > 0) add_names(out, {"target_distance"}, true, true);
      break;
    case OutputKind::segmentation:
      add_names(out, {"pixel_agreement", "miou_vs_float"}, false, true);
      if (targets) add_names(out, {"miou", "pixel_accuracy"}, true, true);
      break;
    case OutputKind::embedding:
      add_names(out, {"cosine", "nn_agreement"}, false, true);
      add_names(out, {"cosine_min"}, false, false);
      if (targets || spec.takes_labels) add_names(out, {"retrieval_top1"}, true, true);
      break;
    case OutputKind::sequence:
      add_names(out, {"sequence_agreement", "edit_distance"}, false, true);
      add_names(out, {"step_agreement"}, false, false);
      if (targets) add_names(out, {"cer", "exact_match"}, true, true);
      break;
    case OutputKind::raw:
      add_names(out, {"sqnr_db", "nmse", "max_abs_error", "mean_abs_error", "cosine"}, false, false);
      break;
  }
  return out;
}

std::unique_ptr<OutputScorer> make_output_scorer(const OutputSpec& spec, const OutputScoring& scoring) {
  switch (spec.kind) {
    case OutputKind::classes: return make_classes_scorer(spec, scoring);
    case OutputKind::multilabel: return make_multilabel_scorer(spec, scoring);
    case OutputKind::regression: return make_regression_scorer(spec, scoring, false);
    case OutputKind::raw: return make_regression_scorer(spec, scoring, true);
    case OutputKind::segmentation: return make_segmentation_scorer(spec, scoring);
    case OutputKind::embedding: return make_embedding_scorer(spec, scoring);
    case OutputKind::sequence: return make_sequence_scorer(spec, scoring);
  }
  throw std::logic_error("make_output_scorer: unknown kind");
}

// ---- Shared by the scorers --------------------------------------------------------------------------------------

OutputMetric compared(std::string name, std::string unit, double value, bool higher_is_better, bool headline) {
  OutputMetric m;
  m.name = std::move(name);
  m.unit = std::move(unit);
  m.value = value;
  m.higher_is_better = higher_is_better;
  m.headline = headline;
  return m;
}

OutputMetric against_targets(std::string name, std::string unit, double float_value, double quant_value,
                             bool higher_is_better, bool headline) {
  OutputMetric m;
  m.name = std::move(name);
  m.unit = std::move(unit);
  m.vs_targets = true;
  m.float_value = float_value;
  m.quant_value = quant_value;
  m.delta = quant_value - float_value;
  m.higher_is_better = higher_is_better;
  m.headline = headline;
  return m;
}

void set_intervals(std::vector<OutputMetric*> metrics, const std::vector<std::vector<double>>& boot,
                   double confidence) {
  for (size_t i = 0; i < metrics.size(); ++i) {
    OutputMetric& m = *metrics[i];
    m.has_interval = true;
    const double point = m.vs_targets ? m.delta : m.value;
    if (i < boot.size() && !boot[i].empty()) {
      const Interval ci = percentile_interval(boot[i], confidence);
      m.ci_low = ci.low;
      m.ci_high = ci.high;
    } else {
      m.ci_low = m.ci_high = point;
    }
  }
}

std::vector<std::vector<double>> bootstrap(int64_t n, const OutputScoring& scoring, int k,
                                           const std::function<void(std::span<const uint32_t>, std::span<double>)>& f) {
  return weighted_bootstrap(n, scoring.classes.bootstrap_resamples, scoring.classes.bootstrap_seed, k, f);
}

double weighted_mean(std::span<const uint32_t> counts, std::span<const double> values) {
  double sum = 0, weight = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += counts[i] * values[i];
    weight += counts[i];
  }
  return weight > 0 ? sum / weight : 0.0;
}

double weighted_ratio(std::span<const uint32_t> counts, std::span<const double> num, std::span<const double> den) {
  double a = 0, b = 0;
  for (size_t i = 0; i < num.size(); ++i) {
    a += counts[i] * num[i];
    b += counts[i] * den[i];
  }
  return b > 0 ? a / b : 0.0;
}

double mean_of(std::span<const double> values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

double sqnr_db_of(double signal, double noise) {
  if (noise <= 0) return reports::kSqnrCapDb;
  if (signal <= 0) return -reports::kSqnrCapDb;
  return std::clamp(10.0 * std::log10(signal / noise), -reports::kSqnrCapDb, reports::kSqnrCapDb);
}

Distribution histogram(std::string statistic, std::span<const double> values, int bins) {
  Distribution d;
  d.statistic = std::move(statistic);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!(lo <= hi)) return d;
  if (hi == lo) hi = lo + 1;
  d.edges.resize(static_cast<size_t>(bins) + 1);
  for (int i = 0; i <= bins; ++i) d.edges[static_cast<size_t>(i)] = lo + (hi - lo) * i / bins;
  d.counts.assign(static_cast<size_t>(bins), 0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    int b = static_cast<int>((v - lo) / (hi - lo) * bins);
    ++d.counts[static_cast<size_t>(std::clamp(b, 0, bins - 1))];
  }
  return d;
}

void check_sizes(const OutputSpec& spec, int64_t sample, std::span<const float> f, std::span<const float> q) {
  if (static_cast<int64_t>(f.size()) != spec.elements() || f.size() != q.size())
    throw InputError(fmt::format("sample {}: output '{}' has {} float and {} quantized values, its shape {} holds {}",
                                 sample, spec.name, f.size(), q.size(), shape_string(spec.shape), spec.elements()));
}

OutputResult result_of(const OutputSpec& spec, int64_t samples, int64_t targeted) {
  OutputResult r;
  r.index = spec.index;
  r.tensor = spec.tensor;
  r.name = spec.name;
  r.kind = spec.kind;
  r.kind_source = spec.kind_source;
  r.shape = spec.shape;
  r.settings = spec.settings();
  r.targets = spec.targets;
  r.samples = samples;
  r.targeted = targeted;
  return r;
}

}  // namespace qgate::metrics
