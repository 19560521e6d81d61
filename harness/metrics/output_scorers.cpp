// The scorers of value outputs: classes (today's model metrics), multilabel, regression (with landmarks) and raw.
// Formulas: docs/metrics.md#output-kinds.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/metrics/output_scorers.h"
#include "harness/metrics/statistics.h"

namespace qgate::metrics {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- classes -------------------------------------------------------------------------------------------------------

class ClassesScorer final : public OutputScorer {
 public:
  ClassesScorer(OutputSpec spec, OutputScoring scoring)
      : spec_(std::move(spec)), scoring_(std::move(scoring)), acc_(scoring_.classes) {}

  void add(int64_t sample, std::span<const float> f, std::span<const float> q, const Target*,
           int64_t label) override {
    check_sizes(spec_, sample, f, q);
    acc_.add(sample, f, q, spec_.takes_labels ? label : -1);
  }

  void merge(const OutputScorer& other) override {
    const auto* o = dynamic_cast<const ClassesScorer*>(&other);
    if (!o || o->spec_.index != spec_.index)
      throw std::invalid_argument("output scorer merge: a scorer of another output or kind");
    acc_.merge(o->acc_);
  }

  OutputResult finalize() const override {
    const ModelMetrics m = acc_.finalize();
    OutputResult r = result_of(spec_, m.samples, spec_.takes_labels ? m.labeled : 0);
    if (spec_.takes_labels && m.labeled > 0)
      for (const TopKResult& t : m.top_k) {
        OutputMetric k = against_targets(fmt::format("top{}", t.k), "points", t.float_pct, t.quant_pct, true, t.k == 1);
        k.delta = t.delta_pct;  // formed from the integer difference, as the model section's
        k.has_interval = true;
        k.ci_low = t.delta_ci_low_pct;
        k.ci_high = t.delta_ci_high_pct;
        r.metrics.push_back(std::move(k));
      }
    OutputMetric agreement = compared("agreement", "fraction", m.agreement, true, true);
    agreement.has_interval = true;
    agreement.ci_low = m.agreement_ci_low;
    agreement.ci_high = m.agreement_ci_high;
    r.metrics.push_back(std::move(agreement));
    r.metrics.push_back(compared("kl_mean", "nats", m.kl.mean, false, false));
    r.metrics.push_back(compared("kl_p99", "nats", m.kl.p99, false, false));
    if (spec_.takes_labels && scoring_.details && !m.classes.empty()) {
      r.columns = {"samples", "float", "quantized", "delta"};
      for (const ClassAccuracy& c : m.classes)
        r.rows.push_back({fmt::format("class {}", c.label),
                          {static_cast<double>(c.samples), c.float_pct, c.quant_pct, c.delta_pct}});
    }
    return r;
  }

  std::unique_ptr<OutputScorer> fresh() const override { return std::make_unique<ClassesScorer>(spec_, scoring_); }
  const ModelMetricsAccumulator* classes() const override { return &acc_; }

 private:
  OutputSpec spec_;
  OutputScoring scoring_;
  ModelMetricsAccumulator acc_;
};

// ---- multilabel ----------------------------------------------------------------------------------------------------

struct MultilabelRecord {
  int64_t index = 0;
  std::vector<float> f, q, target;  // target empty without one
};

// Average precision of one label over the samples in `order` (descending score, ties by sample order), each
// weighing counts[i]: the mean, over the positive weight, of the precision at each positive (a resampled sample's
// copies count at the end of their block). NaN when no positive has weight.
double average_precision(std::span<const int64_t> order, std::span<const uint8_t> positive,
                         std::span<const uint32_t> counts) {
  double seen = 0, hits = 0, precision_sum = 0, positives = 0;
  for (int64_t i : order) {
    const double c = counts[static_cast<size_t>(i)];
    if (c == 0) continue;
    seen += c;
    if (positive[static_cast<size_t>(i)]) {
      hits += c;
      positives += c;
      precision_sum += c * hits / seen;
    }
  }
  return positives > 0 ? precision_sum / positives : kNaN;
}

// The mean of the labels' APs that exist (NaN when none does).
double mean_ap(const std::vector<std::vector<int64_t>>& orders, const std::vector<std::vector<uint8_t>>& positive,
               std::span<const uint32_t> counts) {
  double sum = 0;
  int n = 0;
  for (size_t j = 0; j < orders.size(); ++j) {
    const double ap = average_precision(orders[j], positive[j], counts);
    if (std::isnan(ap)) continue;
    sum += ap;
    ++n;
  }
  return n > 0 ? sum / n : kNaN;
}

class MultilabelScorer final : public RecordScorer<MultilabelRecord> {
 public:
  using RecordScorer::RecordScorer;

  void add(int64_t sample, std::span<const float> f, std::span<const float> q, const Target* target,
           int64_t) override {
    check_sizes(spec_, sample, f, q);
    MultilabelRecord r;
    r.index = sample;
    r.f.assign(f.begin(), f.end());
    r.q.assign(q.begin(), q.end());
    if (target) {
      if (target->values.size() != f.size())
        throw InputError(fmt::format("sample {}: output '{}' has {} labels, its target {} values", sample, spec_.name,
                                     f.size(), target->values.size()));
      r.target = target->values;
    }
    records_.push_back(std::move(r));
  }

  OutputResult finalize() const override {
    const std::vector<MultilabelRecord> rs = sorted("multilabel");
    const size_t n = rs.size(), labels = static_cast<size_t>(spec_.elements());
    const double t = spec_.threshold;
    auto decide = [t](float v) { return std::isfinite(v) && v > t; };
    std::vector<double> agree(n), exact(n);
    std::vector<int64_t> positive_f(labels), positive_q(labels), same(labels);
    int64_t flips = 0;
    for (size_t i = 0; i < n; ++i) {
      int64_t equal = 0;
      for (size_t j = 0; j < labels; ++j) {
        const bool a = decide(rs[i].f[j]), b = decide(rs[i].q[j]);
        positive_f[j] += a;
        positive_q[j] += b;
        same[j] += a == b;
        equal += a == b;
      }
      flips += static_cast<int64_t>(labels) - equal;
      agree[i] = static_cast<double>(equal) / static_cast<double>(labels);
      exact[i] = equal == static_cast<int64_t>(labels) ? 1.0 : 0.0;
    }
    int64_t targeted = 0;
    for (const auto& r : rs) targeted += !r.target.empty();
    OutputResult res = result_of(spec_, static_cast<int64_t>(n), targeted);
    res.metrics.push_back(compared("agreement", "fraction", mean_of(agree), true, true));
    res.metrics.push_back(compared("exact_agreement", "fraction", mean_of(exact), true, false));
    res.metrics.push_back(compared("flips", "count", static_cast<double>(flips), false, false));
    {
      const auto boot = bootstrap(static_cast<int64_t>(n), scoring_, 2, [&](auto counts, auto out) {
        out[0] = weighted_mean(counts, agree);
        out[1] = weighted_mean(counts, exact);
      });
      set_intervals({&res.metrics[0], &res.metrics[1]}, boot, scoring_.classes.confidence);
    }

    // Against targets, over the samples that have one: label accuracy and mean average precision (points).
    std::vector<double> ap_f(labels, kNaN), ap_q(labels, kNaN);
    if (spec_.has_targets && targeted > 0) {
      std::vector<size_t> at;  // record positions with a target
      for (size_t i = 0; i < n; ++i)
        if (!rs[i].target.empty()) at.push_back(i);
      const size_t m = at.size();
      std::vector<double> acc_f(m), acc_q(m);
      std::vector<std::vector<uint8_t>> positive(labels, std::vector<uint8_t>(m));
      for (size_t s = 0; s < m; ++s) {
        const MultilabelRecord& r = rs[at[s]];
        int64_t right_f = 0, right_q = 0;
        for (size_t j = 0; j < labels; ++j) {
          const bool y = r.target[j] > 0.5f;
          positive[j][s] = y;
          right_f += decide(r.f[j]) == y;
          right_q += decide(r.q[j]) == y;
        }
        acc_f[s] = 100.0 * static_cast<double>(right_f) / static_cast<double>(labels);
        acc_q[s] = 100.0 * static_cast<double>(right_q) / static_cast<double>(labels);
      }
      auto ranking = [&](bool quant) {
        std::vector<std::vector<int64_t>> orders(labels, std::vector<int64_t>(m));
        for (size_t j = 0; j < labels; ++j) {
          std::iota(orders[j].begin(), orders[j].end(), int64_t{0});
          auto score = [&](int64_t s) {
            const float v = (quant ? rs[at[s]].q : rs[at[s]].f)[j];
            return std::isfinite(v) ? static_cast<double>(v) : -kInf;
          };
          std::stable_sort(orders[j].begin(), orders[j].end(),
                           [&](int64_t a, int64_t b) { return score(a) > score(b); });
        }
        return orders;
      };
      const auto order_f = ranking(false), order_q = ranking(true);
      const std::vector<uint32_t> ones(m, 1);
      for (size_t j = 0; j < labels; ++j) {
        ap_f[j] = average_precision(order_f[j], positive[j], ones);
        ap_q[j] = average_precision(order_q[j], positive[j], ones);
      }
      const double map_f = mean_ap(order_f, positive, ones), map_q = mean_ap(order_q, positive, ones);
      res.metrics.push_back(against_targets("map", "points", 100 * map_f, 100 * map_q, true, true));
      res.metrics.push_back(against_targets("label_accuracy", "points", mean_of(acc_f), mean_of(acc_q), true, false));
      std::vector<double> diff(m);
      for (size_t s = 0; s < m; ++s) diff[s] = acc_q[s] - acc_f[s];
      const auto boot = bootstrap(static_cast<int64_t>(m), scoring_, 2, [&](auto counts, auto out) {
        out[0] = 100 * (mean_ap(order_q, positive, counts) - mean_ap(order_f, positive, counts));
        out[1] = weighted_mean(counts, diff);
      });
      const size_t k = res.metrics.size();
      set_intervals({&res.metrics[k - 2], &res.metrics[k - 1]}, boot, scoring_.classes.confidence);
    }

    if (scoring_.details) {
      res.columns = {"float_positive", "quantized_positive", "agreement"};
      if (spec_.has_targets && targeted > 0) res.columns.insert(res.columns.end(), {"float_ap", "quantized_ap"});
      const double dn = n > 0 ? static_cast<double>(n) : 1.0;
      for (size_t j = 0; j < labels && j < 256; ++j) {
        OutputRow row{fmt::format("label {}", j), {positive_f[j] / dn, positive_q[j] / dn, same[j] / dn}};
        if (res.columns.size() == 5) row.values.insert(row.values.end(), {100 * ap_f[j], 100 * ap_q[j]});
        res.rows.push_back(std::move(row));
      }
      res.distribution = histogram("per-sample decision agreement", agree, kDistributionBins);
    }
    return res;
  }

  std::unique_ptr<OutputScorer> fresh() const override { return std::make_unique<MultilabelScorer>(spec_, scoring_); }
};

// ---- regression and raw ----------------------------------------------------------------------------------------------

struct RegressionRecord {
  int64_t index = 0;
  // Float vs quantized over the finite element pairs: sum f^2, sum e^2 (e = f - q), sum |e|, max |e|, sum f q,
  // sum q^2, pairs counted and pairs left out.
  double f2 = 0, e2 = 0, abs_e = 0, max_abs_e = 0, fq = 0, q2 = 0;
  int64_t n = 0, nonfinite = 0;
  std::vector<double> distance;  // landmarks: per point ||q_k - f_k|| (infinite when a coordinate is not finite)
  double tolerance = 0;          // landmarks: the tolerance this sample used
  // Against the target: sums of |f - t|, |q - t|, (f - t)^2, (q - t)^2 over the finite triples, and landmarks' mean
  // point distance to the target points.
  bool targeted = false;
  double abs_f = 0, abs_q = 0, sq_f = 0, sq_q = 0, n_target = 0, target_dist_f = 0, target_dist_q = 0;
};

double point_distance(const float* a, const float* b, int dims) {
  double sum = 0;
  for (int d = 0; d < dims; ++d) {
    const double e = static_cast<double>(a[d]) - static_cast<double>(b[d]);
    if (!std::isfinite(e)) return kInf;
    sum += e * e;
  }
  return std::sqrt(sum);
}

class RegressionScorer final : public RecordScorer<RegressionRecord> {
 public:
  RegressionScorer(OutputSpec spec, OutputScoring scoring, bool raw)
      : RecordScorer(std::move(spec), std::move(scoring)), raw_(raw) {}

  void add(int64_t sample, std::span<const float> f, std::span<const float> q, const Target* target,
           int64_t) override {
    check_sizes(spec_, sample, f, q);
    RegressionRecord r;
    r.index = sample;
    for (size_t i = 0; i < f.size(); ++i) {
      const double x = f[i], y = q[i];
      if (!std::isfinite(x) || !std::isfinite(y)) {
        ++r.nonfinite;
        continue;
      }
      const double e = x - y;
      r.f2 += x * x;
      r.e2 += e * e;
      r.abs_e += std::abs(e);
      r.max_abs_e = std::max(r.max_abs_e, std::abs(e));
      r.fq += x * y;
      r.q2 += y * y;
      ++r.n;
    }
    const LandmarkLayout& lm = spec_.landmarks;
    if (lm.points > 0) {
      r.distance.resize(static_cast<size_t>(lm.points));
      for (int k = 0; k < lm.points; ++k)
        r.distance[static_cast<size_t>(k)] = point_distance(&f[k * lm.stride], &q[k * lm.stride], lm.dims);
      r.tolerance = lm.tolerance > 0 ? lm.tolerance : kLandmarkToleranceFraction * extent(f);
    }
    if (target && !raw_) {
      if (target->values.size() != f.size())
        throw InputError(fmt::format("sample {}: output '{}' has {} values, its target {}", sample, spec_.name,
                                     f.size(), target->values.size()));
      r.targeted = true;
      const std::vector<float>& t = target->values;
      for (size_t i = 0; i < f.size(); ++i) {
        const double x = f[i], y = q[i], z = t[i];
        if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z)) continue;
        r.abs_f += std::abs(x - z);
        r.abs_q += std::abs(y - z);
        r.sq_f += (x - z) * (x - z);
        r.sq_q += (y - z) * (y - z);
        r.n_target += 1;
      }
      if (lm.points > 0) {
        for (int k = 0; k < lm.points; ++k) {
          r.target_dist_f += point_distance(&f[k * lm.stride], &t[k * lm.stride], lm.dims);
          r.target_dist_q += point_distance(&q[k * lm.stride], &t[k * lm.stride], lm.dims);
        }
        r.target_dist_f /= lm.points;
        r.target_dist_q /= lm.points;
      }
    }
    records_.push_back(std::move(r));
  }

  OutputResult finalize() const override {
    const std::vector<RegressionRecord> rs = sorted(raw_ ? "raw" : "regression");
    const size_t n = rs.size();
    std::vector<double> f2(n), e2(n);
    double sum_f2 = 0, sum_e2 = 0, sum_abs = 0, max_abs = 0, sum_fq = 0, sum_q2 = 0, pairs = 0;
    int64_t targeted = 0;
    for (size_t i = 0; i < n; ++i) {
      const RegressionRecord& r = rs[i];
      f2[i] = r.f2;
      e2[i] = r.e2;
      sum_f2 += r.f2;
      sum_e2 += r.e2;
      sum_abs += r.abs_e;
      max_abs = std::max(max_abs, r.max_abs_e);
      sum_fq += r.fq;
      sum_q2 += r.q2;
      pairs += static_cast<double>(r.n);
      targeted += r.targeted;
    }
    OutputResult res = result_of(spec_, static_cast<int64_t>(n), targeted);
    const bool landmarks = spec_.landmarks.points > 0 && !raw_;
    res.metrics.push_back(compared("sqnr_db", "dB", sqnr_db_of(sum_f2, sum_e2), true, !raw_ && !landmarks));
    const double nmse = sum_e2 == 0 ? 0.0 : sum_f2 > 0 ? sum_e2 / sum_f2 : kInf;
    res.metrics.push_back(compared("nmse", "ratio", nmse, false, false));
    res.metrics.push_back(compared("max_abs_error", "units", max_abs, false, false));
    res.metrics.push_back(compared("mean_abs_error", "units", pairs > 0 ? sum_abs / pairs : 0.0, false, false));
    if (raw_) {
      const double cosine = sum_f2 == 0 && sum_q2 == 0 ? 1.0
                            : sum_f2 == 0 || sum_q2 == 0 ? 0.0
                                                         : std::clamp(sum_fq / std::sqrt(sum_f2 * sum_q2), -1.0, 1.0);
      res.metrics.push_back(compared("cosine", "cosine", cosine, true, false));
      return res;
    }
    {
      const auto boot = bootstrap(static_cast<int64_t>(n), scoring_, 1, [&](auto counts, auto out) {
        double s = 0, e = 0;
        for (size_t i = 0; i < n; ++i) {
          s += counts[i] * f2[i];
          e += counts[i] * e2[i];
        }
        out[0] = sqnr_db_of(s, e);
      });
      set_intervals({&res.metrics[0]}, boot, scoring_.classes.confidence);
    }

    std::vector<double> per_sample_distance(n);
    if (landmarks) {
      const int k_points = spec_.landmarks.points;
      std::vector<double> within(n), point_sum(static_cast<size_t>(k_points)), point_max(static_cast<size_t>(k_points));
      std::vector<int64_t> point_within(static_cast<size_t>(k_points));
      double max_distance = 0;
      for (size_t i = 0; i < n; ++i) {
        double sum = 0;
        int64_t inside = 0;
        for (int k = 0; k < k_points; ++k) {
          const double d = rs[i].distance[static_cast<size_t>(k)];
          sum += d;
          inside += d <= rs[i].tolerance;
          point_sum[static_cast<size_t>(k)] += d;
          point_max[static_cast<size_t>(k)] = std::max(point_max[static_cast<size_t>(k)], d);
          point_within[static_cast<size_t>(k)] += d <= rs[i].tolerance;
          max_distance = std::max(max_distance, d);
        }
        per_sample_distance[i] = sum / k_points;
        within[i] = static_cast<double>(inside) / k_points;
      }
      res.metrics.push_back(compared("mean_distance", "units", mean_of(per_sample_distance), false, true));
      res.metrics.push_back(compared("within_tolerance", "fraction", mean_of(within), true, true));
      res.metrics.push_back(compared("max_distance", "units", max_distance, false, false));
      const auto boot = bootstrap(static_cast<int64_t>(n), scoring_, 2, [&](auto counts, auto out) {
        out[0] = weighted_mean(counts, per_sample_distance);
        out[1] = weighted_mean(counts, within);
      });
      const size_t k = res.metrics.size();
      set_intervals({&res.metrics[k - 3], &res.metrics[k - 2]}, boot, scoring_.classes.confidence);
      if (scoring_.details) {
        res.columns = {"mean_distance", "max_distance", "within_tolerance"};
        const double dn = n > 0 ? static_cast<double>(n) : 1.0;
        for (int p = 0; p < k_points; ++p)
          res.rows.push_back({fmt::format("point {}", p),
                              {point_sum[static_cast<size_t>(p)] / dn, point_max[static_cast<size_t>(p)],
                               point_within[static_cast<size_t>(p)] / dn}});
      }
    }

    if (spec_.has_targets && targeted > 0) {
      std::vector<double> af, aq, sf, sq, nt, df, dq;
      for (const RegressionRecord& r : rs) {
        if (!r.targeted) continue;
        af.push_back(r.abs_f);
        aq.push_back(r.abs_q);
        sf.push_back(r.sq_f);
        sq.push_back(r.sq_q);
        nt.push_back(r.n_target);
        df.push_back(r.target_dist_f);
        dq.push_back(r.target_dist_q);
      }
      const std::vector<uint32_t> ones(af.size(), 1);
      res.metrics.push_back(against_targets("mae", "units", weighted_ratio(ones, af, nt), weighted_ratio(ones, aq, nt),
                                            false, true));
      res.metrics.push_back(against_targets("rmse", "units", std::sqrt(weighted_ratio(ones, sf, nt)),
                                            std::sqrt(weighted_ratio(ones, sq, nt)), false, false));
      std::vector<OutputMetric*> with_interval;
      int k = 2;
      if (landmarks) {
        res.metrics.push_back(against_targets("target_distance", "units", mean_of(df), mean_of(dq), false, true));
        k = 3;
      }
      const size_t base = res.metrics.size() - static_cast<size_t>(k);
      for (int i = 0; i < k; ++i) with_interval.push_back(&res.metrics[base + static_cast<size_t>(i)]);
      const auto boot = bootstrap(static_cast<int64_t>(af.size()), scoring_, k, [&](auto counts, auto out) {
        out[0] = weighted_ratio(counts, aq, nt) - weighted_ratio(counts, af, nt);
        out[1] = std::sqrt(weighted_ratio(counts, sq, nt)) - std::sqrt(weighted_ratio(counts, sf, nt));
        if (out.size() > 2) out[2] = weighted_mean(counts, dq) - weighted_mean(counts, df);
      });
      set_intervals(with_interval, boot, scoring_.classes.confidence);
    }

    if (scoring_.details) {
      if (landmarks) {
        res.distribution = histogram("per-sample mean point distance (units)", per_sample_distance, kDistributionBins);
      } else {
        std::vector<double> sqnr(n);
        for (size_t i = 0; i < n; ++i) sqnr[i] = sqnr_db_of(f2[i], e2[i]);
        res.distribution = histogram("per-sample SQNR (dB)", sqnr, kDistributionBins);
      }
    }
    return res;
  }

  std::unique_ptr<OutputScorer> fresh() const override {
    return std::make_unique<RegressionScorer>(spec_, scoring_, raw_);
  }

 private:
  // The diagonal of the float points' bounding box over their coordinates.
  double extent(std::span<const float> f) const {
    const LandmarkLayout& lm = spec_.landmarks;
    double sum = 0;
    for (int d = 0; d < lm.dims; ++d) {
      double lo = kInf, hi = -kInf;
      for (int k = 0; k < lm.points; ++k) {
        const double v = f[static_cast<size_t>(k * lm.stride + d)];
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      if (lo <= hi) sum += (hi - lo) * (hi - lo);
    }
    return std::sqrt(sum);
  }

  bool raw_ = false;
};

}  // namespace

std::unique_ptr<OutputScorer> make_classes_scorer(const OutputSpec& spec, const OutputScoring& scoring) {
  return std::make_unique<ClassesScorer>(spec, scoring);
}
std::unique_ptr<OutputScorer> make_multilabel_scorer(const OutputSpec& spec, const OutputScoring& scoring) {
  return std::make_unique<MultilabelScorer>(spec, scoring);
}
std::unique_ptr<OutputScorer> make_regression_scorer(const OutputSpec& spec, const OutputScoring& scoring, bool raw) {
  return std::make_unique<RegressionScorer>(spec, scoring, raw);
}

}  // namespace qgate::metrics
