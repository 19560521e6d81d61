#include "harness/metrics/layer_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/metrics/statistics.h"

namespace qgate::metrics {

namespace {

// Element by element, in order: the slow path, used when a non-finite value is present.
void accumulate_checked(ErrorSums& s, std::span<const float> x_ref, std::span<const float> x_test) {
  for (size_t i = 0; i < x_ref.size(); ++i) {
    const double x = x_ref[i], xq = x_test[i];
    if (!std::isfinite(x) || !std::isfinite(xq)) {
      ++s.nonfinite;
      continue;
    }
    const double e = x - xq;
    if (s.n == 0) {
      s.min_x = s.max_x = x;
    } else {
      s.min_x = std::min(s.min_x, x);
      s.max_x = std::max(s.max_x, x);
    }
    ++s.n;
    s.sum_x2 += x * x;
    s.sum_e2 += e * e;
    s.sum_e += e;
    s.max_abs_e = std::max(s.max_abs_e, std::abs(e));
    s.sum_x_xq += x * xq;
    s.sum_xq2 += xq * xq;
    s.sum_abs_x += std::abs(x);
    s.max_abs_x = std::max(s.max_abs_x, std::abs(x));
  }
}

// Accumulates one tensor pair into `s`. Four independent lanes (element i goes to lane i % 4), combined in
// lane order at the end: a fixed order, so the bits depend only on the data, while the four add chains run in
// parallel (the serial chain was a quarter of eval's time). Non-finite input takes the checked path.
void accumulate(ErrorSums& s, std::span<const float> x_ref, std::span<const float> x_test) {
  const size_t n = x_ref.size();
  bool finite = true;
  for (size_t i = 0; i < n; ++i) finite &= std::isfinite(x_ref[i]) & std::isfinite(x_test[i]);
  if (!finite || n < 8) return accumulate_checked(s, x_ref, x_test);
  constexpr int L = 4;
  double sx2[L] = {}, se2[L] = {}, se[L] = {}, sxxq[L] = {}, sxq2[L] = {}, sax[L] = {};
  double mae[L] = {}, max_ax[L] = {};
  double lo[L], hi[L];
  for (int l = 0; l < L; ++l) lo[l] = hi[l] = x_ref[0];
  auto add = [&](int l, double x, double xq) {
    const double e = x - xq;
    sx2[l] += x * x;
    se2[l] += e * e;
    se[l] += e;
    sxxq[l] += x * xq;
    sxq2[l] += xq * xq;
    sax[l] += std::abs(x);
    mae[l] = std::max(mae[l], std::abs(e));
    max_ax[l] = std::max(max_ax[l], std::abs(x));
    lo[l] = std::min(lo[l], x);
    hi[l] = std::max(hi[l], x);
  };
  size_t i = 0;
  for (; i + L <= n; i += L)
    for (int l = 0; l < L; ++l) add(l, x_ref[i + l], x_test[i + l]);
  for (int l = 0; i < n; ++i, ++l) add(l, x_ref[i], x_test[i]);  // the tail continues the lanes
  ErrorSums t;
  t.n = static_cast<int64_t>(n);
  t.min_x = lo[0];
  t.max_x = hi[0];
  for (int l = 0; l < L; ++l) {
    t.sum_x2 += sx2[l];
    t.sum_e2 += se2[l];
    t.sum_e += se[l];
    t.sum_x_xq += sxxq[l];
    t.sum_xq2 += sxq2[l];
    t.sum_abs_x += sax[l];
    t.max_abs_e = std::max(t.max_abs_e, mae[l]);
    t.max_abs_x = std::max(t.max_abs_x, max_ax[l]);
    t.min_x = std::min(t.min_x, lo[l]);
    t.max_x = std::max(t.max_x, hi[l]);
  }
  s.merge(t);
}

void check_lengths(std::span<const float> x_ref, std::span<const float> x_test) {
  if (x_ref.size() != x_test.size())
    throw InputError(fmt::format("error metrics: reference tensor has {} elements, tested tensor {}", x_ref.size(),
                                 x_test.size()));
}

}  // namespace

void ErrorSums::merge(const ErrorSums& o) {
  if (o.n > 0) {
    min_x = n > 0 ? std::min(min_x, o.min_x) : o.min_x;
    max_x = n > 0 ? std::max(max_x, o.max_x) : o.max_x;
  }
  n += o.n;
  nonfinite += o.nonfinite;
  sum_x2 += o.sum_x2;
  sum_e2 += o.sum_e2;
  sum_e += o.sum_e;
  max_abs_e = std::max(max_abs_e, o.max_abs_e);
  sum_x_xq += o.sum_x_xq;
  sum_xq2 += o.sum_xq2;
  sum_abs_x += o.sum_abs_x;
  max_abs_x = std::max(max_abs_x, o.max_abs_x);
}

ErrorSums error_sums(std::span<const float> x_ref, std::span<const float> x_test) {
  check_lengths(x_ref, x_test);
  ErrorSums s;
  accumulate(s, x_ref, x_test);
  return s;
}

double asymmetric_step(const ErrorSums& s) {
  return (std::max(0.0, s.max_x) - std::min(0.0, s.min_x)) / 255.0;
}

double symmetric_step(const ErrorSums& s) { return s.max_abs_x / 127.0; }

ErrorStats error_stats(const ErrorSums& s, double scale) {
  ErrorStats r;
  r.n = s.n;
  r.nonfinite = s.nonfinite;
  r.max_abs_error = s.max_abs_e;
  r.max_abs_x = s.max_abs_x;
  if (s.n > 0) {
    const double n = static_cast<double>(s.n);
    r.mse = s.sum_e2 / n;
    r.rmse = std::sqrt(r.mse);
    r.mean_error = s.sum_e / n;
    r.rms_x = std::sqrt(s.sum_x2 / n);
    r.mean_abs_x = s.sum_abs_x / n;
  }
  if (s.sum_e2 == 0) {
    r.sqnr_db = kSqnrCapDb;
    r.nmse = 0;
  } else if (s.sum_x2 == 0) {
    r.sqnr_db = -kSqnrCapDb;
    r.nmse = std::numeric_limits<double>::infinity();
  } else {
    r.nmse = s.sum_e2 / s.sum_x2;
    r.sqnr_db = std::clamp(-10.0 * std::log10(r.nmse), -kSqnrCapDb, kSqnrCapDb);
  }
  if (s.sum_x2 == 0 && s.sum_xq2 == 0)
    r.cosine = 1;
  else if (s.sum_x2 == 0 || s.sum_xq2 == 0)
    r.cosine = 0;
  else
    r.cosine = std::clamp(s.sum_x_xq / std::sqrt(s.sum_x2 * s.sum_xq2), -1.0, 1.0);
  if (scale > 0) {
    r.scale = scale;
    r.rmse_over_scale = r.rmse / scale;
    r.flagged = r.rmse_over_scale > kRmseOverScaleFlag;
  }
  return r;
}

void TensorErrorAccumulator::add(std::span<const float> x_ref, std::span<const float> x_test) {
  sums_.merge(error_sums(x_ref, x_test));
}

void SeriesErrorAccumulator::add_step(int64_t t, std::span<const float> x_ref, std::span<const float> x_test) {
  if (t < 0) throw InputError(fmt::format("error metrics: time step {} must be >= 0", t));
  ErrorSums partial = error_sums(x_ref, x_test);
  if (static_cast<size_t>(t) >= steps_.size()) steps_.resize(static_cast<size_t>(t) + 1);
  steps_[static_cast<size_t>(t)].merge(partial);
}

void SeriesErrorAccumulator::add_sequence(std::span<const float> x_ref, std::span<const float> x_test,
                                          int64_t time_steps, int64_t batch, int64_t units, bool time_major) {
  check_lengths(x_ref, x_test);
  if (time_steps < 0 || batch < 0 || units < 0 ||
      static_cast<int64_t>(x_ref.size()) != time_steps * batch * units)
    throw InputError(fmt::format("error metrics: sequence of {} elements is not {} steps x {} batch x {} units",
                                 x_ref.size(), time_steps, batch, units));
  if (static_cast<size_t>(time_steps) > steps_.size()) steps_.resize(static_cast<size_t>(time_steps));
  const auto u = static_cast<size_t>(units);
  for (int64_t t = 0; t < time_steps; ++t) {
    ErrorSums partial;  // this sample's step t: batch rows in order
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t row = time_major ? t * batch + b : b * time_steps + t;
      const size_t at = static_cast<size_t>(row) * u;
      accumulate(partial, x_ref.subspan(at, u), x_test.subspan(at, u));
    }
    steps_[static_cast<size_t>(t)].merge(partial);
  }
}

void SeriesErrorAccumulator::merge(const SeriesErrorAccumulator& other) {
  if (other.steps_.size() > steps_.size()) steps_.resize(other.steps_.size());
  for (size_t t = 0; t < other.steps_.size(); ++t) steps_[t].merge(other.steps_[t]);
}

SeriesErrorStats SeriesErrorAccumulator::finalize(double scale) const {
  SeriesErrorStats r;
  ErrorSums total;
  std::vector<double> ts, sqnr;
  for (size_t t = 0; t < steps_.size(); ++t) {
    r.steps.push_back(error_stats(steps_[t], scale));
    total.merge(steps_[t]);
    if (steps_[t].n > 0) {
      ts.push_back(static_cast<double>(t));
      sqnr.push_back(r.steps.back().sqnr_db);
    }
  }
  r.total = error_stats(total, scale);
  r.sqnr_slope_db_per_step = least_squares_slope(ts, sqnr);
  return r;
}

}  // namespace qgate::metrics
