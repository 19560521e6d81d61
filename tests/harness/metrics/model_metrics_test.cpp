#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/metrics/gates.h"
#include "harness/metrics/model_metrics.h"
#include "harness/metrics/statistics.h"

using namespace qgate::metrics;

namespace {

using Scores = std::vector<float>;

ModelMetricsOptions top1_top2() {
  ModelMetricsOptions o;
  o.top_k = {2, 1};  // given unsorted: stored as {1, 2}
  return o;
}

// The hand-worked case: 3 classes, outputs already probabilities (all exact in binary).
//   s0: pF (.5, .25, .25)  pQ (.5, .25, .25)    y 0   F top1 0 right, Q top1 0 right
//   s1: pF (.5, .25, .25)  pQ (.25, .5, .25)    y 0   F 0 right,      Q 1 wrong  -> a "b" flip
//   s2: pF (.25, .25, .5)  pQ (.125, .625, .25) y 1   F 2 wrong,      Q 1 right  -> a "c" flip
//   s3: pF (1, 0, 0)       pQ (.5, .5, 0)       none  F 0,  Q 0 (tie 0/1 goes to the lower index)
void feed_hand_case(ModelMetricsAccumulator& acc, const std::vector<int>& which = {0, 1, 2, 3}) {
  const std::vector<Scores> pf = {{.5f, .25f, .25f}, {.5f, .25f, .25f}, {.25f, .25f, .5f}, {1, 0, 0}};
  const std::vector<Scores> pq = {{.5f, .25f, .25f}, {.25f, .5f, .25f}, {.125f, .625f, .25f}, {.5f, .5f, 0}};
  const std::vector<int64_t> labels = {0, 0, 1, -1};
  for (int i : which) acc.add(i, pf[i], pq[i], labels[i]);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every number of two results, compared bit for bit.
void check_identical(const ModelMetrics& a, const ModelMetrics& b) {
  const auto va = gate_values(a), vb = gate_values(b);
  REQUIRE(va.size() == vb.size());
  for (const auto& [k, v] : va) {
    CAPTURE(k);
    CHECK(same_bits(v, vb.at(k)));
  }
  REQUIRE(a.classes.size() == b.classes.size());
  for (size_t i = 0; i < a.classes.size(); ++i) {
    CHECK(a.classes[i].label == b.classes[i].label);
    CHECK(a.classes[i].samples == b.classes[i].samples);
    CHECK(same_bits(a.classes[i].delta_pct, b.classes[i].delta_pct));
  }
  REQUIRE(a.flips.size() == b.flips.size());
  for (size_t i = 0; i < a.flips.size(); ++i) CHECK(a.flips[i].sample_index == b.flips[i].sample_index);
  CHECK(a.flip_count == b.flip_count);
  CHECK(a.float_kind == b.float_kind);
  CHECK(a.quant_kind == b.quant_kind);
}

}  // namespace

TEST_SUITE("harness.metrics") {
  TEST_CASE("hand-worked 4-sample case: every metric") {
    ModelMetricsAccumulator acc(top1_top2());
    feed_hand_case(acc);
    const ModelMetrics m = acc.finalize();
    const double ln2 = std::log(2.0);

    CHECK(m.samples == 4);
    CHECK(m.labeled == 3);  // s3 has no label
    CHECK(m.num_classes == 3);
    CHECK(m.float_kind == ScoreKind::probabilities);
    CHECK(m.quant_kind == ScoreKind::probabilities);
    CHECK(m.float_nonfinite == 0);
    CHECK(m.quant_nonfinite == 0);

    // Top-1 over s0..s2: F right on s0, s1 (2/3); Q right on s0, s2 (2/3); delta 0.
    // b = 1 (s1), c = 1 (s2): exact p = min(1, 2 * P(X <= 1 | n = 2)) = min(1, 2 * 3/4) = 1.
    const TopKResult* t1 = m.find_k(1);
    REQUIRE(t1 != nullptr);
    CHECK(t1->float_correct == 2);
    CHECK(t1->quant_correct == 2);
    CHECK(t1->float_pct == doctest::Approx(200.0 / 3));
    CHECK(t1->quant_pct == doctest::Approx(200.0 / 3));
    CHECK(t1->delta_pct == 0);
    CHECK(t1->b == 1);
    CHECK(t1->c == 1);
    CHECK(t1->mcnemar_p == 1.0);
    // Paired diffs (0, -1, +1): a resample of three draws all on s1 (or all on s2) has probability 1/27 = 3.7%,
    // more than the 2.5% tail, so the nearest-rank interval reaches the extremes -100 and +100.
    CHECK(t1->delta_ci_low_pct == -100.0);
    CHECK(t1->delta_ci_high_pct == 100.0);

    // Top-2: F hits s0, s1 (rank 0) but not s2: label 1 (.25) has class 2 (.5) above it and class 0 (.25, a tie
    // with a lower index) ahead of it: rank 2. Q hits all three (s1: rank 1; s2: rank 0). b = 0, c = 1,
    // delta = +1/3 = 33.3 points, p = min(1, 2 * 1/2) = 1. Diffs (0, 0, +1): P(no +1 drawn) = 8/27 and
    // P(all three +1) = 1/27, both above 2.5%: interval [0, 100].
    const TopKResult* t2 = m.find_k(2);
    REQUIRE(t2 != nullptr);
    CHECK(t2->float_correct == 2);
    CHECK(t2->quant_correct == 3);
    CHECK(t2->delta_pct == doctest::Approx(100.0 / 3));
    CHECK(t2->b == 0);
    CHECK(t2->c == 1);
    CHECK(t2->mcnemar_p == 1.0);
    CHECK(t2->delta_ci_low_pct == 0.0);
    CHECK(t2->delta_ci_high_pct == 100.0);
    CHECK(m.find_k(5) == nullptr);

    // Agreement: s0 (0, 0) and s3 (0, 0) agree; s1 (0, 1) and s2 (2, 1) do not: 2/4 over all four samples.
    CHECK(m.agree == 2);
    CHECK(m.agreement == 0.5);

    // KL(pF || pQ) per sample, in nats:
    //   s0: 0
    //   s1: .5 ln(.5/.25) + .25 ln(.25/.5) + .25 ln 1 = .25 ln 2 = 0.1733
    //   s2: .25 ln(.25/.125) + .25 ln(.25/.625) + .5 ln(.5/.25) = .75 ln 2 + .25 ln .4 = 0.2908
    //   s3: 1 ln(1/.5) = ln 2 = 0.6931 (the zero terms of pF add nothing)
    // mean = (2 ln 2 + .25 ln .4) / 4; sorted (0, .1733, .2908, .6931): median = rank ceil(2) = 2 -> .25 ln 2;
    // p99 = rank ceil(3.96) = 4 -> ln 2; p99.9 and max -> ln 2.
    CHECK(m.kl.mean == doctest::Approx((2 * ln2 + 0.25 * std::log(0.4)) / 4).epsilon(1e-12));
    CHECK(m.kl.median == doctest::Approx(0.25 * ln2).epsilon(1e-12));
    CHECK(m.kl.p99 == doctest::Approx(ln2).epsilon(1e-12));
    CHECK(m.kl.p99_9 == doctest::Approx(ln2).epsilon(1e-12));
    CHECK(m.kl.max == doctest::Approx(ln2).epsilon(1e-12));

    // dp = pQ(y) - pF(y) over s0..s2: 0, .25 - .5 = -.25, .625 - .25 = .375.
    // mean = .125 / 3; RMS = sqrt((.0625 + .140625) / 3).
    CHECK(m.dp_mean == doctest::Approx(0.125 / 3).epsilon(1e-12));
    CHECK(m.dp_rms == doctest::Approx(std::sqrt(0.203125 / 3)).epsilon(1e-12));

    // Per class (top-1): class 0 = {s0, s1}: F 2/2, Q 1/2 -> delta -50; class 1 = {s2}: F 0/1, Q 1/1 -> +100;
    // class 2 has no labeled sample and is not listed.
    REQUIRE(m.classes.size() == 2);
    CHECK(m.classes[0].label == 0);
    CHECK(m.classes[0].samples == 2);
    CHECK(m.classes[0].float_pct == 100);
    CHECK(m.classes[0].quant_pct == 50);
    CHECK(m.classes[0].delta_pct == -50);
    CHECK(m.classes[1].label == 1);
    CHECK(m.classes[1].float_pct == 0);
    CHECK(m.classes[1].quant_pct == 100);
    CHECK(m.classes[1].delta_pct == 100);

    // Flips: s1 (right -> wrong) and s2 (wrong -> right), in sample order.
    CHECK(m.flip_count == 2);
    REQUIRE(m.flips.size() == 2);
    CHECK(m.flips[0].sample_index == 1);
    CHECK(m.flips[0].label == 0);
    CHECK(m.flips[0].float_top1 == 0);
    CHECK(m.flips[0].quant_top1 == 1);
    CHECK_FALSE(m.flips[0].quant_correct);
    CHECK(m.flips[1].sample_index == 2);
    CHECK(m.flips[1].float_top1 == 2);
    CHECK(m.flips[1].quant_top1 == 1);
    CHECK(m.flips[1].quant_correct);

    CHECK(m.bootstrap_resamples == 2000);
    CHECK(m.confidence == 0.95);
  }

  TEST_CASE("logits are detected and go through softmax; probabilities are renormalised") {
    ModelMetricsAccumulator acc;
    // Logits (0, ln 3) -> softmax (1/4, 3/4), the same distribution as the quantized probabilities.
    acc.add(0, Scores{0.f, static_cast<float>(std::log(3.0))}, Scores{.25f, .75f}, 1);
    // Non-negative but summing to 1.0005: still probabilities (within 1e-3), renormalised; negative: logits.
    acc.add(1, Scores{-1.f, 2.f}, Scores{.5f, .5005f}, 0);
    const ModelMetrics m = acc.finalize();
    CHECK(m.float_kind == ScoreKind::logits);
    CHECK(m.quant_kind == ScoreKind::probabilities);
    CHECK(std::string(score_kind_name(m.quant_kind)) == "probabilities");
    // s0: pF(1) = .75 (up to the float rounding of ln 3), pQ(1) = .75: dp ~ 0 and KL ~ 0.
    // s1: pF(0) = 1 / (1 + e^3), pQ(0) = .5 / 1.0005.
    const double pf0 = 1 / (1 + std::exp(3.0)), pq0 = 0.5 / 1.0005;
    CHECK(m.dp_mean == doctest::Approx((pq0 - pf0) / 2).epsilon(1e-6));
    CHECK(m.kl.median == doctest::Approx(0).epsilon(1e-6));
    // With k = 5 beyond the 2 classes every labeled sample is a top-5 hit.
    CHECK(m.find_k(5)->float_correct == 2);
    CHECK(m.find_k(5)->quant_correct == 2);

    ModelMetricsAccumulator mixed;
    mixed.add(0, Scores{0.f, 1.f}, Scores{0.f, 1.f}, 1);   // looks like probabilities
    mixed.add(1, Scores{0.f, 3.f}, Scores{0.f, 3.f}, 1);   // logits
    CHECK(mixed.finalize().float_kind == ScoreKind::mixed);
  }

  TEST_CASE("a non-finite output predicts nothing") {
    ModelMetricsAccumulator acc;
    const float nan = std::nanf("");
    acc.add(0, Scores{.5f, .5f}, Scores{nan, 1.f}, 0);
    const ModelMetrics m = acc.finalize();
    CHECK(m.quant_nonfinite == 1);
    CHECK(m.float_nonfinite == 0);
    CHECK(m.agree == 0);
    CHECK(m.find_k(1)->float_correct == 1);
    CHECK(m.find_k(1)->quant_correct == 0);
    // pQ = 0 everywhere, floored at 1e-12: KL = sum .5 ln(.5 / 1e-12) = ln(.5e12).
    CHECK(m.kl.max == doctest::Approx(std::log(0.5e12)).epsilon(1e-12));
    CHECK(m.dp_mean == -0.5);
  }

  TEST_CASE("bootstrap interval: contains the estimate, reproducible, independent of splitting and merge order") {
    // 300 samples, 10 classes, random logits; the quantized logits are the float ones plus noise, so some
    // top-1 and top-5 results flip both ways; every 7th sample has no label.
    const int n = 300, classes = 10;
    SplitMix64 rng(99);
    auto uniform = [&] { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; };
    std::vector<Scores> fl(n), qu(n);
    std::vector<int64_t> labels(n);
    for (int i = 0; i < n; ++i) {
      for (int c = 0; c < classes; ++c) {
        const float v = static_cast<float>(4 * uniform());
        fl[i].push_back(v);
        qu[i].push_back(v + static_cast<float>(uniform() - 0.5));
      }
      labels[i] = i % 7 == 3 ? -1 : static_cast<int64_t>(rng.below(classes));
      fl[i][static_cast<size_t>(std::max<int64_t>(labels[i], 0))] += 1.5f;  // ~65% top-1 accuracy
    }
    auto feed = [&](ModelMetricsAccumulator& a, int i) { a.add(i, fl[i], qu[i], labels[i]); };

    ModelMetricsAccumulator one;
    for (int i = 0; i < n; ++i) feed(one, i);
    const ModelMetrics m1 = one.finalize();
    for (const TopKResult& t : m1.top_k) {
      CAPTURE(t.k);
      CHECK(t.delta_ci_low_pct <= t.delta_pct);
      CHECK(t.delta_pct <= t.delta_ci_high_pct);
      CHECK(t.delta_ci_low_pct < t.delta_ci_high_pct);
    }
    CHECK(m1.find_k(1)->b + m1.find_k(1)->c > 0);
    check_identical(m1, one.finalize());  // same seed, same bits

    // Two accumulators (odd/even), the second merged into the first.
    ModelMetricsAccumulator even, odd;
    for (int i = 0; i < n; ++i) feed(i % 2 ? odd : even, i);
    even.merge(odd);
    check_identical(m1, even.finalize());

    // Three accumulators, fed in reverse order, merged in the order 2, 0, 1 into a fresh one.
    ModelMetricsAccumulator parts[3];
    for (int i = n - 1; i >= 0; --i) feed(parts[i % 3], i);
    ModelMetricsAccumulator all;
    for (int p : {2, 0, 1}) all.merge(parts[p]);
    check_identical(m1, all.finalize());

    // Another seed moves the interval but not the point estimate.
    ModelMetricsOptions other;
    other.bootstrap_seed = 1;
    ModelMetricsAccumulator reseeded(other);
    for (int i = 0; i < n; ++i) feed(reseeded, i);
    const ModelMetrics m2 = reseeded.finalize();
    CHECK(m2.find_k(1)->delta_pct == m1.find_k(1)->delta_pct);
    CHECK((m2.find_k(1)->delta_ci_low_pct != m1.find_k(1)->delta_ci_low_pct ||
           m2.find_k(1)->delta_ci_high_pct != m1.find_k(1)->delta_ci_high_pct));
  }

  TEST_CASE("flips: all counted, the first N listed in sample order") {
    ModelMetricsOptions o;
    o.max_listed_flips = 3;
    ModelMetricsAccumulator acc(o);
    for (int i = 9; i >= 0; --i) acc.add(i * 10, Scores{1, 0}, Scores{0, 1}, 0);  // every sample flips
    const ModelMetrics m = acc.finalize();
    CHECK(m.flip_count == 10);
    REQUIRE(m.flips.size() == 3);
    CHECK(m.flips[0].sample_index == 0);
    CHECK(m.flips[2].sample_index == 20);
    CHECK(m.find_k(1)->b == 10);
    CHECK(m.find_k(1)->mcnemar_p == 2.0 / 1024);
  }

  TEST_CASE("bad samples and options are rejected with the rule") {
    auto msg = [](auto&& f) {
      try {
        f();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    ModelMetricsAccumulator acc;
    acc.add(0, Scores{1, 2, 3}, Scores{1, 2, 3}, 2);
    CHECK(msg([&] { acc.add(1, Scores{1, 2, 3}, Scores{1, 2}, 0); }).find("float output has 3 scores, quantized "
                                                                            "output 2") != std::string::npos);
    CHECK(msg([&] { acc.add(1, Scores{1, 2}, Scores{1, 2}, 0); }).find("earlier samples had 3") != std::string::npos);
    CHECK(msg([&] { acc.add(1, Scores{1, 2, 3}, Scores{1, 2, 3}, 3); })
              .find("label 3 is outside the model's 3 classes") != std::string::npos);
    CHECK(msg([&] { acc.add(-1, Scores{1, 2, 3}, Scores{1, 2, 3}, 0); }).find("sample index -1") != std::string::npos);
    CHECK_THROWS_AS(acc.add(1, Scores{}, Scores{}, 0), qgate::InputError);

    acc.add(0, Scores{1, 2, 3}, Scores{1, 2, 3}, 2);  // the same index again
    CHECK_THROWS_AS(acc.finalize(), std::logic_error);

    ModelMetricsOptions bad;
    bad.top_k = {1, 0};
    CHECK(msg([&] { ModelMetricsAccumulator a(bad); }).find("top-k 0 must be >= 1") != std::string::npos);
    ModelMetricsOptions other;
    other.top_k = {1};
    ModelMetricsAccumulator a, b(other);
    CHECK_THROWS_AS(a.merge(b), std::invalid_argument);
  }

  TEST_CASE("no labels: agreement and KL only") {
    ModelMetricsAccumulator acc;
    acc.add(0, Scores{1, 0}, Scores{1, 0}, -1);
    const ModelMetrics m = acc.finalize();
    CHECK(m.labeled == 0);
    CHECK(m.agreement == 1);
    const auto v = gate_values(m);
    CHECK(v.count("agreement") == 1);
    CHECK(v.count("top1.delta") == 0);
  }
}
