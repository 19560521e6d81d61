#include "harness/metrics/gates.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "core/errors.h"

namespace qgate::metrics {

namespace {

constexpr const char* kGateForm = "expected PATH OP NUMBER with OP one of >=, <=, >, <, == (e.g. top1-drop<=0.5)";

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool is_path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The gate keys of one k.
void topk_names(int k, std::vector<std::string>& out) {
  const std::string p = fmt::format("top{}", k);
  for (const char* suffix : {".float", ".quant", ".delta", ".delta.ci_low", ".delta.ci_high", "-drop",
                             "-drop.ci_high", ".mcnemar.p", ".mcnemar.b", ".mcnemar.c"})
    out.push_back(p + suffix);
}

}  // namespace

Gate parse_gate(const std::string& raw) {
  const std::string text = trim(raw);
  if (text.empty()) throw InputError(fmt::format("gate is empty: {}", kGateForm));
  const size_t at = text.find_first_of("<>=!");
  if (at == std::string::npos)
    throw InputError(fmt::format("gate '{}': no comparison operator: {}", text, kGateForm));

  Gate g;
  g.text = text;
  g.path = trim(text.substr(0, at));
  if (g.path.empty()) throw InputError(fmt::format("gate '{}': no field name before the operator: {}", text, kGateForm));
  if (!std::all_of(g.path.begin(), g.path.end(), is_path_char))
    throw InputError(fmt::format("gate '{}': '{}' is not a field name (letters, digits, '_', '.', '-')", text,
                                 g.path));

  const char c = text[at];
  const bool eq_next = at + 1 < text.size() && text[at + 1] == '=';
  if (c == '!')
    throw InputError(fmt::format("gate '{}': '!' is not an operator: {}", text, kGateForm));
  if (c == '=' && !eq_next)
    throw InputError(fmt::format("gate '{}': '=' is not an operator, write '==': {}", text, kGateForm));
  g.op = std::string(1, c) + (eq_next ? "=" : "");

  const std::string number = trim(text.substr(at + g.op.size()));
  if (number.empty()) throw InputError(fmt::format("gate '{}': no number after '{}': {}", text, g.op, kGateForm));
  if (number.back() == '%')
    throw InputError(fmt::format("gate '{}': '{}' is not a number: accuracies are already in percentage points "
                                 "(write {}), agreement is a fraction",
                                 text, number, number.substr(0, number.size() - 1)));
  char* end = nullptr;
  g.threshold = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(g.threshold))
    throw InputError(fmt::format("gate '{}': '{}' is not a finite number: {}", text, number, kGateForm));
  return g;
}

Gate default_gate(bool labeled) { return parse_gate(labeled ? kDefaultGate : kDefaultUnlabeledGate); }

GateResult evaluate(const Gate& gate, const std::map<std::string, double>& values) {
  const auto it = values.find(gate.path);
  if (it == values.end()) {
    std::vector<std::string> known;
    for (const auto& [k, v] : values) known.push_back(k);
    throw InputError(fmt::format("gate '{}': unknown field '{}'; known fields: {}", gate.text, gate.path,
                                 known.empty() ? std::string("(none)") : join(known)));
  }
  GateResult r;
  r.gate = gate;
  r.actual = it->second;
  const double a = r.actual, t = gate.threshold;
  if (gate.op == ">=") r.passed = a >= t;
  else if (gate.op == "<=") r.passed = a <= t;
  else if (gate.op == ">") r.passed = a > t;
  else if (gate.op == "<") r.passed = a < t;
  else if (gate.op == "==") r.passed = std::abs(a - t) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(t)});
  else throw InputError(fmt::format("gate '{}': unknown operator '{}': {}", gate.text, gate.op, kGateForm));
  r.summary = fmt::format("{} = {:.6g} {} {:.6g}: {}", gate.path, a, gate.op, t, r.passed ? "pass" : "FAIL");
  return r;
}

std::map<std::string, double> gate_values(const ModelMetrics& m) {
  std::map<std::string, double> v;
  v["samples"] = static_cast<double>(m.samples);
  v["labeled"] = static_cast<double>(m.labeled);
  v["agreement"] = m.agreement;
  v["agreement.ci_low"] = m.agreement_ci_low;
  v["agreement.ci_high"] = m.agreement_ci_high;
  v["kl.mean"] = m.kl.mean;
  v["kl.median"] = m.kl.median;
  v["kl.p99"] = m.kl.p99;
  v["kl.p99.9"] = m.kl.p99_9;
  v["kl.max"] = m.kl.max;
  if (m.labeled == 0) return v;
  v["flips"] = static_cast<double>(m.flip_count);
  v["dp.mean"] = m.dp_mean;
  v["dp.rms"] = m.dp_rms;
  for (const TopKResult& t : m.top_k) {
    const std::string p = fmt::format("top{}", t.k);
    v[p + ".float"] = t.float_pct;
    v[p + ".quant"] = t.quant_pct;
    v[p + ".delta"] = t.delta_pct;
    v[p + ".delta.ci_low"] = t.delta_ci_low_pct;
    v[p + ".delta.ci_high"] = t.delta_ci_high_pct;
    v[p + "-drop"] = 0.0 - t.delta_pct;  // 0 - x, not -x: no "-0" in reports
    v[p + "-drop.ci_high"] = 0.0 - t.delta_ci_low_pct;
    v[p + ".mcnemar.p"] = t.mcnemar_p;
    v[p + ".mcnemar.b"] = static_cast<double>(t.b);
    v[p + ".mcnemar.c"] = static_cast<double>(t.c);
  }
  return v;
}

bool gate_needs_labels(const std::string& path) {
  return path == "flips" || path.starts_with("dp.") || path.starts_with("top");
}

std::vector<std::string> gate_value_names(const std::vector<int>& top_k, bool with_layers, bool labeled) {
  std::vector<std::string> out = {"samples", "labeled",   "agreement", "agreement.ci_low", "agreement.ci_high",
                                  "kl.mean", "kl.median", "kl.p99",    "kl.p99.9",         "kl.max"};
  if (labeled) {
    for (const char* s : {"flips", "dp.mean", "dp.rms"}) out.emplace_back(s);
    for (int k : top_k) topk_names(k, out);
  }
  if (with_layers)
    for (const char* s : {"layers.sqnr_min", "layers.cosine_min", "layers.nmse_max", "layers.flagged",
                          "layers.rmse_over_scale_max"})
      out.emplace_back(s);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// The suffixes of one metric's gate keys.
std::vector<std::string> metric_suffixes(bool vs_targets, bool interval) {
  if (vs_targets) {
    std::vector<std::string> s = {"", ".float", ".quant", ".delta"};
    if (interval) s.insert(s.end(), {".delta.ci_low", ".delta.ci_high"});
    return s;
  }
  if (interval) return {"", ".ci_low", ".ci_high"};
  return {""};
}

}  // namespace

void add_output_gate_values(std::span<const reports::OutputResult> outputs, std::map<std::string, double>& v) {
  for (const reports::OutputResult& o : outputs)
    for (const reports::OutputMetric& m : o.metrics) {
      const std::string p = "outputs." + o.name + "." + m.name;
      if (m.vs_targets) {
        v[p] = m.quant_value;
        v[p + ".float"] = m.float_value;
        v[p + ".quant"] = m.quant_value;
        v[p + ".delta"] = m.delta;
        if (m.has_interval) {
          v[p + ".delta.ci_low"] = m.ci_low;
          v[p + ".delta.ci_high"] = m.ci_high;
        }
      } else {
        v[p] = m.value;
        if (m.has_interval) {
          v[p + ".ci_low"] = m.ci_low;
          v[p + ".ci_high"] = m.ci_high;
        }
      }
    }
}

std::vector<std::string> output_gate_value_names(std::span<const OutputSpec> specs, const std::vector<int>& top_k) {
  std::vector<std::string> out;
  for (const OutputSpec& s : specs)
    for (const MetricName& m : output_metric_names(s, top_k))
      for (const std::string& suffix : metric_suffixes(m.vs_targets, m.has_interval))
        out.push_back("outputs." + s.name + "." + m.name + suffix);
  return out;
}

bool gate_prefers_higher(const Gate& gate) { return gate.op == ">=" || gate.op == ">"; }

void add_layer_gate_values(std::span<const ErrorStats> layers, std::map<std::string, double>& v) {
  if (layers.empty()) return;
  double sqnr_min = layers[0].sqnr_db, cosine_min = layers[0].cosine, nmse_max = layers[0].nmse;
  double ratio_max = 0;
  bool any_scale = false;
  int64_t flagged = 0;
  for (const ErrorStats& s : layers) {
    sqnr_min = std::min(sqnr_min, s.sqnr_db);
    cosine_min = std::min(cosine_min, s.cosine);
    nmse_max = std::max(nmse_max, s.nmse);
    flagged += s.flagged;
    if (s.scale > 0) {
      ratio_max = any_scale ? std::max(ratio_max, s.rmse_over_scale) : s.rmse_over_scale;
      any_scale = true;
    }
  }
  v["layers.sqnr_min"] = sqnr_min;
  v["layers.cosine_min"] = cosine_min;
  v["layers.nmse_max"] = nmse_max;
  v["layers.flagged"] = static_cast<double>(flagged);
  if (any_scale) v["layers.rmse_over_scale_max"] = ratio_max;
}

}  // namespace qgate::metrics
