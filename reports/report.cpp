#include "reports/report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/files.h"

namespace qgate::reports {

namespace {

using json = nlohmann::ordered_json;

// JSON has no infinity or NaN: non-finite numbers are written as null (the schema allows it where they occur).
json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json stats_json(const ErrorStats& s) {
  return json{{"n", s.n},
              {"mse", num(s.mse)},
              {"max_abs_error", num(s.max_abs_error)},
              {"mean_error", num(s.mean_error)},
              {"sqnr_db", num(s.sqnr_db)},
              {"cosine", num(s.cosine)},
              {"nmse", num(s.nmse)},
              {"rmse_over_scale", num(s.rmse_over_scale)},
              {"scale", num(s.scale)},
              {"flagged", s.flagged},
              {"nonfinite", s.nonfinite}};
}

}  // namespace

namespace {

json measure_json(const VariantMeasure& v) {
  return json{{"top1_delta", num(v.top1_delta)}, {"kl_mean", num(v.kl_mean)}, {"kl_p99", num(v.kl_p99)},
              {"agreement", num(v.agreement)}};
}

json top1_json(const ModelMetrics& m) {
  const TopKResult* t = m.find_k(1);
  if (!t || m.labeled == 0) return nullptr;
  return json{{"float", num(t->float_pct)}, {"quantized", num(t->quant_pct)}, {"delta", num(t->delta_pct)},
              {"ci_low", num(t->delta_ci_low_pct)}, {"ci_high", num(t->delta_ci_high_pct)}};
}

json sensitivity_json(const SensitivityResult& s) {
  json layers = json::array();
  for (const auto& l : s.layers)
    layers.push_back({{"node", l.node}, {"name", l.name}, {"op", l.op}, {"float_bytes", l.float_bytes},
                      {"quantized_bytes", l.quantized_bytes}, {"only_quantized", measure_json(l.only_quantized)},
                      {"only_float", measure_json(l.only_float)}});
  return json{{"samples", s.samples}, {"all_quantized", measure_json(s.all_quantized)}, {"layers", layers}};
}

json selective_json(const SelectiveResult& s) {
  json kept = json::array();
  for (size_t i = 0; i < s.keep_float.size(); ++i)
    kept.push_back({{"node", s.keep_float[i]}, {"name", s.keep_float_names[i]}});
  json steps = json::array();
  for (const auto& st : s.steps) {
    json gates = json::array();
    for (const auto& g : st.gates) gates.push_back({{"gate", g.gate.text}, {"actual", num(g.actual)}, {"passed", g.passed}});
    steps.push_back({{"keep_float", st.keep_float}, {"float_bytes", st.float_bytes}, {"top1", top1_json(st.model)},
                     {"kl_mean", num(st.model.kl.mean)}, {"gates", gates}, {"passed", st.passed}});
  }
  const SelectiveStep* best = s.best_step >= 0 ? &s.steps[s.best_step] : nullptr;
  return json{{"found", s.found},
              {"keep_float", kept},
              {"float_bytes", s.float_bytes},
              {"total_weight_bytes", s.total_weight_bytes},
              {"float_budget", num(s.float_budget)},
              {"budget_bytes", s.budget_bytes},
              {"top1", best ? top1_json(best->model) : json(nullptr)},
              {"order", s.order},
              {"error_carriers", s.error_carriers},
              {"steps", steps},
              {"best_step", s.best_step}};
}

}  // namespace

json to_json(const Report& r) {
  const auto& m = r.result.model;
  json j;
  j["schema_version"] = kReportSchemaVersion;
  j["kind"] = "qgate.eval";
  const Manifest& mf = r.manifest;
  j["manifest"] = {{"qgate_version", mf.qgate_version},
                   {"command", mf.command},
                   {"model", {{"path", mf.model_path}, {"sha256", mf.model_sha256}}},
                   {"quantized", mf.quantized_path.empty() ? json(nullptr)
                                                           : json{{"path", mf.quantized_path},
                                                                  {"sha256", mf.quantized_sha256}}},
                   {"scheme", mf.scheme},
                   {"arithmetic", mf.arithmetic},
                   {"data", {{"spec", mf.data_spec},
                             {"description", mf.data_description},
                             {"fingerprint", mf.data_fingerprint},
                             {"preprocessing", mf.preprocessing}}},
                   {"limit", mf.limit},
                   {"cpu_features", mf.cpu_features},
                   {"kernel_path", mf.kernel_path},
                   {"seed", mf.seed}};
  j["verdict"] = {{"status", verdict_name(r.verdict.status)}, {"reasons", r.verdict.reasons}};
  json gates = json::array();
  for (const auto& g : r.gates)
    gates.push_back({{"gate", g.gate.text}, {"path", g.gate.path}, {"op", g.gate.op},
                     {"threshold", num(g.gate.threshold)}, {"actual", num(g.actual)}, {"passed", g.passed}});
  j["gates"] = gates;

  json model;
  model["samples"] = m.samples;
  model["labeled"] = m.labeled;
  model["num_classes"] = m.num_classes;
  model["score_kind"] = {{"float", score_kind_name(m.float_kind)},
                         {"quantized", score_kind_name(m.quant_kind)}};
  model["nonfinite"] = {{"float", m.float_nonfinite}, {"quantized", m.quant_nonfinite}};
  json topk = json::array();  // empty without labels: no accuracy is claimed
  for (const auto& t : m.labeled > 0 ? m.top_k : std::vector<TopKResult>{})
    topk.push_back({{"k", t.k},
                    {"float", num(t.float_pct)},
                    {"quantized", num(t.quant_pct)},
                    {"delta", num(t.delta_pct)},
                    {"ci_low", num(t.delta_ci_low_pct)},
                    {"ci_high", num(t.delta_ci_high_pct)},
                    {"float_correct", t.float_correct},
                    {"quantized_correct", t.quant_correct},
                    {"mcnemar", {{"b", t.b}, {"c", t.c}, {"p", num(t.mcnemar_p)}}}});
  model["top_k"] = topk;
  model["agreement"] = num(m.agreement);
  model["agreement_interval"] = {{"low", num(m.agreement_ci_low)}, {"high", num(m.agreement_ci_high)}};
  model["kl"] = {{"mean", num(m.kl.mean)}, {"median", num(m.kl.median)}, {"p99", num(m.kl.p99)},
                 {"p99_9", num(m.kl.p99_9)}, {"max", num(m.kl.max)}};
  model["true_class_shift"] = {{"mean", num(m.dp_mean)}, {"rms", num(m.dp_rms)}};
  json classes = json::array();
  for (const auto& c : m.classes)
    classes.push_back({{"label", c.label},
                       {"name", c.label < static_cast<int64_t>(r.class_names.size()) ? r.class_names[c.label] : ""},
                       {"samples", c.samples},
                       {"float", num(c.float_pct)},
                       {"quantized", num(c.quant_pct)},
                       {"delta", num(c.delta_pct)}});
  model["classes"] = classes;
  json flips = json::array();
  for (const auto& f : m.flips)
    flips.push_back({{"sample", f.sample_index}, {"label", f.label}, {"float_top1", f.float_top1},
                     {"quantized_top1", f.quant_top1}, {"quantized_correct", f.quant_correct}});
  model["flips"] = {{"count", m.flip_count}, {"listed", flips}};
  model["bootstrap"] = {{"resamples", m.bootstrap_resamples}, {"seed", m.bootstrap_seed},
                        {"confidence", m.confidence}};
  j["model"] = model;

  json layers = json::array();
  for (const LayerResult& l : r.result.layers) {
    json lj = {{"node", l.node}, {"name", l.name}, {"op", l.op}, {"quantized", l.quantized},
               {"accumulated", stats_json(l.accumulated)}};
    lj["isolated"] = l.isolated ? stats_json(*l.isolated) : json(nullptr);
    lj["weight_part"] = l.weight_part ? stats_json(*l.weight_part) : json(nullptr);
    lj["activation_part"] = l.activation_part ? stats_json(*l.activation_part) : json(nullptr);
    if (l.series) {
      json steps = json::array();
      for (const auto& s : l.series->steps) steps.push_back(num(s.sqnr_db));
      lj["series"] = {{"sqnr_db_per_step", steps}, {"sqnr_slope_db_per_step", num(l.series->sqnr_slope_db_per_step)}};
    } else {
      lj["series"] = nullptr;
    }
    layers.push_back(lj);
  }
  j["layers"] = layers;

  json weights = json::array();
  for (size_t i = 0; i < r.weights.size(); ++i) {
    const WeightQuantization& w = r.weights[i];
    const double sqnr = !w.quantized ? 0.0 : w.sum_sq_error > 0 ? 10.0 * std::log10(w.sum_sq / w.sum_sq_error) : 100.0;
    weights.push_back({{"node", w.node},
                       {"tensor", i < r.weight_tensor_names.size() ? r.weight_tensor_names[i] : ""},
                       {"quantized", w.quantized},
                       {"per_channel", w.per_channel},
                       {"axis", w.axis},
                       {"bits", w.bits},
                       {"decision", w.reason},
                       {"elements", w.elements},
                       {"float_bytes", w.float_bytes},
                       {"quantized_bytes", w.quantized_bytes},
                       {"sqnr_db", w.quantized ? num(std::min(sqnr, 100.0)) : json(nullptr)},
                       {"max_abs_error", num(w.max_abs_error)},
                       {"zeroed_fraction", num(w.zeroed_fraction)}});
  }
  j["weights"] = weights;
  j["sensitivity"] = r.sensitivity ? sensitivity_json(*r.sensitivity) : json(nullptr);
  j["selective"] = r.selective ? selective_json(*r.selective) : json(nullptr);
  // Everything that may differ between two runs of the same evaluation sits here, so reports compare equal
  // without it.
  j["timing"] = {{"threads", mf.threads},
                 {"seconds", r.result.seconds},
                 {"float_seconds", r.result.float_seconds},
                 {"quantized_seconds", r.result.quant_seconds},
                 {"float_outputs", r.float_outputs}};
  if (r.sensitivity) {
    const SensitivityResult& s = *r.sensitivity;
    json per_layer = json::array();
    for (const auto& l : s.layers)
      per_layer.push_back({{"node", l.node}, {"only_quantized_seconds", l.only_quantized.seconds},
                           {"only_float_seconds", l.only_float.seconds}});
    const double per = s.layers.empty() ? 0.0 : (s.seconds - s.double_run_seconds) / s.layers.size();
    j["timing"]["sensitivity"] = {{"seconds", s.seconds}, {"double_run_seconds", s.double_run_seconds},
                                  {"only_quantized_pass_seconds", s.only_quantized_seconds},
                                  {"only_float_pass_seconds", s.only_float_seconds},
                                  {"seconds_per_layer", per}, {"layers", per_layer}};
  }
  if (r.selective) {
    json steps = json::array();
    for (const auto& st : r.selective->steps) steps.push_back(st.seconds);
    j["timing"]["selective"] = {{"seconds", r.selective->seconds}, {"step_seconds", steps}};
  }
  return j;
}

void write_json(const std::string& path, const Report& report) {
  write_file_atomic(path, to_json(report).dump(2) + "\n");
}

std::string console_summary(const Report& r) {
  const auto& m = r.result.model;
  std::string out;
  out += fmt::format("qgate eval: {} samples, scheme {}, arithmetic {}, {} threads, {:.1f} s{}\n", m.samples,
                     r.manifest.scheme, r.manifest.arithmetic, r.manifest.threads, r.result.seconds,
                     r.float_outputs == "cached" ? " (float outputs read from the cache)" : "");
  out += fmt::format("model {}\n", r.manifest.model_path);
  out += fmt::format("data  {}\n\n", r.manifest.data_description.empty() ? r.manifest.data_spec
                                                                        : r.manifest.data_description);
  if (m.labeled > 0) {
    out += fmt::format("  {:<7}{:>9}{:>11}{:>9}   {:<20}{:>10}{:>13}\n", "metric", "float", "quantized", "delta",
                       "95% interval", "flips b/c", "McNemar p");
    for (const auto& t : m.top_k)
      out += fmt::format("  top-{:<3}{:>8.2f}%{:>10.2f}%{:>+9.2f}   {:<20}{:>10}{:>13.3g}\n", t.k, t.float_pct,
                         t.quant_pct, t.delta_pct, fmt::format("[{:+.2f}, {:+.2f}]", t.delta_ci_low_pct,
                                                               t.delta_ci_high_pct),
                         fmt::format("{}/{}", t.b, t.c), t.mcnemar_p);
  }
  out += fmt::format("\n  top-1 agreement {:.4f} [{:.4f}, {:.4f}]   KL mean {:.3g} p99 {:.3g} max {:.3g}", m.agreement,
                     m.agreement_ci_low, m.agreement_ci_high, m.kl.mean, m.kl.p99, m.kl.max);
  out += m.labeled > 0 ? fmt::format("   true-class dp mean {:+.3g} rms {:.3g}\n", m.dp_mean, m.dp_rms) : "\n";
  if (!r.result.layers.empty()) {
    std::vector<const LayerResult*> worst;
    for (const auto& l : r.result.layers) worst.push_back(&l);
    std::stable_sort(worst.begin(), worst.end(), [](const LayerResult* a, const LayerResult* b) {
      return a->accumulated.sqnr_db < b->accumulated.sqnr_db;
    });
    if (worst.size() > 10) worst.resize(10);
    out += "\n  worst layers by SQNR (accumulated error; isolated = that layer alone on float inputs)\n";
    out += fmt::format("  {:>4}  {:<29}{:<34}{:>6}{:>10}{:>10}{:>9}\n", "node", "op", "name", "quant", "SQNR dB",
                       "isolated", "cosine");
    for (const LayerResult* l : worst) {
      std::string name = l->name.size() > 32 ? "..." + l->name.substr(l->name.size() - 29) : l->name;
      out += fmt::format("  {:>4}  {:<29}{:<34}{:>6}{:>10.1f}{:>10}{:>9.5f}\n", l->node, l->op, name,
                         l->quantized ? "int8" : "-", l->accumulated.sqnr_db,
                         l->isolated ? fmt::format("{:.1f}", l->isolated->sqnr_db) : "-", l->accumulated.cosine);
    }
  }
  for (const auto& l : r.result.layers) {
    if (!l.series || l.series->steps.empty()) continue;
    const auto& st = l.series->steps;
    out += fmt::format("\n  recurrent {} ({}): SQNR of h_t {:.1f} dB at t=0, {:.1f} dB at t={}, slope {:+.3f} dB/step\n",
                       l.name, l.op, st.front().sqnr_db, st.back().sqnr_db, st.size() - 1,
                       l.series->sqnr_slope_db_per_step);
  }
  if (r.sensitivity) {
    const SensitivityResult& s = *r.sensitivity;
    const double per = s.layers.empty() ? 0.0 : (s.seconds - s.double_run_seconds) / s.layers.size();
    out += fmt::format("\n  sensitivity on {} samples (fully quantized: top-1 {:+.2f}, KL mean {:.3g}); {:.2f} s per "
                       "layer (both variants; passes over all {}: only-quantized {:.2f} s, only-float {:.2f} s) vs "
                       "{:.2f} s for one float+quantized run\n",
                       s.samples, s.all_quantized.top1_delta, s.all_quantized.kl_mean, per, s.layers.size(),
                       s.only_quantized_seconds, s.only_float_seconds, s.double_run_seconds);
    out += fmt::format("  {:>4}  {:<18}{:<26}{:>10}   {:>17}   {:>17}\n", "node", "op", "name", "float B",
                       "only quantized", "only float");
    out += fmt::format("  {:>4}  {:<18}{:<26}{:>10}   {:>8}{:>9}   {:>8}{:>9}\n", "", "", "", "", "top-1", "KL",
                       "top-1", "KL");
    for (const auto& l : s.layers) {
      std::string name = l.name.size() > 24 ? "..." + l.name.substr(l.name.size() - 21) : l.name;
      out += fmt::format("  {:>4}  {:<18}{:<26}{:>10}   {:>+8.2f}{:>9.3g}   {:>+8.2f}{:>9.3g}\n", l.node, l.op, name,
                         l.float_bytes, l.only_quantized.top1_delta, l.only_quantized.kl_mean,
                         l.only_float.top1_delta, l.only_float.kl_mean);
    }
  }
  if (r.selective) {
    const SelectiveResult& sel = *r.selective;
    out += fmt::format("\n  selective search (budget {:.0f}% = {} of {} weight bytes), re-validated on {} samples\n",
                       100 * sel.float_budget, sel.budget_bytes, sel.total_weight_bytes, m.samples);
    for (const auto& st : sel.steps) {
      const TopKResult* t = st.model.find_k(1);
      out += fmt::format("    keep float [{}] {} B: top-1 {} -> {}\n", fmt::join(st.keep_float, ","), st.float_bytes,
                         t ? fmt::format("{:+.2f} [{:+.2f}, {:+.2f}]", t->delta_pct, t->delta_ci_low_pct,
                                         t->delta_ci_high_pct)
                           : std::string("-"),
                         st.passed ? "every gate holds" : "gate fails");
    }
  }
  out += "\n";
  for (const auto& g : r.gates) out += fmt::format("  gate {}\n", g.summary);
  out += fmt::format("verdict: {}", verdict_name(r.verdict.status));
  for (size_t i = 0; i < r.verdict.reasons.size(); ++i) out += (i ? "; " : " - ") + r.verdict.reasons[i];
  out += "\n";
  return out;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  int u = 0;
  while (bytes >= 1000 && u < 3) {
    bytes /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

}  // namespace qgate::reports
