#include "harness/selective.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
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

// Gates over the model metrics and the outputs; layer gates (layers.*) need layer metrics, which the caller then
// turns on.
std::vector<metrics::GateResult> check(const std::vector<metrics::Gate>& gates, const EvalResult& e) {
  std::map<std::string, double> values;
  if (e.model_scored) values = metrics::gate_values(e.model);
  metrics::add_output_gate_values(e.outputs, values);
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
  const SearchGuide& guide = options.guide;
  r.guide = sens.guide;
  r.guide_path = sens.guide_path;
  // How far a value lies on the failing side of the float model's own value (larger: worse), and whether a is
  // better than b, both in the followed gate's direction; NaN counts as the worst.
  const double reference = sens.guide_float;
  auto damage = [&](double v) {
    if (std::isnan(v)) return std::numeric_limits<double>::infinity();
    const double d = guide.higher_is_better ? reference - v : v - reference;
    return std::isnan(d) ? 0.0 : d;
  };
  auto better = [&](double a, double b) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return guide.higher_is_better ? a > b : a < b;
  };
  // The error a layer adds alone in the main evaluation, as an error-to-signal power ratio (layers.* guide).
  std::map<int, double> isolated_noise;
  if (options.layers)
    for (const LayerResult& l : *options.layers) {
      const double db = l.isolated ? l.isolated->sqnr_db : l.accumulated.sqnr_db;
      isolated_noise[l.node] = std::pow(10.0, -db / 10.0);
    }
  auto layer_noise = [&](int node) {
    const auto it = isolated_noise.find(node);
    return it == isolated_noise.end() ? 0.0 : it->second;
  };
  std::stable_sort(order.begin(), order.end(), [&](const LayerSensitivity* a, const LayerSensitivity* b) {
    switch (guide.by) {
      case SearchGuide::By::output_metric:
        if (damage(a->only_quantized.guide) != damage(b->only_quantized.guide))
          return damage(a->only_quantized.guide) > damage(b->only_quantized.guide);
        return better(a->only_float.guide, b->only_float.guide);
      case SearchGuide::By::layer_error: return layer_noise(a->node) > layer_noise(b->node);
      case SearchGuide::By::classes_kl: break;
    }
    if (a->only_quantized.kl_mean != b->only_quantized.kl_mean)
      return a->only_quantized.kl_mean > b->only_quantized.kl_mean;
    return a->only_float.top1_delta > b->only_float.top1_delta;
  });
  for (const auto* l : order) r.order.push_back(l->node);

  // How many layers carry the error: the fewest whose damage alone (KL when only that layer is quantized, or the
  // followed metric's distance from the float model's value, or the isolated error power) sums to 80% of the total
  // single-layer damage.
  {
    std::vector<double> harm;
    for (const auto& l : sens.layers) {
      double h = l.only_quantized.kl_mean;
      if (guide.by == SearchGuide::By::output_metric) h = damage(l.only_quantized.guide);
      if (guide.by == SearchGuide::By::layer_error) h = layer_noise(l.node);
      harm.push_back(std::isfinite(h) ? std::max(0.0, h) : 0.0);
    }
    std::sort(harm.rbegin(), harm.rend());
    const double sum = std::accumulate(harm.begin(), harm.end(), 0.0);
    double acc = 0;
    for (double v : harm) {
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
    bool helps = l->only_quantized.kl_mean > 0 || l->only_quantized.top1_delta < 0 ||
                 l->only_float.top1_delta > all.top1_delta || l->only_float.kl_mean < all.kl_mean;
    if (guide.by == SearchGuide::By::output_metric)
      helps = damage(l->only_quantized.guide) > 0 || better(l->only_float.guide, all.guide);
    if (guide.by == SearchGuide::By::layer_error) helps = layer_noise(l->node) > 0;
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
    step.samples = e.samples;
    step.gates = check(gates, e);
    step.passed = std::all_of(step.gates.begin(), step.gates.end(), [](const auto& g) { return g.passed; });
    if (guide.by != SearchGuide::By::classes_kl) step.guide = gate_value_of(e, guide.gate.path);
    step.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.steps.push_back(std::move(step));
    const int i = static_cast<int>(r.steps.size()) - 1;
    const bool best = r.best_step < 0 ||
                      (guide.by == SearchGuide::By::classes_kl
                           ? ci_low(r.steps[i].model) > ci_low(r.steps[r.best_step].model)
                           : better(r.steps[i].guide, r.steps[r.best_step].guide));
    if (best) r.best_step = i;
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
    if (guide.by != SearchGuide::By::classes_kl)
      r.reasons.push_back(fmt::format("then {} = {:.4g} (gate {}) on {} samples; every gate holds", guide.gate.path,
                                      s.guide, guide.gate.text, s.samples));
    else if (t)
      r.reasons.push_back(fmt::format("then top-1 {:.2f}% -> {:.2f}% ({:+.2f} points, 95% interval [{:+.2f}, {:+.2f}]) "
                                      "on {} samples; every gate holds",
                                      t->float_pct, t->quant_pct, t->delta_pct, t->delta_ci_low_pct,
                                      t->delta_ci_high_pct, s.model.samples));
  } else {
    const int n = static_cast<int>(sens.layers.size());
    const std::string harm_name = guide.by == SearchGuide::By::output_metric ? "change in " + guide.gate.path
                                  : guide.by == SearchGuide::By::layer_error ? std::string("isolated error")
                                                                             : std::string("KL");
    if (r.error_carriers > 1)
      r.reasons.push_back(fmt::format("error spread over {} of {} quantizable layers (they carry 80% of the "
                                      "single-layer {})", r.error_carriers, n, harm_name));
    else if (r.error_carriers == 1)
      r.reasons.push_back(fmt::format("error concentrated in 1 of {} quantizable layers", n));
    if (r.best_step >= 0 && guide.by != SearchGuide::By::classes_kl) {
      const SelectiveStep& s = r.steps[r.best_step];
      r.reasons.push_back(fmt::format(
          "best {}-layer fallback within the budget ({}; {:.1f}% of weight bytes, budget {:.0f}%) still gives {} = "
          "{:.4g} (gate {})",
          s.keep_float.size(), join_names(float_graph, s.keep_float), pct_bytes(s.float_bytes), pct_budget,
          guide.gate.path, s.guide, guide.gate.text));
    } else if (r.best_step >= 0) {
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
