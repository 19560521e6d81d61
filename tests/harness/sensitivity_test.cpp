// Sensitivity analysis and selective search on a two-layer model with a planted fragile layer, and the float
// output cache of the evaluation (the same metrics as running the float model).
#include <algorithm>
#include <cmath>
#include <random>

#include <doctest/doctest.h>

#include "datasets/dataset.h"
#include "harness/eval.h"
#include "harness/executor.h"
#include "harness/ptq.h"
#include "harness/selective.h"
#include "harness/sensitivity.h"
#include "tests/support/graph_builder.h"

namespace {

using qgate::Graph;
using qgate::Node;
using qgate::OpType;
using qgate::Tensor;

// x[1,8] -> fc1 [16,8] -> fc2 [4,16] -> y[1,4]. fc1's row 0 is zero, so h[0] is 0 for every input; fc2's column 0
// holds 1000: nothing in float, but fc2's per-tensor int8 scale becomes 1000/127 and every other fc2 weight
// (|w| < 1) rounds to 0. fc1 is harmless.
Graph fragile_graph() {
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 0.5f);
  std::vector<float> w1(16 * 8), w2(4 * 16);
  for (auto& v : w1) v = nd(rng);
  for (auto& v : w2) v = nd(rng);
  for (int i = 0; i < 8; ++i) w1[i] = 0.0f;
  for (int o = 0; o < 4; ++o) w2[o * 16] = 1000.0f;
  qgate::test::GraphBuilder b("test");
  const int x = b.input("x", {1, 8});
  const int h = b.node(OpType::fully_connected, "fc1", {x, b.constant("fc1_w", {16, 8}, w1), -1});
  return b.build({b.node(OpType::fully_connected, "fc2", {h, b.constant("fc2_w", {4, 16}, w2), -1})});
}

// Random inputs; labels are the float model's own top-1 (so the float model scores 100%).
class MemoryDataset : public qgate::Dataset {
 public:
  MemoryDataset(const Graph& g, int n) {
    std::mt19937 rng(11);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    qgate::Executor e(g);
    e.prepare();
    for (int i = 0; i < n; ++i) {
      std::vector<float> x(8);
      for (auto& v : x) v = nd(rng);
      std::copy(x.begin(), x.end(), e.input(0).as<float>());
      e.run();
      const float* y = e.output(0).as<float>();
      labels_.push_back(std::max_element(y, y + 4) - y);
      xs_.push_back(std::move(x));
    }
  }
  int64_t size() const override { return static_cast<int64_t>(xs_.size()); }
  void load(int64_t i, qgate::Sample& out) const override {
    Tensor& t = out.single_input(kInput);
    std::copy(xs_[i].begin(), xs_[i].end(), t.as<float>());
    out.label = labels_[i];
    out.id = std::to_string(i);
  }
  int64_t num_classes() const override { return 4; }
  std::string describe() const override { return "memory"; }
  std::string fingerprint() const override { return "memory"; }

 private:
  // The model's input x [1, 8].
  inline static const qgate::ModelInput kInput{"x", qgate::DType::f32, {1, 8}};
  std::vector<std::vector<float>> xs_;
  std::vector<int64_t> labels_;
};

}  // namespace

TEST_SUITE("harness.sensitivity") {
  const qgate::Scheme scheme = qgate::Scheme::parse("per-tensor,min-elements=0");

  TEST_CASE("cached float outputs give the same metrics as running the float model") {
    const Graph g = fragile_graph();
    const MemoryDataset data(g, 200);
    const auto q = qgate::quantize_graph(g, scheme);
    qgate::EvalOptions o;
    o.layer_metrics = false;
    std::vector<std::vector<float>> cache;
    o.record_float_outputs = &cache;
    const auto a = qgate::evaluate(g, q.graph, data, o);
    REQUIRE(cache.size() == 200);
    o.record_float_outputs = nullptr;
    o.float_outputs = &cache;
    const auto b = qgate::evaluate(g, q.graph, data, o);
    CHECK(a.model.top_k[0].quant_correct == b.model.top_k[0].quant_correct);
    CHECK(a.model.top_k[0].delta_ci_low_pct == b.model.top_k[0].delta_ci_low_pct);
    CHECK(a.model.kl.mean == b.model.kl.mean);
    o.layer_metrics = true;  // layer errors need float activations: refused
    CHECK_THROWS(qgate::evaluate(g, q.graph, data, o));
  }

  TEST_CASE("run_from on the float run's activations equals a full run of a graph quantized from that node on") {
    const Graph g = fragile_graph();
    const auto q = qgate::quantize_graph(g, scheme, {0});  // fc1 float, fc2 int8: equal to g before node 1
    qgate::Executor fl(g), full(q.graph), suffix(q.graph);
    fl.prepare();
    full.prepare();
    suffix.prepare();
    std::mt19937 rng(3);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (int trial = 0; trial < 5; ++trial) {
      for (int i = 0; i < 8; ++i) fl.input(0).as<float>()[i] = full.input(0).as<float>()[i] = nd(rng);
      std::fill_n(const_cast<float*>(suffix.output(0).as<float>()), 4, std::nanf(""));  // must be overwritten
      fl.run();
      full.run();
      suffix.run_from(1, fl);
      for (int k = 0; k < 4; ++k) CHECK(suffix.output(0).as<float>()[k] == full.output(0).as<float>()[k]);
    }
  }

  TEST_CASE("sensitivity blames fc2; the search keeps fc2 float and passes") {
    const Graph g = fragile_graph();
    const MemoryDataset data(g, 200);
    CHECK(qgate::quantizable_nodes(g, scheme) == std::vector<int>{0, 1});
    qgate::SensitivityOptions so;
    so.samples = 100;
    so.eval.layer_metrics = false;
    const auto s = qgate::analyze_sensitivity(g, scheme, data, so);
    CHECK(s.samples == 100);
    REQUIRE(s.layers.size() == 2);
    CHECK(s.all_quantized.top1_delta < -20.0);
    CHECK(s.layers[1].only_quantized.top1_delta < -20.0);  // fc2 alone breaks it
    CHECK(s.layers[1].only_float.top1_delta > -10.0);      // keeping fc2 float repairs it
    CHECK(s.layers[0].only_quantized.kl_mean < s.layers[1].only_quantized.kl_mean);
    CHECK(s.layers[1].float_bytes == 4 * 16 * 4);

    qgate::SelectiveOptions sel;
    sel.float_budget = 0.5;  // fc2 is 256 of 768 weight bytes
    sel.eval.layer_metrics = false;
    const auto r = qgate::search_selective(g, scheme, data, s, sel);
    CHECK(r.total_weight_bytes == 768);
    REQUIRE(r.found);
    CHECK(r.keep_float == std::vector<int>{1});
    CHECK(r.keep_float_names == std::vector<std::string>{"fc2"});

    sel.float_budget = 0.2;  // 153 bytes: fc2 does not fit
    const auto n = qgate::search_selective(g, scheme, data, s, sel);
    CHECK_FALSE(n.found);
    CHECK(n.keep_float.empty());
    REQUIRE_FALSE(n.reasons.empty());
  }
}
