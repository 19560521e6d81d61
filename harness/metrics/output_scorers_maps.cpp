// The scorers of outputs read through an argmax or a neighbourhood: segmentation (per-pixel class maps), embedding
// (cosine and nearest neighbours) and sequence (per-step argmax, CTC greedy decoding). Formulas:
// docs/metrics.md#output-kinds.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/errors.h"
#include "harness/metrics/output_scorers.h"

namespace qgate::metrics {

namespace {

constexpr int32_t kIgnoreLabel = 255;  // mask pixels with this value are not scored (the usual "void" label)

// ---- segmentation ----------------------------------------------------------------------------------------------------

struct SegmentationRecord {
  int64_t index = 0;
  int64_t equal = 0;  // pixels where both class maps are equal (and defined)
  std::vector<int32_t> inter_fq, union_fq, float_pixels;  // per class: quantized map vs float map; float map's pixels
  bool targeted = false;
  int64_t labeled = 0, correct_f = 0, correct_q = 0;  // pixels with a label (not kIgnoreLabel), right in each map
  std::vector<int32_t> inter_f, union_f, inter_q, union_q;  // per class, each map vs the mask
};

class SegmentationScorer final : public RecordScorer<SegmentationRecord> {
 public:
  SegmentationScorer(OutputSpec spec, OutputScoring scoring) : RecordScorer(std::move(spec), std::move(scoring)) {
    classes_ = spec_.segmentation_classes();
    channels_ = spec_.segmentation_channels();
    pixels_ = spec_.segmentation_pixels();
  }

  void add(int64_t sample, std::span<const float> f, std::span<const float> q, const Target* target,
           int64_t) override {
    check_sizes(spec_, sample, f, q);
    class_map(f, fmap_);
    class_map(q, qmap_);
    const size_t c = static_cast<size_t>(classes_);
    SegmentationRecord r;
    r.index = sample;
    r.inter_fq.assign(c, 0);
    r.union_fq.assign(c, 0);
    r.float_pixels.assign(c, 0);
    for (int64_t p = 0; p < pixels_; ++p) {
      const int32_t a = fmap_[static_cast<size_t>(p)], b = qmap_[static_cast<size_t>(p)];
      r.equal += a >= 0 && a == b;
      if (a >= 0) ++r.float_pixels[static_cast<size_t>(a)];
      if (a >= 0 && a == b) ++r.inter_fq[static_cast<size_t>(a)];
      if (a >= 0) ++r.union_fq[static_cast<size_t>(a)];
      if (b >= 0 && b != a) ++r.union_fq[static_cast<size_t>(b)];
    }
    if (target) {
      const std::vector<int32_t>& mask = target->ids;
      if (static_cast<int64_t>(mask.size()) != pixels_)
        throw InputError(fmt::format("sample {}: output '{}' has {} pixels, its mask {}", sample, spec_.name, pixels_,
                                     mask.size()));
      r.targeted = true;
      for (auto* v : {&r.inter_f, &r.union_f, &r.inter_q, &r.union_q}) v->assign(c, 0);
      for (int64_t p = 0; p < pixels_; ++p) {
        const int32_t y = mask[static_cast<size_t>(p)];
        if (y == kIgnoreLabel) continue;
        if (y < 0 || y >= classes_)
          throw InputError(fmt::format("sample {}: mask of output '{}' holds class {} at pixel {}; the output has {} "
                                       "classes (0..{}, and {} for pixels not scored)",
                                       sample, spec_.name, y, p, classes_, classes_ - 1, kIgnoreLabel));
        ++r.labeled;
        score_pixel(fmap_[static_cast<size_t>(p)], y, r.correct_f, r.inter_f, r.union_f);
        score_pixel(qmap_[static_cast<size_t>(p)], y, r.correct_q, r.inter_q, r.union_q);
      }
    }
    records_.push_back(std::move(r));
  }

  OutputResult finalize() const override {
    const std::vector<SegmentationRecord> rs = sorted("segmentation");
    const size_t n = rs.size(), c = static_cast<size_t>(classes_);
    std::vector<double> agreement(n);
    std::vector<const SegmentationRecord*> targeted;
    for (size_t i = 0; i < n; ++i) {
      agreement[i] = pixels_ > 0 ? static_cast<double>(rs[i].equal) / static_cast<double>(pixels_) : 1.0;
      if (rs[i].targeted) targeted.push_back(&rs[i]);
    }
    const std::vector<uint32_t> ones(n, 1);
    OutputResult res = result_of(spec_, static_cast<int64_t>(n), static_cast<int64_t>(targeted.size()));
    res.metrics.push_back(compared("pixel_agreement", "fraction", mean_of(agreement), true, true));
    res.metrics.push_back(
        compared("miou_vs_float", "fraction", mean_iou(rs, ones, &SegmentationRecord::inter_fq,
                                                       &SegmentationRecord::union_fq), true, false));
    {
      const auto boot = bootstrap(static_cast<int64_t>(n), scoring_, 2, [&](auto counts, auto out) {
        out[0] = weighted_mean(counts, agreement);
        out[1] = mean_iou(rs, counts, &SegmentationRecord::inter_fq, &SegmentationRecord::union_fq);
      });
      set_intervals({&res.metrics[0], &res.metrics[1]}, boot, scoring_.classes.confidence);
    }
    std::vector<SegmentationRecord> with_mask;
    for (const auto* r : targeted) with_mask.push_back(*r);
    if (spec_.has_targets && !with_mask.empty()) {
      const std::vector<uint32_t> ones_t(with_mask.size(), 1);
      auto accuracy = [&](std::span<const uint32_t> counts, int64_t SegmentationRecord::*correct) {
        double right = 0, all = 0;
        for (size_t i = 0; i < with_mask.size(); ++i) {
          right += counts[i] * static_cast<double>(with_mask[i].*correct);
          all += counts[i] * static_cast<double>(with_mask[i].labeled);
        }
        return all > 0 ? 100.0 * right / all : 0.0;
      };
      res.metrics.push_back(against_targets(
          "miou", "points", 100 * mean_iou(with_mask, ones_t, &SegmentationRecord::inter_f, &SegmentationRecord::union_f),
          100 * mean_iou(with_mask, ones_t, &SegmentationRecord::inter_q, &SegmentationRecord::union_q), true, true));
      res.metrics.push_back(against_targets("pixel_accuracy", "points",
                                            accuracy(ones_t, &SegmentationRecord::correct_f),
                                            accuracy(ones_t, &SegmentationRecord::correct_q), true, false));
      const auto boot = bootstrap(static_cast<int64_t>(with_mask.size()), scoring_, 2, [&](auto counts, auto out) {
        out[0] = 100 * (mean_iou(with_mask, counts, &SegmentationRecord::inter_q, &SegmentationRecord::union_q) -
                        mean_iou(with_mask, counts, &SegmentationRecord::inter_f, &SegmentationRecord::union_f));
        out[1] = accuracy(counts, &SegmentationRecord::correct_q) - accuracy(counts, &SegmentationRecord::correct_f);
      });
      const size_t k = res.metrics.size();
      set_intervals({&res.metrics[k - 2], &res.metrics[k - 1]}, boot, scoring_.classes.confidence);
    }
    if (scoring_.details) {
      res.columns = {"iou_vs_float", "float_share"};
      if (!with_mask.empty()) res.columns.insert(res.columns.end(), {"float_iou", "quantized_iou"});
      double all_pixels = 0;
      std::vector<double> share(c);
      for (const auto& r : rs)
        for (size_t k = 0; k < c; ++k) {
          share[k] += r.float_pixels[k];
          all_pixels += r.float_pixels[k];
        }
      for (size_t k = 0; k < c && k < 256; ++k) {
        OutputRow row{fmt::format("class {}", k),
                      {class_iou(rs, k, &SegmentationRecord::inter_fq, &SegmentationRecord::union_fq),
                       all_pixels > 0 ? share[k] / all_pixels : 0.0}};
        if (!with_mask.empty())
          row.values.insert(row.values.end(),
                            {100 * class_iou(with_mask, k, &SegmentationRecord::inter_f, &SegmentationRecord::union_f),
                             100 * class_iou(with_mask, k, &SegmentationRecord::inter_q, &SegmentationRecord::union_q)});
        res.rows.push_back(std::move(row));
      }
      res.distribution = histogram("per-sample pixel agreement", agreement, kDistributionBins);
    }
    return res;
  }

  std::unique_ptr<OutputScorer> fresh() const override {
    return std::make_unique<SegmentationScorer>(spec_, scoring_);
  }

 private:
  using Counts = std::vector<int32_t> SegmentationRecord::*;

  // Per pixel the class of the first largest finite score (one channel: 1 when score > threshold); -1 when every
  // score of the pixel is non-finite.
  void class_map(std::span<const float> s, std::vector<int32_t>& out) const {
    out.assign(static_cast<size_t>(pixels_), -1);
    for (int64_t p = 0; p < pixels_; ++p) {
      if (channels_ == 1) {
        const float v = s[static_cast<size_t>(p)];
        if (std::isfinite(v)) out[static_cast<size_t>(p)] = v > spec_.threshold ? 1 : 0;
        continue;
      }
      int32_t best = -1;
      float best_v = 0;
      for (int64_t k = 0; k < channels_; ++k) {
        const float v = s[static_cast<size_t>(spec_.channels_first ? k * pixels_ + p : p * channels_ + k)];
        if (std::isfinite(v) && (best < 0 || v > best_v)) {
          best = static_cast<int32_t>(k);
          best_v = v;
        }
      }
      out[static_cast<size_t>(p)] = best;
    }
  }

  static void score_pixel(int32_t predicted, int32_t label, int64_t& correct, std::vector<int32_t>& inter,
                          std::vector<int32_t>& uni) {
    correct += predicted == label;
    ++uni[static_cast<size_t>(label)];
    if (predicted == label) ++inter[static_cast<size_t>(label)];
    else if (predicted >= 0) ++uni[static_cast<size_t>(predicted)];
  }

  // IoU of class k over all records (NaN when its union is empty).
  static double class_iou(const std::vector<SegmentationRecord>& rs, size_t k, Counts inter, Counts uni) {
    double a = 0, b = 0;
    for (const auto& r : rs) {
      a += (r.*inter)[k];
      b += (r.*uni)[k];
    }
    return b > 0 ? a / b : std::numeric_limits<double>::quiet_NaN();
  }

  // Mean over the classes with a non-empty (weighted) union of weighted intersection over weighted union.
  double mean_iou(const std::vector<SegmentationRecord>& rs, std::span<const uint32_t> counts, Counts inter,
                  Counts uni) const {
    const size_t c = static_cast<size_t>(classes_);
    std::vector<double> a(c), b(c);
    for (size_t i = 0; i < rs.size(); ++i) {
      if (counts[i] == 0) continue;
      for (size_t k = 0; k < c; ++k) {
        a[k] += counts[i] * static_cast<double>((rs[i].*inter)[k]);
        b[k] += counts[i] * static_cast<double>((rs[i].*uni)[k]);
      }
    }
    double sum = 0;
    int present = 0;
    for (size_t k = 0; k < c; ++k)
      if (b[k] > 0) {
        sum += a[k] / b[k];
        ++present;
      }
    return present > 0 ? sum / present : 1.0;
  }

  int64_t classes_ = 0, channels_ = 0, pixels_ = 0;
  std::vector<int32_t> fmap_, qmap_;  // scratch of add()
};

// ---- embedding -------------------------------------------------------------------------------------------------------

struct EmbeddingRecord {
  int64_t index = 0;
  double cosine = 0;
  int64_t group = -1;          // the sample's group (class label or NPY target), -1 without
  std::vector<float> f, q;     // the vectors scaled to unit length (all zero when not finite or zero)
};

// Cosine of two vectors in double: 1 when both are zero, 0 when one is, 0 when either holds a non-finite value.
double cosine_of(std::span<const float> a, std::span<const float> b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = a[i], y = b[i];
    if (!std::isfinite(x) || !std::isfinite(y)) return 0.0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa == 0 && bb == 0) return 1.0;
  if (aa == 0 || bb == 0) return 0.0;
  return std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0);
}

std::vector<float> unit(std::span<const float> v) {
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  std::vector<float> out(v.size(), 0.0f);
  if (!(norm > 0) || !std::isfinite(norm)) return out;
  const double s = 1.0 / std::sqrt(norm);
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i] * s);
  return out;
}

// For each sample the other sample of largest cosine (dot of unit vectors, in double; ties to the lower index).
std::vector<int64_t> nearest_neighbours(const std::vector<EmbeddingRecord>& rs, bool quant) {
  const size_t n = rs.size();
  std::vector<int64_t> out(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const std::vector<float>& a = quant ? rs[i].q : rs[i].f;
    double best = -std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const std::vector<float>& b = quant ? rs[j].q : rs[j].f;
      double dot = 0;
      for (size_t d = 0; d < a.size(); ++d) dot += static_cast<double>(a[d]) * b[d];
      if (dot > best) {
        best = dot;
        out[i] = static_cast<int64_t>(j);
      }
    }
  }
  return out;
}

class EmbeddingScorer final : public RecordScorer<EmbeddingRecord> {
 public:
  using RecordScorer::RecordScorer;

  void add(int64_t sample, std::span<const float> f, std::span<const float> q, const Target* target,
           int64_t label) override {
    check_sizes(spec_, sample, f, q);
    EmbeddingRecord r;
    r.index = sample;
    r.cosine = cosine_of(f, q);
    if (target) {
      if (target->ids.size() != 1)
        throw InputError(fmt::format("sample {}: the target of embedding output '{}' must be one integer group id, "
                                     "got {} integer values",
                                     sample, spec_.name, target->ids.size()));
      r.group = target->ids[0];
    } else if (spec_.takes_labels) {
      r.group = label;
    }
    if (scoring_.neighbours) {
      r.f = unit(f);
      r.q = unit(q);
    }
    records_.push_back(std::move(r));
  }

  OutputResult finalize() const override {
    const std::vector<EmbeddingRecord> rs = sorted("embedding");
    const size_t n = rs.size();
    std::vector<double> cosine(n);
    double cosine_min = n > 0 ? 1.0 : 0.0;
    int64_t grouped = 0;
    for (size_t i = 0; i < n; ++i) {
      cosine[i] = rs[i].cosine;
      cosine_min = std::min(cosine_min, cosine[i]);
      grouped += rs[i].group >= 0;
    }
    OutputResult res = result_of(spec_, static_cast<int64_t>(n), grouped);
    res.metrics.push_back(compared("cosine", "cosine", mean_of(cosine), true, true));
    const bool neighbours = scoring_.neighbours && n >= 2;
    std::vector<double> same(n), hit_f, hit_q;
    if (neighbours) {
      const std::vector<int64_t> nn_f = nearest_neighbours(rs, false), nn_q = nearest_neighbours(rs, true);
      for (size_t i = 0; i < n; ++i) {
        same[i] = nn_f[i] == nn_q[i] ? 1.0 : 0.0;
        if (rs[i].group < 0) continue;
        hit_f.push_back(rs[static_cast<size_t>(nn_f[i])].group == rs[i].group ? 100.0 : 0.0);
        hit_q.push_back(rs[static_cast<size_t>(nn_q[i])].group == rs[i].group ? 100.0 : 0.0);
      }
    }
    res.metrics.push_back(compared("nn_agreement", "fraction",
                                   neighbours ? mean_of(same) : std::numeric_limits<double>::quiet_NaN(), true, false));
    res.metrics.push_back(compared("cosine_min", "cosine", cosine_min, true, false));
    {
      const auto boot = bootstrap(static_cast<int64_t>(n), scoring_, 2, [&](auto counts, auto out) {
        out[0] = weighted_mean(counts, cosine);
        out[1] = weighted_mean(counts, same);
      });
      set_intervals({&res.metrics[0], &res.metrics[1]}, boot, scoring_.classes.confidence);
      if (!neighbours) res.metrics[1].ci_low = res.metrics[1].ci_high = res.metrics[1].value;
    }
    if ((spec_.has_targets || spec_.takes_labels) && !hit_f.empty()) {
      res.metrics.push_back(against_targets("retrieval_top1", "points", mean_of(hit_f), mean_of(hit_q), true, true));
      std::vector<double> diff(hit_f.size());
      for (size_t i = 0; i < diff.size(); ++i) diff[i] = hit_q[i] - hit_f[i];
      const auto boot = bootstrap(static_cast<int64_t>(diff.size()), scoring_, 1,
                                  [&](auto counts, auto out) { out[0] = weighted_mean(counts, diff); });
      set_intervals({&res.metrics.back()}, boot, scoring_.classes.confidence);
    }
    if (scoring_.details) res.distribution = histogram("per-sample cosine", cosine, kDistributionBins);
    return res;
  }

  std::unique_ptr<OutputScorer> fresh() const override { return std::make_unique<EmbeddingScorer>(spec_, scoring_); }
};

// ---- sequence --------------------------------------------------------------------------------------------------------

struct SequenceRecord {
  int64_t index = 0;
  std::vector<int32_t> f, q;  // decoded symbols of each variant
  int64_t equal_steps = 0;    // steps with the same argmax
  int64_t edits = 0;          // edit distance between the decoded sequences
  bool targeted = false;
  int64_t target_length = 0, edits_f = 0, edits_q = 0;  // against the transcript
};

int32_t step_argmax(const float* s, int64_t symbols) {
  int32_t best = -1;
  for (int64_t c = 0; c < symbols; ++c)
    if (std::isfinite(s[c]) && (best < 0 || s[c] > s[best])) best = static_cast<int32_t>(c);
  return best;
}

class SequenceScorer final : public RecordScorer<SequenceRecord> {
 public:
  using RecordScorer::RecordScorer;

  void add(int64_t sample, std::span<const float> f, std::span<const float> q, const Target* target,
           int64_t) override {
    check_sizes(spec_, sample, f, q);
    const int64_t steps = spec_.sequence_steps(), symbols = spec_.sequence_symbols();
    SequenceRecord r;
    r.index = sample;
    for (int64_t t = 0; t < steps; ++t) {
      const int32_t a = step_argmax(&f[static_cast<size_t>(t * symbols)], symbols);
      r.equal_steps += a >= 0 && a == step_argmax(&q[static_cast<size_t>(t * symbols)], symbols);
    }
    r.f = ctc_greedy_decode(f, steps, symbols, spec_.blank);
    r.q = ctc_greedy_decode(q, steps, symbols, spec_.blank);
    r.edits = edit_distance(r.f, r.q);
    if (target) {
      std::vector<int32_t> truth;
      for (int32_t id : target->ids)
        if (id >= 0) truth.push_back(id);  // negative ids pad NPY targets
      r.targeted = true;
      r.target_length = static_cast<int64_t>(truth.size());
      r.edits_f = edit_distance(r.f, truth);
      r.edits_q = edit_distance(r.q, truth);
    }
    records_.push_back(std::move(r));
  }

  OutputResult finalize() const override {
    const std::vector<SequenceRecord> rs = sorted("sequence");
    const size_t n = rs.size();
    std::vector<double> same(n), edits(n);
    double equal_steps = 0;
    std::vector<double> ef, eq, len, exact_f, exact_q;
    for (size_t i = 0; i < n; ++i) {
      same[i] = rs[i].f == rs[i].q ? 1.0 : 0.0;
      edits[i] = static_cast<double>(rs[i].edits);
      equal_steps += static_cast<double>(rs[i].equal_steps);
      if (!rs[i].targeted) continue;
      ef.push_back(static_cast<double>(rs[i].edits_f));
      eq.push_back(static_cast<double>(rs[i].edits_q));
      len.push_back(static_cast<double>(rs[i].target_length));
      exact_f.push_back(rs[i].edits_f == 0 ? 100.0 : 0.0);
      exact_q.push_back(rs[i].edits_q == 0 ? 100.0 : 0.0);
    }
    OutputResult res = result_of(spec_, static_cast<int64_t>(n), static_cast<int64_t>(ef.size()));
    res.metrics.push_back(compared("sequence_agreement", "fraction", mean_of(same), true, true));
    res.metrics.push_back(compared("edit_distance", "edits", mean_of(edits), false, false));
    const double all_steps = static_cast<double>(n) * static_cast<double>(spec_.sequence_steps());
    res.metrics.push_back(compared("step_agreement", "fraction", all_steps > 0 ? equal_steps / all_steps : 1.0, true,
                                   false));
    {
      const auto boot = bootstrap(static_cast<int64_t>(n), scoring_, 2, [&](auto counts, auto out) {
        out[0] = weighted_mean(counts, same);
        out[1] = weighted_mean(counts, edits);
      });
      set_intervals({&res.metrics[0], &res.metrics[1]}, boot, scoring_.classes.confidence);
    }
    if (spec_.has_targets && !ef.empty()) {
      const std::vector<uint32_t> ones(ef.size(), 1);
      res.metrics.push_back(against_targets("cer", "points", 100 * weighted_ratio(ones, ef, len),
                                            100 * weighted_ratio(ones, eq, len), false, true));
      res.metrics.push_back(against_targets("exact_match", "points", mean_of(exact_f), mean_of(exact_q), true, false));
      const auto boot = bootstrap(static_cast<int64_t>(ef.size()), scoring_, 2, [&](auto counts, auto out) {
        out[0] = 100 * (weighted_ratio(counts, eq, len) - weighted_ratio(counts, ef, len));
        out[1] = weighted_mean(counts, exact_q) - weighted_mean(counts, exact_f);
      });
      const size_t k = res.metrics.size();
      set_intervals({&res.metrics[k - 2], &res.metrics[k - 1]}, boot, scoring_.classes.confidence);
    }
    if (scoring_.details) res.distribution = histogram("per-sample edit distance (float vs quantized)", edits, kDistributionBins);
    return res;
  }

  std::unique_ptr<OutputScorer> fresh() const override { return std::make_unique<SequenceScorer>(spec_, scoring_); }
};

}  // namespace

std::unique_ptr<OutputScorer> make_segmentation_scorer(const OutputSpec& spec, const OutputScoring& scoring) {
  return std::make_unique<SegmentationScorer>(spec, scoring);
}
std::unique_ptr<OutputScorer> make_embedding_scorer(const OutputSpec& spec, const OutputScoring& scoring) {
  return std::make_unique<EmbeddingScorer>(spec, scoring);
}
std::unique_ptr<OutputScorer> make_sequence_scorer(const OutputSpec& spec, const OutputScoring& scoring) {
  return std::make_unique<SequenceScorer>(spec, scoring);
}

}  // namespace qgate::metrics
