#include "reports/csv.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace qgate::reports {

namespace {

// fmt's "{}" prints the shortest representation that parses back to the same double.
std::string number(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

// `with_scheme`: a leading scheme column (compare), filled from `scheme` on every row.
class Writer {
 public:
  explicit Writer(bool with_scheme) : with_scheme_(with_scheme) {
    out_ = std::string(with_scheme ? "scheme," : "") + "section,node,name,op,metric,value\r\n";
  }
  std::string scheme;
  void row(std::string_view section, std::string_view node, std::string_view name, std::string_view op,
           std::string_view metric, const std::string& value) {
    if (with_scheme_) out_ += csv_field(scheme) + ',';
    out_ += csv_field(section) + ',' + csv_field(node) + ',' + csv_field(name) + ',' + csv_field(op) + ',' +
            csv_field(metric) + ',' + csv_field(value) + "\r\n";
  }
  void model(std::string_view metric, double v) { row("model", "", "", "", metric, number(v)); }
  void count(std::string_view metric, int64_t v) { row("model", "", "", "", metric, std::to_string(v)); }
  std::string take() { return std::move(out_); }

 private:
  bool with_scheme_;
  std::string out_;
};

// The error statistics a layer row carries, with their JSON names (n, scale and flags stay in the JSON).
void stats_rows(Writer& w, const LayerResult& l, std::string_view part, const ErrorStats& s) {
  const std::string node = std::to_string(l.node);
  const std::pair<const char*, double> fields[] = {
      {"sqnr_db", s.sqnr_db}, {"cosine", s.cosine},          {"nmse", s.nmse},
      {"mse", s.mse},         {"max_abs_error", s.max_abs_error}, {"mean_error", s.mean_error},
      {"rmse_over_scale", s.rmse_over_scale}};
  for (const auto& [field, v] : fields) w.row("layer", node, l.name, l.op, fmt::format("{}.{}", part, field), number(v));
}

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

namespace {

void gate_rows(Writer& w, const Report& r) {
  for (const auto& g : r.gates) {
    w.row("gate", "", g.gate.text, "", "actual", number(g.actual));
    w.row("gate", "", g.gate.text, "", "passed", g.passed ? "1" : "0");
  }
}

// Per output: node = its index, name = its gate name, op = its kind; metrics "<metric>.float", ".quantized",
// ".delta" (against targets) or "<metric>.value" (float vs quantized), and ".ci_low", ".ci_high" with an interval.
void output_rows(Writer& w, const Report& r) {
  for (const OutputResult& o : r.result.outputs) {
    const std::string node = std::to_string(o.index);
    const char* kind = output_kind_name(o.kind);
    for (const OutputMetric& m : o.metrics) {
      if (m.vs_targets) {
        w.row("output", node, o.name, kind, m.name + ".float", number(m.float_value));
        w.row("output", node, o.name, kind, m.name + ".quantized", number(m.quant_value));
        w.row("output", node, o.name, kind, m.name + ".delta", number(m.delta));
      } else {
        w.row("output", node, o.name, kind, m.name + ".value", number(m.value));
      }
      if (m.has_interval) {
        w.row("output", node, o.name, kind, m.name + ".ci_low", number(m.ci_low));
        w.row("output", node, o.name, kind, m.name + ".ci_high", number(m.ci_high));
      }
    }
  }
}

void layer_and_weight_rows(Writer& w, const Report& r);

// Every row of one report (the same rows for eval and for each scheme of compare).
void report_rows(Writer& w, const Report& r) {
  const auto& m = r.result.model;
  if (!r.result.model_scored) {
    w.count("samples", r.result.samples);
    gate_rows(w, r);
    layer_and_weight_rows(w, r);
    output_rows(w, r);
    return;
  }
  w.count("samples", m.samples);
  w.count("labeled", m.labeled);
  for (const auto& t : m.top_k) {
    const std::string k = fmt::format("top{}", t.k);
    w.model(k + ".float", t.float_pct);
    w.model(k + ".quantized", t.quant_pct);
    w.model(k + ".delta", t.delta_pct);
    w.model(k + ".ci_low", t.delta_ci_low_pct);
    w.model(k + ".ci_high", t.delta_ci_high_pct);
    w.count(k + ".mcnemar.b", t.b);
    w.count(k + ".mcnemar.c", t.c);
    w.model(k + ".mcnemar.p", t.mcnemar_p);
  }
  w.model("agreement", m.agreement);
  w.model("kl.mean", m.kl.mean);
  w.model("kl.median", m.kl.median);
  w.model("kl.p99", m.kl.p99);
  w.model("kl.p99_9", m.kl.p99_9);
  w.model("kl.max", m.kl.max);
  w.model("dp.mean", m.dp_mean);
  w.model("dp.rms", m.dp_rms);
  w.count("flips", m.flip_count);

  gate_rows(w, r);
  for (const auto& c : m.classes) {
    const std::string label = std::to_string(c.label);
    const std::string name = c.label < static_cast<int64_t>(r.class_names.size()) ? r.class_names[c.label] : "";
    w.row("class", label, name, "", "float", number(c.float_pct));
    w.row("class", label, name, "", "quantized", number(c.quant_pct));
    w.row("class", label, name, "", "delta", number(c.delta_pct));
  }
  layer_and_weight_rows(w, r);
  output_rows(w, r);
}

void layer_and_weight_rows(Writer& w, const Report& r) {
  for (const LayerResult& l : r.result.layers) {
    stats_rows(w, l, "accumulated", l.accumulated);
    if (l.isolated) stats_rows(w, l, "isolated", *l.isolated);
    if (l.weight_part) stats_rows(w, l, "weight_part", *l.weight_part);
    if (l.activation_part) stats_rows(w, l, "activation_part", *l.activation_part);
    if (l.series)
      w.row("layer", std::to_string(l.node), l.name, l.op, "series.sqnr_slope_db_per_step",
            number(l.series->sqnr_slope_db_per_step));
  }
  for (size_t i = 0; i < r.weights.size(); ++i) {
    const WeightQuantization& wq = r.weights[i];
    if (!wq.quantized) continue;
    const std::string node = std::to_string(wq.node);
    const std::string name = i < r.weight_tensor_names.size() ? r.weight_tensor_names[i] : "";
    const double sqnr = wq.sum_sq_error > 0 ? std::min(10.0 * std::log10(wq.sum_sq / wq.sum_sq_error), 100.0) : 100.0;
    w.row("weight", node, name, "", "sqnr_db", number(sqnr));
    w.row("weight", node, name, "", "max_abs_error", number(wq.max_abs_error));
    w.row("weight", node, name, "", "zeroed_fraction", number(wq.zeroed_fraction));
  }
}

}  // namespace

std::string to_csv(const Report& r) {
  Writer w(false);
  report_rows(w, r);
  return w.take();
}

std::string to_csv(const CompareReport& c) {
  Writer w(true);
  for (const CompareRow& row : c.rows) {
    w.scheme = row.report.manifest.scheme;
    w.count("weight_bytes.float", row.float_bytes);
    w.count("weight_bytes.quantized", row.quant_bytes);
    report_rows(w, row.report);
  }
  return w.take();
}

}  // namespace qgate::reports
