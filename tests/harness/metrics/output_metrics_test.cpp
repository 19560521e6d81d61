// The per-output scorers on hand-worked cases: every expected value below is computed by hand in the comments, never
// read from the scorers' own code.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/metrics/gates.h"
#include "harness/metrics/output_metrics.h"
#include "harness/outputs.h"

using namespace qgate::metrics;
using qgate::reports::OutputKind;

namespace {

using Values = std::vector<float>;

OutputSpec spec_of(OutputKind kind, qgate::Shape shape, const std::string& name) {
  OutputSpec s;
  s.kind = kind;
  s.shape = std::move(shape);
  s.name = name;
  s.tensor = name;
  return s;
}

OutputScoring small_bootstrap() {
  OutputScoring s;
  s.classes.bootstrap_resamples = 200;
  return s;
}

const OutputMetric& metric(const OutputResult& r, const char* name) {
  const OutputMetric* m = r.find(name);
  REQUIRE_MESSAGE(m != nullptr, name);
  return *m;
}

qgate::Target values_target(Values v) {
  qgate::Target t;
  t.values = std::move(v);
  return t;
}

qgate::Target ids_target(std::vector<int32_t> ids) {
  qgate::Target t;
  t.ids = std::move(ids);
  return t;
}

}  // namespace

TEST_SUITE("harness.output_metrics") {
  TEST_CASE("edit distance and greedy CTC decoding") {
    const std::vector<int32_t> kitten = {1, 2, 3, 3, 4, 5}, sitting = {6, 2, 3, 3, 2, 5, 7};
    CHECK(edit_distance(kitten, sitting) == 3);  // substitute 1->6, 4->2, insert 7
    CHECK(edit_distance({}, sitting) == 7);
    CHECK(edit_distance(kitten, kitten) == 0);
    // 5 steps x 3 symbols: argmax 1, 1, 0, 1, 2 -> "1 1 2" after collapsing repeats and dropping blank 0.
    const Values scores = {0, 1, 0, 0, 2, 1, 3, 0, 0, 0, 5, 1, 0, 0, 9};
    CHECK(ctc_greedy_decode(scores, 5, 3, 0) == std::vector<int32_t>{1, 1, 2});
    // blank < 0: the per-step argmax as is.
    CHECK(ctc_greedy_decode(scores, 5, 3, -1) == std::vector<int32_t>{1, 1, 0, 1, 2});
    // A step of non-finite scores decodes to nothing and ends a run of repeats.
    const Values gap = {0, 1, 0, NAN, NAN, NAN, 0, 1, 0};
    CHECK(ctc_greedy_decode(gap, 3, 3, 0) == std::vector<int32_t>{1, 1});
  }

  TEST_CASE("regression with landmarks: every metric, hand-worked") {
    // Two points of two coordinates, tolerance 0.5 units.
    //   s0: f (0,0 | 3,4)  q (0,0 | 3,4.25)  t = f      distances 0, 0.25    sum f^2 25, sum e^2 0.0625
    //   s1: f (1,1 | 2,2)  q (1,2 | 2,2)     t = f      distances 1, 0       sum f^2 10, sum e^2 1
    OutputSpec s = spec_of(OutputKind::regression, {1, 4}, "points");
    s.landmarks = {2, 2, 2, 0.5};
    s.has_targets = true;
    auto scorer = make_output_scorer(s, small_bootstrap());
    const qgate::Target t0 = values_target({0, 0, 3, 4}), t1 = values_target({1, 1, 2, 2});
    scorer->add(0, Values{0, 0, 3, 4}, Values{0, 0, 3, 4.25f}, &t0, -1);
    scorer->add(1, Values{1, 1, 2, 2}, Values{1, 2, 2, 2}, &t1, -1);
    const OutputResult r = scorer->finalize();
    CHECK(r.samples == 2);
    CHECK(r.targeted == 2);
    CHECK(metric(r, "sqnr_db").value == doctest::Approx(10 * std::log10(35 / 1.0625)));
    CHECK(metric(r, "nmse").value == doctest::Approx(1.0625 / 35));
    CHECK(metric(r, "max_abs_error").value == 1.0);
    CHECK(metric(r, "mean_abs_error").value == doctest::Approx(1.25 / 8));
    // Per sample mean distance 0.125 and 0.5; points within 0.5: 2 of 2 and 1 of 2.
    CHECK(metric(r, "mean_distance").value == doctest::Approx(0.3125));
    CHECK(metric(r, "within_tolerance").value == doctest::Approx(0.75));
    CHECK(metric(r, "max_distance").value == 1.0);
    CHECK(metric(r, "mean_distance").headline);
    CHECK(metric(r, "mean_distance").ci_low <= 0.3125);
    CHECK(metric(r, "mean_distance").ci_high >= 0.3125);
    // Against the targets (= the float outputs): float errs 0, quantized |e| sums 0.25 and 1 over 8 values.
    const OutputMetric& mae = metric(r, "mae");
    CHECK(mae.vs_targets);
    CHECK(mae.float_value == 0.0);
    CHECK(mae.quant_value == doctest::Approx(1.25 / 8));
    CHECK(mae.delta == doctest::Approx(1.25 / 8));
    CHECK(metric(r, "rmse").quant_value == doctest::Approx(std::sqrt(1.0625 / 8)));
    CHECK(metric(r, "target_distance").quant_value == doctest::Approx(0.3125));
    // Rows per point: point 0 distances (0, 1), point 1 (0.25, 0).
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].values == std::vector<double>{0.5, 1.0, 0.5});
    CHECK(r.rows[1].values == std::vector<double>{0.125, 0.25, 1.0});

    SUBCASE("gate values: the quantized value, float, quant, delta and the delta's interval") {
      std::map<std::string, double> v;
      add_output_gate_values(std::span<const OutputResult>(&r, 1), v);
      CHECK(v.at("outputs.points.mae") == doctest::Approx(1.25 / 8));
      CHECK(v.at("outputs.points.mae.float") == 0.0);
      CHECK(v.at("outputs.points.mae.delta") == doctest::Approx(1.25 / 8));
      CHECK(v.count("outputs.points.mae.delta.ci_low") == 1);
      CHECK(v.at("outputs.points.mean_distance") == doctest::Approx(0.3125));
      CHECK(v.count("outputs.points.mean_distance.ci_high") == 1);
      // Every key filled is one output_gate_value_names() announces before the run.
      const std::vector<OutputSpec> specs = {s};
      const std::vector<std::string> names = output_gate_value_names(specs, {1, 5});
      for (const auto& [key, value] : v)
        CHECK_MESSAGE(std::find(names.begin(), names.end(), key) != names.end(), key);
    }
  }

  TEST_CASE("raw: output error only, no intervals") {
    // f (3, 4), q (3, 5): sum f^2 25, sum e^2 1, cosine (9 + 20) / (5 sqrt 34).
    auto scorer = make_output_scorer(spec_of(OutputKind::raw, {2}, "raw"), small_bootstrap());
    scorer->add(0, Values{3, 4}, Values{3, 5}, nullptr, -1);
    const OutputResult r = scorer->finalize();
    CHECK(metric(r, "sqnr_db").value == doctest::Approx(10 * std::log10(25.0)));
    CHECK(metric(r, "cosine").value == doctest::Approx(29 / (5 * std::sqrt(34.0))));
    for (const OutputMetric& m : r.metrics) CHECK_FALSE(m.has_interval);
  }

  TEST_CASE("segmentation: pixel agreement, mIoU vs float and vs a mask") {
    // [1,2,2,3] scores; argmax maps float (0,1,2,2), quantized (0,1,1,2); mask (0,1,2,1).
    //   vs float: agreement 3/4; IoU class 0 1/1, class 1 1/2, class 2 1/2 -> mIoU 2/3.
    //   vs mask: float right on pixels 0,1,2 (75 points), IoU 1, 1/2, 1/2 -> 66.67 points;
    //            quantized right on 0,1 (50 points), IoU 1, 1/3, 0/2 -> 44.44 points.
    OutputSpec s = spec_of(OutputKind::segmentation, {1, 2, 2, 3}, "mask");
    s.has_targets = true;
    auto scorer = make_output_scorer(s, small_bootstrap());
    const Values f = {5, 0, 0, 0, 5, 0, 0, 0, 5, 0, 1, 2};
    const Values q = {5, 0, 0, 0, 5, 0, 0, 5, 0, 0, 1, 2};
    const qgate::Target mask = ids_target({0, 1, 2, 1});
    scorer->add(0, f, q, &mask, -1);
    const OutputResult r = scorer->finalize();
    CHECK(metric(r, "pixel_agreement").value == doctest::Approx(0.75));
    CHECK(metric(r, "miou_vs_float").value == doctest::Approx(2.0 / 3));
    CHECK(metric(r, "miou").float_value == doctest::Approx(200.0 / 3));
    CHECK(metric(r, "miou").quant_value == doctest::Approx(400.0 / 9));
    CHECK(metric(r, "pixel_accuracy").float_value == doctest::Approx(75.0));
    CHECK(metric(r, "pixel_accuracy").quant_value == doctest::Approx(50.0));

    SUBCASE("a mask class the output does not have: InputError naming the sample and the pixel") {
      auto s2 = make_output_scorer(s, small_bootstrap());
      const qgate::Target bad = ids_target({0, 1, 7, 1});
      CHECK_THROWS_WITH_AS(s2->add(3, f, q, &bad, -1), doctest::Contains("sample 3: mask of output 'mask' holds class 7"),
                           qgate::InputError);
    }
  }

  TEST_CASE("sequence: CTC decoding, agreement, edit distance and CER against transcripts") {
    // [1,4,3], blank 0.
    //   s0: float steps 1,1,0,2 -> "1 2"; quantized 1,0,1,2 -> "1 1 2"; edits 1; transcript "1 2".
    //   s1: float = quantized, steps 2,0,0,0 -> "2"; transcript "2".
    // sequence agreement 1/2, edit distance mean 1/2, step agreement (2 + 4) / 8, CER float 0/3, quantized 1/3.
    OutputSpec s = spec_of(OutputKind::sequence, {1, 4, 3}, "text");
    s.has_targets = true;
    auto scorer = make_output_scorer(s, small_bootstrap());
    const qgate::Target t0 = ids_target({1, 2}), t1 = ids_target({2, -1});  // -1 pads
    scorer->add(0, Values{0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1}, Values{0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, &t0, -1);
    scorer->add(1, Values{0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0}, Values{0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0}, &t1, -1);
    const OutputResult r = scorer->finalize();
    CHECK(metric(r, "sequence_agreement").value == doctest::Approx(0.5));
    CHECK(metric(r, "edit_distance").value == doctest::Approx(0.5));
    CHECK(metric(r, "step_agreement").value == doctest::Approx(0.75));
    CHECK(metric(r, "cer").float_value == 0.0);
    CHECK(metric(r, "cer").quant_value == doctest::Approx(100.0 / 3));
    CHECK(metric(r, "exact_match").float_value == doctest::Approx(100.0));
    CHECK(metric(r, "exact_match").quant_value == doctest::Approx(50.0));
  }

  TEST_CASE("embedding: cosine, nearest neighbours and retrieval by the class labels") {
    // f0 (1,0) q0 (1,0); f1 (0,1) q1 (1,1); f2 (1,0.1) q2 (1,0.1); labels 0, 1, 0.
    // cosines 1, 1/sqrt 2, 1. Neighbours (largest cosine): float 0->2, 1->2, 2->0; quantized 0->2, 1->2 (0.774 >
    // 0.707), 2->0: all agree. Retrieval: 0->2 same label, 1->2 not, 2->0 same: 66.67 points in both.
    OutputSpec s = spec_of(OutputKind::embedding, {1, 2}, "vec");
    s.takes_labels = true;
    auto scorer = make_output_scorer(s, small_bootstrap());
    scorer->add(0, Values{1, 0}, Values{1, 0}, nullptr, 0);
    scorer->add(1, Values{0, 1}, Values{1, 1}, nullptr, 1);
    scorer->add(2, Values{1, 0.1f}, Values{1, 0.1f}, nullptr, 0);
    const OutputResult r = scorer->finalize();
    CHECK(metric(r, "cosine").value == doctest::Approx((2 + 1 / std::sqrt(2.0)) / 3));
    CHECK(metric(r, "cosine_min").value == doctest::Approx(1 / std::sqrt(2.0)));
    CHECK(metric(r, "nn_agreement").value == 1.0);
    CHECK(metric(r, "retrieval_top1").float_value == doctest::Approx(200.0 / 3));
    CHECK(metric(r, "retrieval_top1").delta == 0.0);
  }

  TEST_CASE("multilabel: decision agreement, label accuracy and mAP against 0/1 targets") {
    // threshold 0.5.
    //   s0: f (.9,.2,.6) -> 1,0,1; q (.8,.6,.2) -> 1,1,0; target 1,0,1: agreement 1/3, f right 3/3, q right 1/3.
    //   s1: f (.1,.7,.3) -> 0,1,0; q (.2,.8,.3) -> 0,1,0; target 0,1,0: agreement 1, both right 3/3.
    // AP per label (positives ranked by score): float 1, 1, 1; quantized 1, 1, and label 2's positive s0 (.2) ranks
    // below s1 (.3): 1/2 -> mAP 100 and 83.33 points.
    OutputSpec s = spec_of(OutputKind::multilabel, {1, 3}, "tags");
    s.has_targets = true;
    auto scorer = make_output_scorer(s, small_bootstrap());
    const qgate::Target t0 = values_target({1, 0, 1}), t1 = values_target({0, 1, 0});
    scorer->add(0, Values{.9f, .2f, .6f}, Values{.8f, .6f, .2f}, &t0, -1);
    scorer->add(1, Values{.1f, .7f, .3f}, Values{.2f, .8f, .3f}, &t1, -1);
    const OutputResult r = scorer->finalize();
    CHECK(metric(r, "agreement").value == doctest::Approx(2.0 / 3));
    CHECK(metric(r, "exact_agreement").value == doctest::Approx(0.5));
    CHECK(metric(r, "flips").value == 2.0);
    CHECK(metric(r, "label_accuracy").float_value == doctest::Approx(100.0));
    CHECK(metric(r, "label_accuracy").quant_value == doctest::Approx(200.0 / 3));
    CHECK(metric(r, "map").float_value == doctest::Approx(100.0));
    CHECK(metric(r, "map").quant_value == doctest::Approx(250.0 / 3));
  }

  TEST_CASE("deterministic: any split over scorers and any merge order gives the same result") {
    OutputSpec s = spec_of(OutputKind::regression, {1, 4}, "points");
    s.landmarks = {2, 2, 2, 0};
    auto sample = [](int i, bool quant) {
      const float x = static_cast<float>(i);
      return Values{x, 2 * x, x + 1, quant ? 3.0f + 0.01f * static_cast<float>(i % 7) : 3.0f};
    };
    auto one = make_output_scorer(s, small_bootstrap());
    for (int i = 0; i < 40; ++i) one->add(i, sample(i, false), sample(i, true), nullptr, -1);
    auto a = make_output_scorer(s, small_bootstrap()), b = a->fresh(), merged = a->fresh();
    for (int i = 39; i >= 0; --i) (i % 3 ? a : b)->add(i, sample(i, false), sample(i, true), nullptr, -1);
    merged->merge(*b);
    merged->merge(*a);
    const OutputResult x = one->finalize(), y = merged->finalize();
    REQUIRE(x.metrics.size() == y.metrics.size());
    // Bit for bit; NaN (no interval) equals NaN.
    auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
    for (size_t m = 0; m < x.metrics.size(); ++m) {
      CAPTURE(x.metrics[m].name);
      CHECK(same(x.metrics[m].value, y.metrics[m].value));
      CHECK(same(x.metrics[m].ci_low, y.metrics[m].ci_low));
      CHECK(same(x.metrics[m].ci_high, y.metrics[m].ci_high));
    }
    SUBCASE("a sample fed twice is a logic error") {
      merged->merge(*b);
      CHECK_THROWS_AS((void)merged->finalize(), std::logic_error);
    }
  }

  TEST_CASE("--output, --landmarks and --targets requests: syntax and errors name the option") {
    const qgate::OutputRequest r = qgate::parse_output_request("1=landmarks:regression,landmarks=21x3,tolerance=0.5");
    CHECK(r.selector == "1");
    CHECK(r.name == "landmarks");
    CHECK(r.kind == OutputKind::regression);
    CHECK(r.landmark_points == 21);
    CHECK(r.landmark_dims == 3);
    CHECK(*r.tolerance == 0.5);
    CHECK(qgate::parse_output_request("Identity").kind == std::nullopt);
    CHECK_THROWS_WITH_AS(qgate::parse_output_request("0:boxes"), doctest::Contains("--output 0:boxes: 'boxes' is not a kind"),
                         qgate::InputError);
    CHECK_THROWS_WITH_AS(qgate::parse_output_request("0:sequence,beam=4"),
                         doctest::Contains("unknown option 'beam=4'"), qgate::InputError);
    const qgate::LandmarksRequest l = qgate::parse_landmarks_request("Identity=21,3,2.5");
    CHECK(l.selector == "Identity");
    CHECK(l.points == 21);
    CHECK(l.dims == 3);
    CHECK(l.tolerance == 2.5);
    CHECK_THROWS_WITH_AS(qgate::parse_landmarks_request("21"), doctest::Contains("expected [OUTPUT=]K,D[,TOL]"),
                         qgate::InputError);
    CHECK_THROWS_WITH_AS(qgate::parse_targets_request("npy:x.npy"), doctest::Contains("expected OUTPUT=npy:FILE.npy"),
                         qgate::InputError);
  }
}
