#include "harness/selective.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "datasets/dataset.h"
#include "harness/ptq.h"

namespace qgate {

namespace {

using Clock = std::chrono::steady_clock;

double ci_low(const metrics::ModelMetrics& m) {
  const metrics::TopKResult* t = m.find_k(1);
  return t ? t->delta_ci_low_pct : 0.0;
}

// Gates over the model metrics; layer gates (layers.*) need layer metrics, which the caller then turns on.
std::vector<metrics::GateResult> check(const std::vector<metrics::Gate>& gates, const EvalResult& e) {
  auto values = metrics::gate_values(e.model);
  std::vector<metrics::ErrorStats> layers;
  for (const LayerResult& l : e.layers) layers.push_back(l.accumulated);
  if (!layers.empty()) metrics::add_layer_gate_values(layers, values);
  std::vector<metrics::GateResult> out;
  for (const metrics::Gate& g : gates) out.push_back(metrics::evaluate(g, values));
  return out;
}

std::string join_names(const Graph& g, const std::vector<int>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i)
    s += fmt::format("{}{} '{}'", i ? ", " : "", ids[i], g.nodes[ids[i]].name);
  return s;
}

}  // namespace

SelectiveResult search_selective(const Graph& float_graph, const Scheme& scheme, const Dataset& data,
                                 const SensitivityResult& sens, const SelectiveOptions& options) {
  const auto start = Clock::now();
  SelectiveResult r;
  r.float_budget = options.float_budget;
  const std::vector<metrics::Gate> gates =
      options.gates.empty() ? std::vector<metrics::Gate>{metrics::default_gate(data.num_classes() > 0)}
                            : options.gates;
  const bool layer_gates = std::any_of(gates.begin(), gates.end(),
                                       [](const metrics::Gate& g) { return g.path.rfind("layers.", 0) == 0; });

  const QuantizedGraph full = quantize_graph(float_graph, scheme);
  for (const WeightQuantization& w : full.weights) r.total_weight_bytes += w.float_bytes;
  r.budget_bytes = static_cast<int64_t>(options.float_budget * static_cast<double>(r.total_weight_bytes));

  // Greedy order: the damage each layer does when it alone is quantized (KL of only_quantized) first: it adds up
  // across layers and is not masked by the others' error, unlike what keeping one layer float recovers from the
  // fully quantized model (only_float), which breaks ties.
  std::vector<const LayerSensitivity*> order;
  for (const auto& l : sens.layers) order.push_back(&l);
  const VariantMeasure& all = sens.all_quantized;
  std::stable_sort(order.begin(), order.end(), [&](const LayerSensitivity* a, const LayerSensitivity* b) {
    if (a->only_quantized.kl_mean != b->only_quantized.kl_mean)
      return a->only_quantized.kl_mean > b->only_quantized.kl_mean;
    return a->only_float.top1_delta > b->only_float.top1_delta;
  });
  for (const auto* l : order) r.order.push_back(l->node);

  // How many layers carry the error: the fewest whose damage alone (KL when only that layer is quantized) sums to
  // 80% of the total single-layer damage.
  {
    std::vector<double> kl;
    for (const auto& l : sens.layers) kl.push_back(std::max(0.0, l.only_quantized.kl_mean));
    std::sort(kl.rbegin(), kl.rend());
    const double sum = std::accumulate(kl.begin(), kl.end(), 0.0);
    double acc = 0;
    for (double v : kl) {
      if (sum <= 0 || acc >= 0.8 * sum) break;
      acc += v;
      ++r.error_carriers;
    }
  }

  EvalOptions eo = options.eval;
  eo.layer_metrics = layer_gates;
  eo.isolated = false;
  eo.weight_only = nullptr;
  eo.progress = nullptr;
  eo.record_float_outputs = nullptr;
  eo.float_outputs = layer_gates ? nullptr : options.float_outputs;

  std::vector<int> keep;
  int64_t bytes = 0;
  int skipped_for_budget = 0;
  for (const LayerSensitivity* l : order) {
    if (static_cast<int>(r.steps.size()) >= options.max_steps) break;
    // Layers that neither do damage alone nor recover anything when kept float are not worth their bytes.
    const bool helps = l->only_quantized.kl_mean > 0 || l->only_quantized.top1_delta < 0 ||
                       l->only_float.top1_delta > all.top1_delta || l->only_float.kl_mean < all.kl_mean;
    if (!helps) continue;
    if (bytes + l->float_bytes > r.budget_bytes) {
      ++skipped_for_budget;
      continue;
    }
    keep.push_back(l->node);
    bytes += l->float_bytes;
    const auto t0 = Clock::now();
    const QuantizedGraph q = quantize_graph(float_graph, scheme, std::set<int>(keep.begin(), keep.end()));
    const EvalResult e = evaluate(float_graph, q.graph, data, eo);
    SelectiveStep step;
    step.keep_float = keep;
    step.float_bytes = bytes;
    step.model = e.model;
    step.gates = check(gates, e);
    step.passed = std::all_of(step.gates.begin(), step.gates.end(), [](const auto& g) { return g.passed; });
    step.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.steps.push_back(std::move(step));
    const int i = static_cast<int>(r.steps.size()) - 1;
    if (r.best_step < 0 || ci_low(r.steps[i].model) > ci_low(r.steps[r.best_step].model)) r.best_step = i;
    if (r.steps[i].passed) {
      r.best_step = i;
      r.found = true;
      break;
    }
  }

  const double pct_budget = 100.0 * options.float_budget;
  auto pct_bytes = [&](int64_t b) { return r.total_weight_bytes ? 100.0 * b / r.total_weight_bytes : 0.0; };
  if (r.found) {
    const SelectiveStep& s = r.steps[r.best_step];
    r.keep_float = s.keep_float;
    for (int id : r.keep_float) r.keep_float_names.push_back(float_graph.nodes[id].name);
    r.float_bytes = s.float_bytes;
    const metrics::TopKResult* t = s.model.find_k(1);
    r.reasons.push_back(fmt::format(
        "keep {} layer{} float ({}): {} bytes = {:.1f}% of weight bytes (budget {:.0f}%)", r.keep_float.size(),
        r.keep_float.size() == 1 ? "" : "s", join_names(float_graph, r.keep_float), s.float_bytes,
        pct_bytes(s.float_bytes), pct_budget));
    if (t)
      r.reasons.push_back(fmt::format("then top-1 {:.2f}% -> {:.2f}% ({:+.2f} points, 95% interval [{:+.2f}, {:+.2f}]) "
                                      "on {} samples; every gate holds",
                                      t->float_pct, t->quant_pct, t->delta_pct, t->delta_ci_low_pct,
                                      t->delta_ci_high_pct, s.model.samples));
  } else {
    const int n = static_cast<int>(sens.layers.size());
    if (r.error_carriers > 1)
      r.reasons.push_back(fmt::format("error spread over {} of {} quantizable layers (they carry 80% of the "
                                      "single-layer KL)", r.error_carriers, n));
    else if (r.error_carriers == 1)
      r.reasons.push_back(fmt::format("error concentrated in 1 of {} quantizable layers", n));
    if (r.best_step >= 0) {
      const SelectiveStep& s = r.steps[r.best_step];
      const metrics::TopKResult* t = s.model.find_k(1);
      r.reasons.push_back(fmt::format(
          "best {}-layer fallback within the budget ({}; {:.1f}% of weight bytes, budget {:.0f}%) still loses "
          "{:.2f} points (95% interval [{:+.2f}, {:+.2f}])",
          s.keep_float.size(), join_names(float_graph, s.keep_float), pct_bytes(s.float_bytes), pct_budget,
          t ? -t->delta_pct : 0.0, t ? t->delta_ci_low_pct : 0.0, t ? t->delta_ci_high_pct : 0.0));
    } else {
      int64_t smallest = 0;
      for (const auto& l : sens.layers)
        if (smallest == 0 || l.float_bytes < smallest) smallest = l.float_bytes;
      r.reasons.push_back(fmt::format("no helpful layer fits the float budget of {} bytes ({:.0f}% of {} weight "
                                      "bytes; smallest quantizable layer {} bytes)",
                                      r.budget_bytes, pct_budget, r.total_weight_bytes, smallest));
    }
    if (skipped_for_budget > 0)
      r.reasons.push_back(fmt::format("{} helpful layer{} did not fit the budget", skipped_for_budget,
                                      skipped_for_budget == 1 ? "" : "s"));
    r.reasons.push_back("quantization-aware training (or a finer scheme) is needed");
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace qgate
