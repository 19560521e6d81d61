#include "harness/metrics/model_metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/metrics/statistics.h"

namespace qgate::metrics {

namespace {

constexpr uint8_t kFloatProbabilities = 1, kQuantProbabilities = 2, kFloatNonfinite = 4, kQuantNonfinite = 8;
constexpr double kProbabilitySumTolerance = 1e-3;

struct ReadScores {
  bool finite = true;
  bool probabilities = false;
  int32_t top1 = -1;
  uint32_t hits = 0;
};

// Ranks the raw scores (top-1, top-k hits of the label) and turns them into probabilities in `p`.
ReadScores read_scores(std::span<const float> s, int64_t label, const std::vector<int>& ks, std::vector<double>& p) {
  ReadScores r;
  const size_t n = s.size();
  p.assign(n, 0.0);
  for (float v : s) {
    if (!std::isfinite(v)) {
      r.finite = false;
      return r;  // predicts nothing: p stays 0, no top-1, no hits
    }
  }
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (s[i] > s[best]) best = i;
  r.top1 = static_cast<int32_t>(best);
  if (label >= 0) {
    const size_t y = static_cast<size_t>(label);
    int64_t rank = 0;  // classes ranked above the label; ties go to the lower index
    for (size_t i = 0; i < n; ++i)
      if (s[i] > s[y] || (s[i] == s[y] && i < y)) ++rank;
    for (size_t j = 0; j < ks.size(); ++j)
      if (rank < ks[j]) r.hits |= 1u << j;
  }
  double sum = 0;
  bool non_negative = true;
  for (float v : s) {
    sum += v;
    non_negative = non_negative && v >= 0;
  }
  if (non_negative && std::abs(sum - 1.0) <= kProbabilitySumTolerance) {
    r.probabilities = true;
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<double>(s[i]) / sum;
  } else {
    const double mx = s[best];
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += p[i] = std::exp(static_cast<double>(s[i]) - mx);
    for (size_t i = 0; i < n; ++i) p[i] /= total;
  }
  return r;
}

ScoreKind summarize_kind(int64_t as_probabilities, int64_t finite) {
  if (finite > 0 && as_probabilities == finite) return ScoreKind::probabilities;
  if (as_probabilities == 0) return ScoreKind::logits;
  return ScoreKind::mixed;
}

}  // namespace

ModelMetricsAccumulator::ModelMetricsAccumulator(ModelMetricsOptions options) : options_(std::move(options)) {
  auto& ks = options_.top_k;
  for (int k : ks)
    if (k < 1) throw InputError(fmt::format("top-k {} must be >= 1", k));
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  if (ks.size() > 32) throw InputError(fmt::format("{} top-k values given; at most 32 are supported", ks.size()));
  if (options_.bootstrap_resamples < 0)
    throw InputError(fmt::format("bootstrap resamples {} must be >= 0", options_.bootstrap_resamples));
  if (!(options_.confidence > 0 && options_.confidence < 1))
    throw InputError(fmt::format("confidence {} must be in (0, 1)", options_.confidence));
  if (!(options_.kl_floor > 0 && options_.kl_floor < 1))
    throw InputError(fmt::format("KL floor {} must be in (0, 1)", options_.kl_floor));
  if (options_.max_listed_flips < 0) options_.max_listed_flips = 0;
}

void ModelMetricsAccumulator::add(int64_t sample_index, std::span<const float> float_scores,
                                  std::span<const float> quant_scores, int64_t label) {
  if (sample_index < 0) throw InputError(fmt::format("sample index {} must be >= 0", sample_index));
  if (float_scores.empty() || float_scores.size() != quant_scores.size())
    throw InputError(fmt::format("sample {}: float output has {} scores, quantized output {}; both must have the "
                                 "same non-zero length",
                                 sample_index, float_scores.size(), quant_scores.size()));
  const auto classes = static_cast<int32_t>(float_scores.size());
  if (num_classes_ == 0) num_classes_ = classes;
  if (classes != num_classes_)
    throw InputError(fmt::format("sample {}: output has {} scores, earlier samples had {}", sample_index, classes,
                                 num_classes_));
  if (label >= classes)
    throw InputError(fmt::format("sample {}: label {} is outside the model's {} classes", sample_index, label,
                                 classes));
  const int64_t y = label < 0 ? -1 : label;

  const ReadScores f = read_scores(float_scores, y, options_.top_k, pf_);
  const ReadScores q = read_scores(quant_scores, y, options_.top_k, pq_);

  // KL(pF || pQ) = sum pF log(pF / max(pQ, floor)); terms with pF = 0 add 0. The floor keeps it finite when the
  // quantized model puts (numerically) zero mass where the float model does not; it can make the sum dip
  // a hair below 0, hence the clamp.
  double kl = 0;
  for (size_t i = 0; i < pf_.size(); ++i)
    if (pf_[i] > 0) kl += pf_[i] * (std::log(pf_[i]) - std::log(std::max(pq_[i], options_.kl_floor)));
  kl = std::max(kl, 0.0);

  Record r{};
  r.index = sample_index;
  r.label = static_cast<int32_t>(y);
  r.float_top1 = f.top1;
  r.quant_top1 = q.top1;
  r.float_hits = f.hits;
  r.quant_hits = q.hits;
  r.flags = static_cast<uint8_t>((f.probabilities ? kFloatProbabilities : 0) |
                                 (q.probabilities ? kQuantProbabilities : 0) | (f.finite ? 0 : kFloatNonfinite) |
                                 (q.finite ? 0 : kQuantNonfinite));
  r.kl = kl;
  r.float_true_p = y >= 0 ? pf_[static_cast<size_t>(y)] : 0.0;
  r.quant_true_p = y >= 0 ? pq_[static_cast<size_t>(y)] : 0.0;
  records_.push_back(r);
}

void ModelMetricsAccumulator::merge(const ModelMetricsAccumulator& other) {
  const auto& a = options_;
  const auto& b = other.options_;
  if (a.top_k != b.top_k || a.bootstrap_resamples != b.bootstrap_resamples || a.bootstrap_seed != b.bootstrap_seed ||
      a.confidence != b.confidence || a.kl_floor != b.kl_floor || a.max_listed_flips != b.max_listed_flips)
    throw std::invalid_argument("ModelMetricsAccumulator::merge: the accumulators have different options");
  if (other.num_classes_ != 0) {
    if (num_classes_ == 0) num_classes_ = other.num_classes_;
    if (other.num_classes_ != num_classes_)
      throw InputError(fmt::format("merging metrics of outputs with {} and {} scores", num_classes_,
                                   other.num_classes_));
  }
  records_.insert(records_.end(), other.records_.begin(), other.records_.end());
}

ModelMetrics ModelMetricsAccumulator::finalize() const {
  std::vector<Record> rs = records_;
  std::sort(rs.begin(), rs.end(), [](const Record& x, const Record& y) { return x.index < y.index; });
  for (size_t i = 1; i < rs.size(); ++i)
    if (rs[i].index == rs[i - 1].index)
      throw std::logic_error(fmt::format("model metrics: sample index {} was fed twice", rs[i].index));

  ModelMetrics m;
  m.samples = static_cast<int64_t>(rs.size());
  m.num_classes = num_classes_;
  m.bootstrap_resamples = options_.bootstrap_resamples;
  m.bootstrap_seed = options_.bootstrap_seed;
  m.confidence = options_.confidence;
  m.kl_floor = options_.kl_floor;

  const auto& ks = options_.top_k;
  std::vector<TopKResult> top(ks.size());
  std::vector<std::vector<int8_t>> diffs(ks.size());
  int64_t float_probs = 0, quant_probs = 0;
  double dp_sum = 0, dp_sq = 0;
  std::vector<ClassAccuracy> classes(static_cast<size_t>(num_classes_));
  std::vector<double> kls;
  kls.reserve(rs.size());
  double kl_sum = 0;

  for (const Record& r : rs) {
    const bool f_bad = r.flags & kFloatNonfinite, q_bad = r.flags & kQuantNonfinite;
    m.float_nonfinite += f_bad;
    m.quant_nonfinite += q_bad;
    float_probs += (r.flags & kFloatProbabilities) != 0;
    quant_probs += (r.flags & kQuantProbabilities) != 0;
    if (r.float_top1 >= 0 && r.float_top1 == r.quant_top1) ++m.agree;
    kls.push_back(r.kl);
    kl_sum += r.kl;
    if (r.label < 0) continue;

    ++m.labeled;
    for (size_t j = 0; j < ks.size(); ++j) {
      const bool fh = (r.float_hits >> j) & 1u, qh = (r.quant_hits >> j) & 1u;
      top[j].float_correct += fh;
      top[j].quant_correct += qh;
      top[j].b += fh && !qh;
      top[j].c += !fh && qh;
      diffs[j].push_back(static_cast<int8_t>(int{qh} - int{fh}));
    }
    const double dp = r.quant_true_p - r.float_true_p;
    dp_sum += dp;
    dp_sq += dp * dp;

    const bool f1 = r.float_top1 == r.label, q1 = r.quant_top1 == r.label;
    ClassAccuracy& ca = classes[static_cast<size_t>(r.label)];
    ++ca.samples;
    ca.float_correct += f1;
    ca.quant_correct += q1;
    if (f1 != q1) {
      ++m.flip_count;
      if (static_cast<int64_t>(m.flips.size()) < options_.max_listed_flips)
        m.flips.push_back({r.index, r.label, r.float_top1, r.quant_top1, q1});
    }
  }

  const int64_t finite_f = m.samples - m.float_nonfinite, finite_q = m.samples - m.quant_nonfinite;
  m.float_kind = summarize_kind(float_probs, finite_f);
  m.quant_kind = summarize_kind(quant_probs, finite_q);
  if (m.samples > 0) {
    m.agreement = static_cast<double>(m.agree) / static_cast<double>(m.samples);
    std::vector<std::vector<int8_t>> agrees(1);
    agrees[0].reserve(rs.size());
    for (const Record& r : rs) agrees[0].push_back(r.float_top1 >= 0 && r.float_top1 == r.quant_top1);
    const auto boot = paired_bootstrap_means(agrees, options_.bootstrap_resamples, options_.bootstrap_seed);
    if (!boot[0].empty()) {
      const Interval ci = percentile_interval(boot[0], options_.confidence);
      m.agreement_ci_low = ci.low;
      m.agreement_ci_high = ci.high;
    } else {
      m.agreement_ci_low = m.agreement_ci_high = m.agreement;
    }
    m.kl.mean = kl_sum / static_cast<double>(m.samples);
    std::sort(kls.begin(), kls.end());
    m.kl.median = percentile_nearest_rank(kls, 50);
    m.kl.p99 = percentile_nearest_rank(kls, 99);
    m.kl.p99_9 = percentile_nearest_rank(kls, 99.9);
    m.kl.max = kls.back();
  }

  // Percent of the labeled count; the delta is formed from the integer difference exactly as each bootstrap
  // resample is, so a degenerate interval equals the point estimate to the bit.
  const double n = static_cast<double>(m.labeled);
  auto pct = [&](int64_t count) { return m.labeled > 0 ? static_cast<double>(count) / n * 100.0 : 0.0; };
  if (m.labeled > 0) {
    m.dp_mean = dp_sum / n;
    m.dp_rms = std::sqrt(dp_sq / n);
    const auto boot = paired_bootstrap_means(diffs, options_.bootstrap_resamples, options_.bootstrap_seed);
    for (size_t j = 0; j < ks.size(); ++j) {
      TopKResult& t = top[j];
      t.float_pct = pct(t.float_correct);
      t.quant_pct = pct(t.quant_correct);
      t.delta_pct = pct(t.quant_correct - t.float_correct);
      if (!boot[j].empty()) {
        const Interval ci = percentile_interval(boot[j], options_.confidence);
        t.delta_ci_low_pct = ci.low * 100.0;
        t.delta_ci_high_pct = ci.high * 100.0;
      } else {
        t.delta_ci_low_pct = t.delta_ci_high_pct = t.delta_pct;
      }
      t.mcnemar_p = mcnemar_exact_p(t.b, t.c);
      t.mcnemar_chi2 = mcnemar_chi2(t.b, t.c);
    }
  }
  for (size_t j = 0; j < ks.size(); ++j) top[j].k = ks[j];
  m.top_k = std::move(top);

  for (size_t label = 0; label < classes.size(); ++label) {
    ClassAccuracy ca = classes[label];
    if (ca.samples == 0) continue;
    ca.label = static_cast<int64_t>(label);
    const double cn = static_cast<double>(ca.samples);
    ca.float_pct = static_cast<double>(ca.float_correct) / cn * 100.0;
    ca.quant_pct = static_cast<double>(ca.quant_correct) / cn * 100.0;
    ca.delta_pct = static_cast<double>(ca.quant_correct - ca.float_correct) / cn * 100.0;
    m.classes.push_back(ca);
  }
  return m;
}

}  // namespace qgate::metrics
