#include "reports/compare.h"

#include <cmath>

#include <fmt/format.h>

namespace qgate::reports {

namespace {

using json = nlohmann::ordered_json;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json topk_json(const TopKResult* t) {
  if (!t) return nullptr;
  return {{"float", num(t->float_pct)}, {"quant", num(t->quant_pct)}, {"delta", num(t->delta_pct)},
          {"ci_low", num(t->delta_ci_low_pct)}, {"ci_high", num(t->delta_ci_high_pct)}};
}

// The worst accumulated SQNR over the layers (NaN without layer metrics).
double worst_sqnr(const Report& r) {
  double worst = NAN;
  for (const LayerResult& l : r.result.layers)
    if (!(l.accumulated.sqnr_db >= worst)) worst = l.accumulated.sqnr_db;
  return worst;
}

std::string interval(const TopKResult* t) {
  if (!t) return "-";
  return fmt::format("{:+.2f} [{:+.2f},{:+.2f}]", t->delta_pct, t->delta_ci_low_pct, t->delta_ci_high_pct);
}

}  // namespace

bool all_pass(const CompareReport& report) {
  for (const auto& row : report.rows)
    if (row.report.verdict.status != VerdictStatus::pass) return false;
  return true;
}

json to_json(const CompareReport& c) {
  json rows = json::array();
  for (const CompareRow& row : c.rows) {
    const Report& r = row.report;
    const auto& m = r.result.model;
    json gates = json::array();
    for (const auto& g : r.gates) gates.push_back({{"gate", g.gate.text}, {"value", num(g.actual)}, {"passed", g.passed}});
    json layers = nullptr;
    if (c.layers) {
      layers = json::array();
      for (const LayerResult& l : r.result.layers)
        layers.push_back({{"node", l.node}, {"name", l.name}, {"op", l.op}, {"quantized", l.quantized},
                          {"sqnr_db", num(l.accumulated.sqnr_db)}, {"cosine", num(l.accumulated.cosine)},
                          {"nmse", num(l.accumulated.nmse)}});
    }
    json outputs = json::array();
    for (const OutputResult& o : r.result.outputs) {
      json oj = output_json(o);
      oj.erase("rows");
      oj.erase("columns");
      oj.erase("distribution");
      outputs.push_back(oj);
    }
    json classes = json::array();
    for (const auto& cl : m.classes)
      classes.push_back({{"label", cl.label}, {"samples", cl.samples}, {"float", num(cl.float_pct)},
                         {"quantized", num(cl.quant_pct)}, {"delta", num(cl.delta_pct)}});
    rows.push_back({{"scheme", r.manifest.scheme},
                    {"weight_bytes_float", row.float_bytes},
                    {"weight_bytes_quantized", row.quant_bytes},
                    {"top1", m.labeled > 0 ? topk_json(m.find_k(1)) : json(nullptr)},
                    {"top5", m.labeled > 0 ? topk_json(m.find_k(5)) : json(nullptr)},
                    {"agreement", r.result.model_scored ? num(m.agreement) : json(nullptr)},
                    {"kl_p99", r.result.model_scored ? num(m.kl.p99) : json(nullptr)},
                    {"worst_layer_sqnr_db", num(worst_sqnr(r))},
                    {"verdict", verdict_name(r.verdict.status)},
                    {"reasons", r.verdict.reasons},
                    {"gates", gates},
                    {"classes", classes},
                    {"layers", layers},
                    {"outputs", outputs}});
  }
  return {{"kind", "qgate.compare"},
          {"schema_version", kCompareSchemaVersion},
          {"qgate_version", c.qgate_version},
          {"model", c.model_path},
          {"model_sha256", c.model_sha256},
          {"data", c.data_spec},
          {"data_description", c.data_description},
          {"data_fingerprint", c.data_fingerprint},
          {"samples", c.samples},
          {"limit", c.limit},
          {"layers", c.layers},
          {"float_outputs", c.float_outputs},
          {"rows", rows},
          {"timing", {{"threads", c.threads}, {"seconds", c.seconds}}}};
}

std::string console_summary(const CompareReport& c) {
  std::string out = fmt::format("float outputs: {} ({} samples)\n", c.float_outputs, c.samples);
  out += fmt::format("{:<40} {:>19} {:>24} {:>24} {:>6} {:>8} {:>9}  {}\n", "scheme", "weight bytes",
                     "top-1 delta [95%]", "top-5 delta [95%]", "agree", "KL p99", "SQNR min", "verdict");
  for (const CompareRow& row : c.rows) {
    const Report& r = row.report;
    const auto& m = r.result.model;
    const double sq = worst_sqnr(r);
    out += fmt::format("{:<40} {:>19} {:>24} {:>24} {:>6.3f} {:>8.4f} {:>9}  {}\n", r.manifest.scheme,
                       fmt::format("{} -> {}", human_bytes(row.float_bytes), human_bytes(row.quant_bytes)),
                       interval(m.find_k(1)), interval(m.find_k(5)), m.agreement, m.kl.p99,
                       std::isfinite(sq) ? fmt::format("{:.1f} dB", sq) : "-", verdict_name(r.verdict.status));
  }
  // Every output other than the classes one in the table: its metrics per scheme.
  if (!c.rows.empty())
    for (size_t o = 0; o < c.rows[0].report.result.outputs.size(); ++o) {
      const OutputResult& first = c.rows[0].report.result.outputs[o];
      if (c.rows[0].report.result.model_scored && first.index == c.rows[0].report.result.model_output) continue;
      out += fmt::format("output {} '{}' ({}):\n", first.index, first.name, output_kind_name(first.kind));
      for (const CompareRow& row : c.rows) {
        if (o >= row.report.result.outputs.size()) continue;
        std::string metrics;
        for (const OutputMetric& m : row.report.result.outputs[o].metrics) {
          if (!m.headline) continue;
          metrics += m.vs_targets ? fmt::format("  {} {:.4g} -> {:.4g} [{:+.4g}, {:+.4g}]", m.name, m.float_value,
                                                m.quant_value, m.ci_low, m.ci_high)
                                  : fmt::format("  {} {:.4g} [{:.4g}, {:.4g}]", m.name, m.value, m.ci_low, m.ci_high);
        }
        out += fmt::format("  {:<38}{}\n", row.report.manifest.scheme, metrics);
      }
    }
  for (const CompareRow& row : c.rows)
    if (row.report.verdict.status != VerdictStatus::pass)
      for (const auto& reason : row.report.verdict.reasons)
        out += fmt::format("  {}: {}\n", row.report.manifest.scheme, reason);
  return out;
}

}  // namespace qgate::reports
