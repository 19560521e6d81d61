#include "harness/verdict.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace qgate {

namespace {

// "outputs.landmarks mean_distance 0.412 [0.386, 0.441] units": an output's first headline metric in words.
std::string headline_text(const reports::OutputResult& o) {
  for (const reports::OutputMetric& m : o.metrics) {
    if (!m.headline) continue;
    const std::string unit = m.unit == "fraction" || m.unit == "cosine" ? "" : " " + m.unit;
    if (m.vs_targets)
      return fmt::format("outputs.{} {} {:.4g} -> {:.4g}{} (delta {:+.4g}, 95% interval [{:+.4g}, {:+.4g}])", o.name,
                         m.name, m.float_value, m.quant_value, unit, m.delta, m.ci_low, m.ci_high);
    return fmt::format("outputs.{} {} {:.4g}{} (95% interval [{:.4g}, {:.4g}])", o.name, m.name, m.value, unit,
                       m.ci_low, m.ci_high);
  }
  return "";
}

}  // namespace

std::map<std::string, double> gate_value_map(const reports::Report& report) {
  std::map<std::string, double> values;
  if (report.result.model_scored) values = metrics::gate_values(report.result.model);
  metrics::add_output_gate_values(report.result.outputs, values);
  std::vector<metrics::ErrorStats> layers;
  for (const reports::LayerResult& l : report.result.layers) layers.push_back(l.accumulated);
  if (!layers.empty()) metrics::add_layer_gate_values(layers, values);
  return values;
}

void apply_gates(reports::Report& report, const std::vector<metrics::Gate>& gates) {
  const auto values = gate_value_map(report);
  report.gates.clear();
  const bool labeled = report.result.model.labeled > 0;
  for (const metrics::Gate& g : gates.empty() ? std::vector<metrics::Gate>{metrics::default_gate(labeled)} : gates)
    report.gates.push_back(metrics::evaluate(g, values));
  report.verdict = {};
  bool all = true;
  for (const auto& g : report.gates) {
    all &= g.passed;
    if (!g.passed) report.verdict.reasons.push_back("gate failed: " + g.summary);
  }
  report.verdict.status = all ? reports::VerdictStatus::pass : reports::VerdictStatus::fail;
  if (all) {
    const metrics::TopKResult* t1 = report.result.model.find_k(1);
    std::vector<std::string> headlines;
    if (!report.result.model_scored)
      for (const reports::OutputResult& o : report.result.outputs)
        if (const std::string h = headline_text(o); !h.empty()) headlines.push_back(h);
    if (!headlines.empty())
      report.verdict.reasons.push_back(fmt::format("{}; every gate holds", fmt::join(headlines, "; ")));
    else if (!report.result.model_scored)
      report.verdict.reasons.push_back("every gate holds");
    else if (t1 && report.result.model.labeled > 0)
      report.verdict.reasons.push_back(fmt::format(
          "top-1 {:.2f}% -> {:.2f}% ({:+.2f} points, 95% interval [{:+.2f}, {:+.2f}]); every gate holds",
          t1->float_pct, t1->quant_pct, t1->delta_pct, t1->delta_ci_low_pct, t1->delta_ci_high_pct));
    else if (report.result.model.samples > 0)
      report.verdict.reasons.push_back(fmt::format("top-1 agreement {:.4f} (95% interval [{:.4f}, {:.4f}]); every gate holds",
                                                   report.result.model.agreement, report.result.model.agreement_ci_low,
                                                   report.result.model.agreement_ci_high));
    else
      report.verdict.reasons.push_back("every gate holds");
  }
}

void apply_selective(reports::Report& report) {
  if (!report.selective) return;
  const reports::SelectiveResult& sel = *report.selective;
  report.verdict.status = sel.found ? reports::VerdictStatus::selective : reports::VerdictStatus::needs_qat;
  for (auto& reason : report.verdict.reasons) reason = "fully quantized: " + reason;
  for (const auto& reason : sel.reasons) report.verdict.reasons.push_back(reason);
}

}  // namespace qgate
