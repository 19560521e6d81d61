// The eval report's HTML document (to_html(const Report&)) and its sections: the charts drawn from the report's
// layer, class and sensitivity rows with the SVG kit (reports/svg.h) in the page frame (reports/html_page.h).
#include "reports/html.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/files.h"
#include "reports/html_eval.h"
#include "reports/html_page.h"
#include "reports/svg.h"
#include "reports/text.h"

namespace qgate::reports {

namespace html {

namespace {

using svg::coord;
using svg::kChartWidth;

// What each colour stands for in every chart of the document.
constexpr const char* kFloatColor = svg::kBlue;
constexpr const char* kQuantColor = svg::kOrange;
constexpr const char* kWeightColor = svg::kPurple;
constexpr const char* kActivationColor = svg::kTeal;
// More classes than this in the per-class chart are cut to the largest changes, so a 1000-class model stays
// readable.
constexpr size_t kMaxBars = 60;
constexpr size_t kMaxSeriesCharts = 8;

// A top-1 delta as a drop in points (+0 rather than -0 for no change).
double drop(double delta) { return delta == 0 ? 0.0 : -delta; }

// Sensitivity: two bars per quantizable layer, the top-1 drop (points) with only that layer quantized and with
// only that layer float, on one axis from the smallest to the largest value (0 included); a dashed line at the
// fully quantized model's drop. Layers the selective search keeps float are marked.
std::string sensitivity_chart(const SensitivityResult& s, const SelectiveResult* sel) {
  const double row = 34, top = 46, label_w = 300, value_w = 230;
  const double x0 = label_w + 14, x1 = kChartWidth - value_w;
  const double full = drop(s.all_quantized.top1_delta);
  double lo = std::min(0.0, full), hi = std::max(0.0, full);
  for (const auto& l : s.layers)
    for (double v : {drop(l.only_quantized.top1_delta), drop(l.only_float.top1_delta)})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi - lo < 1e-9) hi = lo + 1;
  const svg::XAxis axis{lo, hi, x0, x1};
  auto x = [&](double v) { return axis.x(v); };
  const double height = top + row * s.layers.size() + 14;
  std::string out = svg::open("chart-sensitivity", "chart", height,
                              fmt::format(R"(data-layers="{}" data-bars="{}" data-samples="{}")", s.layers.size(),
                                          2 * s.layers.size(), s.samples));
  out += "\n" + svg::legend_item(x0, 14, kQuantColor, "only this layer quantized", false) +
         svg::legend_item(x0 + 230, 14, kFloatColor, "only this layer float (rest quantized)", false) + "\n";
  const double step = svg::nice_step(hi - lo, 6);
  out += svg::x_grid(axis, std::ceil(lo / step) * step, step, top - 6, height - 10, top - 10);
  out += svg::label(x0 - 8, top - 10, "axis", "end", "top-1 drop (points)");
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const LayerSensitivity& l = s.layers[i];
    const bool kept = sel && sel->found &&
                      std::find(sel->keep_float.begin(), sel->keep_float.end(), l.node) != sel->keep_float.end();
    const double y = top + row * i;
    if (i % 2 == 0) out += svg::stripe(y, row);
    out += svg::label(label_w, y + 21, kept ? "label kept" : "label", "end",
                      shorten_tail(fmt::format("{} {}{}", l.node, l.name, kept ? " (kept float)" : ""), 44));
    const std::pair<const char*, const VariantMeasure*> variants[] = {{"only-quantized", &l.only_quantized},
                                                                       {"only-float", &l.only_float}};
    for (int k = 0; k < 2; ++k) {
      const double v = drop(variants[k].second->top1_delta);
      const double bx = std::min(x(0), x(v)), bw = std::max(std::abs(x(v) - x(0)), 1.0);
      out += fmt::format(
          R"(<g class="bar" data-node="{}" data-variant="{}" data-value="{}"><title>node {} {}: top-1 drop {} points, KL mean {} with {} ({} weight bytes as float32)</title>)",
          l.node, variants[k].first, std::isfinite(v) ? fmt::format("{}", v) : "nan", l.node, escape(l.name),
          signed_fixed(v, 2), fmt::format("{:.3g}", variants[k].second->kl_mean),
          k == 0 ? "only this layer quantized" : "only this layer float", l.float_bytes);
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="12" fill="{}"/></g>)", coord(bx), coord(y + 4 + 13 * k),
                         coord(bw), k == 0 ? kQuantColor : kFloatColor);
    }
    out += fmt::format(R"(<text x="{}" y="{}" class="value">only q {} &#183; only f {}</text>)", coord(x1 + 10),
                       coord(y + 21), signed_fixed(drop(l.only_quantized.top1_delta), 2),
                       signed_fixed(drop(l.only_float.top1_delta), 2));
  }
  out += svg::line(x(0), top - 4, x(0), height - 10, "zero");
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="full" stroke-dasharray="5 4"><title>fully quantized: {} points</title></line>)",
                     coord(x(full)), coord(top - 4), coord(x(full)), coord(height - 10), signed_fixed(full, 2));
  out += svg::kClose;
  return out;
}

// The selective search's re-validated steps: which layers were kept float, their bytes, the top-1 delta.
std::string selective_table(const SelectiveResult& sel) {
  std::string out = fmt::format(
      "<p class=\"note\">Selective search: greedy on sensitivity within {:.0f}% of the weight bytes ({} of {} B "
      "float32), each set re-validated on the full data: {}.</p>\n",
      100 * sel.float_budget, sel.budget_bytes, sel.total_weight_bytes,
      sel.found ? "SELECTIVE (the first passing set)" : "NEEDS_QAT (no set within the budget passes)");
  out += "<table id=\"selective\" class=\"numbers\">\n<tr><th>kept float (node ids)</th><th>float bytes</th>"
         "<th>top-1 delta [95%]</th><th>gates</th></tr>\n";
  for (size_t i = 0; i < sel.steps.size(); ++i) {
    const SelectiveStep& st = sel.steps[i];
    const TopKResult* t = st.model.find_k(1);
    out += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       st.passed ? "pass" : "fail", fmt::join(st.keep_float, ", "), st.float_bytes,
                       t ? fmt::format("{} [{}, {}]", signed_fixed(t->delta_pct, 2),
                                       signed_fixed(t->delta_ci_low_pct, 2), signed_fixed(t->delta_ci_high_pct, 2))
                         : std::string("-"),
                       st.passed ? "hold" : "fail");
  }
  out += "</table>\n";
  return out;
}

std::string sqnr_chart(const std::vector<LayerResult>& layers) {
  const double left = 64, right = 20, top = 44, plot_h = 300, bottom = 56;
  const double x0 = left, x1 = kChartWidth - right;
  const size_t n = layers.size();
  auto x = [&](size_t i) { return n == 1 ? (x0 + x1) / 2 : x0 + (x1 - x0) * i / (n - 1); };
  std::vector<double> all;
  for (const auto& l : layers) {
    all.push_back(l.accumulated.sqnr_db);
    if (l.isolated) all.push_back(l.isolated->sqnr_db);
  }
  const svg::YAxis a = svg::y_axis_for(all, top, plot_h);
  const double height = top + plot_h + bottom;
  size_t quantized = 0, acc_points = 0, iso_points = 0;
  std::string marks, acc_circles, iso_circles, ticks;
  std::vector<std::pair<double, double>> acc, iso;
  const double band = std::max(2.0, (x1 - x0) / std::max<size_t>(n, 1) * 0.8);
  for (size_t i = 0; i < n; ++i) {
    const LayerResult& l = layers[i];
    const std::string what = fmt::format("node {} {} {}", l.node, l.op, l.name);
    if (l.quantized) {
      ++quantized;
      // Clipped to the plot area: the first and last bands would stick out by half their width.
      const double bx0 = std::max(x0, x(i) - band / 2), bx1 = std::min(x1, x(i) + band / 2);
      marks += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="qmark"><title>{} (int8 weights)</title></rect>)",
                           coord(bx0), coord(top), coord(bx1 - bx0), coord(plot_h), escape(what));
    }
    const double r = n > 120 ? 1.8 : n > 40 ? 2.5 : 3.5;
    const double va = l.accumulated.sqnr_db;
    acc.push_back({x(i), std::isfinite(va) ? a.y(va) : NAN});
    if (std::isfinite(va)) {
      ++acc_points;
      acc_circles += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}" class="pt-acc"><title>{}: accumulated {} dB</title></circle>)",
                                 coord(x(i)), coord(a.y(va)), r, kFloatColor, escape(what), fixed(va, 1));
    }
    const double vi = l.isolated ? l.isolated->sqnr_db : NAN;
    iso.push_back({x(i), std::isfinite(vi) ? a.y(vi) : NAN});
    if (std::isfinite(vi)) {
      ++iso_points;
      iso_circles += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}" class="pt-iso"><title>{}: isolated {} dB</title></circle>)",
                                 coord(x(i)), coord(a.y(vi)), r, kQuantColor, escape(what), fixed(vi, 1));
    }
  }
  // About 16 node labels along the x axis.
  const size_t every = std::max<size_t>(1, (n + 15) / 16);
  for (size_t i = 0; i < n; i += every)
    ticks += svg::label(x(i), top + plot_h + 16, "tick", "middle", fmt::format("{}", layers[i].node));
  std::string out = svg::open("chart-sqnr", "chart", height,
                              fmt::format(R"(data-layers="{}" data-quantized="{}" data-points-accumulated="{}" )"
                                          R"(data-points-isolated="{}")",
                                          n, quantized, acc_points, iso_points));
  out += "\n" + marks + "\n" + svg::y_grid(a, x0, x1, "SQNR (dB)") + "\n";
  out += svg::polyline_path(iso, kQuantColor, "line-iso") + svg::polyline_path(acc, kFloatColor, "line-acc") + "\n";
  out += iso_circles + "\n" + acc_circles + "\n" + ticks + "\n";
  out += svg::label((x0 + x1) / 2, top + plot_h + 36, "axis", "middle", "node (execution order)");
  out += svg::legend_item(x0 + 240, 16, kFloatColor, "accumulated (quantized graph end to end)");
  out += svg::legend_item(x0 + 560, 16, kQuantColor, "isolated (this layer alone on float inputs)");
  // The shaded columns' legend box takes the qmark class's fill, not a palette colour.
  out += fmt::format(R"(<rect x="{}" y="11" width="16" height="10" class="qmark"/><text x="{}" y="20" class="legend">int8 weights</text>)",
                     coord(x0 + 880), coord(x0 + 902));
  out += svg::kClose;
  return out;
}

std::string split_chart(const std::vector<LayerResult>& layers) {
  std::vector<const LayerResult*> rows;
  for (const auto& l : layers)
    if (l.quantized && l.weight_part && l.activation_part) rows.push_back(&l);  // float layers: no split
  if (rows.empty()) return {};
  const double row = 22, top = 36, label_w = 300, text_w = 300;
  const double x0 = label_w + 10, x1 = kChartWidth - text_w;
  const double height = top + row * rows.size() + 8;
  std::string out = svg::open("chart-split", "chart", height, fmt::format(R"(data-bars="{}")", rows.size()));
  out += "\n" + svg::legend_item(x0, 14, kWeightColor, "weight part", false) +
         svg::legend_item(x0 + 150, 14, kActivationColor, "activation part", false) + "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const LayerResult& l = *rows[i];
    const double y = top + row * i;
    const double w = l.weight_part->mse, act = l.activation_part->mse;
    const double total = w + act;
    const double share = total > 0 && std::isfinite(total) ? w / total : NAN;
    const std::string label = fmt::format("{} {}", l.node, l.name);
    out += fmt::format(R"(<g class="bar" data-node="{}" data-weight-share="{}"><title>node {} {} {}: weight part {} dB, activation part {} dB</title>)",
                       l.node, std::isfinite(share) ? fmt::format("{:.4f}", share) : "nan", l.node,
                       escape(l.op), escape(l.name), fixed(l.weight_part->sqnr_db, 1),
                       fixed(l.activation_part->sqnr_db, 1));
    if (i % 2 == 0) out += svg::stripe(y, row);
    out += svg::label(label_w, y + 15, "label", "end", shorten_tail(label, 44));
    if (std::isfinite(share)) {
      const double ww = (x1 - x0) * share;
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", coord(x0), coord(y + 4), coord(ww),
                         row - 8, kWeightColor);
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", coord(x0 + ww), coord(y + 4),
                         coord(x1 - x0 - ww), row - 8, kActivationColor);
    } else {
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="empty"/>)", coord(x0), coord(y + 4),
                         coord(x1 - x0), row - 8);
    }
    out += fmt::format(R"(<text x="{}" y="{}" class="value">w {} dB &#183; a {} dB</text>)", coord(x1 + 10), coord(y + 15),
                       fixed(l.weight_part->sqnr_db, 1), fixed(l.activation_part->sqnr_db, 1));
    out += "</g>\n";
  }
  out += svg::kClose;
  return out;
}

std::string series_chart(size_t k, const LayerResult& l) {
  const auto& steps = l.series->steps;
  const double left = 64, right = 20, top = 40, plot_h = 200, bottom = 44;
  const double x0 = left, x1 = kChartWidth - right;
  const size_t n = steps.size();
  auto x = [&](size_t t) { return n <= 1 ? (x0 + x1) / 2 : x0 + (x1 - x0) * t / (n - 1); };
  std::vector<double> values;
  for (const auto& s : steps) values.push_back(s.n > 0 ? s.sqnr_db : NAN);
  const svg::YAxis a = svg::y_axis_for(values, top, plot_h, /*from_zero=*/false);
  const double height = top + plot_h + bottom;
  std::vector<std::pair<double, double>> pts;
  std::string circles, ticks;
  size_t drawn = 0;
  for (size_t t = 0; t < n; ++t) {
    const double v = values[t];
    pts.push_back({x(t), std::isfinite(v) ? a.y(v) : NAN});
    if (!std::isfinite(v)) continue;
    ++drawn;
    circles += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}" class="pt"><title>step {}: {} dB</title></circle>)",
                           coord(x(t)), coord(a.y(v)), n > 100 ? 1.8 : 3, kQuantColor, t, fixed(v, 1));
  }
  const size_t every = std::max<size_t>(1, (n + 19) / 20);
  for (size_t t = 0; t < n; t += every)
    ticks += svg::label(x(t), top + plot_h + 16, "tick", "middle", fmt::format("{}", t));
  std::string out = svg::open(fmt::format("chart-series-{}", k), "chart series", height,
                              fmt::format(R"(data-node="{}" data-points="{}" data-slope="{:.4g}")", l.node, drawn,
                                          l.series->sqnr_slope_db_per_step));
  out += "\n" + svg::y_grid(a, x0, x1, "SQNR (dB)") + "\n" + svg::polyline_path(pts, kQuantColor, "line") + "\n" +
         circles + "\n" + ticks + "\n";
  out += svg::label((x0 + x1) / 2, top + plot_h + 36, "axis", "middle", "time step");
  out += fmt::format(R"(<text x="{}" y="18" class="legend">node {} {} {} &#183; slope {} dB per step</text>)",
                     coord(x0 + 60), l.node, escape(l.op), escape(shorten_tail(l.name, 60)),
                     signed_fixed(l.series->sqnr_slope_db_per_step, 3));
  out += svg::kClose;
  return out;
}

std::string header_html(const Report& r) {
  return "<header>\n<h1>qgate eval report</h1>\n" + verdict_html(r, "verdict") + "</header>\n";
}

std::string manifest_html(const Report& r) {
  const Manifest& m = r.manifest;
  std::vector<std::pair<std::string, std::string>> rows = {
      {"model", m.model_path},
      {"model sha256", m.model_sha256},
  };
  if (!m.quantized_path.empty()) {
    rows.push_back({"quantized model", m.quantized_path});
    rows.push_back({"quantized sha256", m.quantized_sha256});
  }
  rows.push_back({"scheme", m.scheme});
  rows.push_back({"arithmetic", m.arithmetic});
  rows.push_back({"data", m.data_spec});
  if (!m.data_description.empty()) rows.push_back({"data description", m.data_description});
  if (!m.data_fingerprint.empty()) rows.push_back({"data fingerprint", m.data_fingerprint});
  rows.push_back({"samples", fmt::format("{} ({} labeled{})", r.result.model.samples, r.result.model.labeled,
                                         m.limit > 0 ? fmt::format(", --limit {}", m.limit) : "")});
  rows.push_back({"threads", fmt::format("{} ({:.1f} s)", m.threads, r.result.seconds)});
  rows.push_back({"kernel path", m.kernel_path});
  rows.push_back({"cpu features", m.cpu_features});
  rows.push_back({"bootstrap seed", fmt::format("{}", m.seed)});
  rows.push_back({"qgate version", m.qgate_version});
  return manifest_section(rows);
}

std::string weights_html(const Report& r) {
  if (r.weights.empty()) return {};
  std::string table = "<table id=\"weights\" class=\"numbers\">\n<tr><th>node</th><th>tensor</th><th>decision</th>"
                      "<th>elements</th><th>bytes float &rarr; quantized</th><th>SQNR dB</th><th>max |error|</th>"
                      "<th>zeroed</th></tr>\n";
  int64_t fb = 0, qb = 0;
  for (size_t i = 0; i < r.weights.size(); ++i) {
    const WeightQuantization& w = r.weights[i];
    fb += w.float_bytes;
    qb += w.quantized_bytes;
    const double sqnr = !w.quantized ? NAN
                        : w.sum_sq_error > 0 ? std::min(10.0 * std::log10(w.sum_sq / w.sum_sq_error), 100.0)
                                             : 100.0;
    const std::string name = i < r.weight_tensor_names.size() ? r.weight_tensor_names[i] : "";
    table += fmt::format(
        "<tr><td>{}</td><td class=\"name\" title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{} &rarr; {}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        w.node, escape(name), escape(shorten_tail(name, 48)), escape(w.reason), w.elements, w.float_bytes,
        w.quantized_bytes, w.quantized ? fixed(sqnr, 1) : "-",
        w.quantized ? fmt::format("{:.3g}", w.max_abs_error) : "-",
        w.quantized ? fmt::format("{:.2f}%", 100 * w.zeroed_fraction) : "-");
  }
  table += "</table>\n";
  return section("weights-section", "Weight quantization",
                 fmt::format("Weights {} bytes as float, {} bytes quantized ({:.1f}%).", fb, qb,
                             fb > 0 ? 100.0 * qb / fb : 100.0),
                 table);
}

}  // namespace

std::string verdict_html(const Report& r, const std::string& id) {
  // SELECTIVE is a qualified yes (ship with the listed layers float): amber, not red.
  const char* cls = r.verdict.status == VerdictStatus::pass ? "pass" : r.verdict.status == VerdictStatus::selective ? "selective" : "fail";
  std::string out = fmt::format("<div class=\"verdict {}\" id=\"{}\"><span class=\"badge\">{}</span><ul>", cls, id,
                                escape(verdict_name(r.verdict.status)));
  for (const auto& reason : r.verdict.reasons) out += "<li>" + escape(reason) + "</li>";
  out += "</ul></div>\n";
  return out;
}

std::string accuracy_html(const Report& r) {
  const auto& m = r.result.model;
  std::string body;
  if (m.labeled > 0) {
    body += "<table id=\"accuracy\" class=\"numbers\">\n<tr><th>metric</th><th>float</th><th>quantized</th>"
            "<th>delta (points)</th><th>" + fmt::format("{:g}", 100 * (m.confidence > 0 ? m.confidence : 0.95)) +
            "% interval</th><th>flips b / c</th><th>McNemar p</th></tr>\n";
    for (const auto& t : m.top_k)
      body += fmt::format(
          "<tr><td>top-{}</td><td>{}%</td><td>{}%</td><td class=\"{}\">{}</td><td>[{}, {}]</td><td>{} / {}</td>"
          "<td>{}</td></tr>\n",
          t.k, fixed(t.float_pct, 2), fixed(t.quant_pct, 2), t.delta_pct < 0 ? "neg" : "pos",
          signed_fixed(t.delta_pct, 2),
          signed_fixed(t.delta_ci_low_pct, 2), signed_fixed(t.delta_ci_high_pct, 2), t.b, t.c,
          std::isfinite(t.mcnemar_p) ? fmt::format("{:.3g}", t.mcnemar_p) : "n/a");
    body += "</table>\n";
  } else {
    body += "<p>No labeled samples: accuracy is not defined.</p>\n";
  }
  body += fmt::format(
      "<p class=\"kv\">top-1 agreement <b>{}</b> &middot; KL(float &#x2016; quantized) mean {} / p99 {} / max {} nats"
      " &middot; true-class probability shift mean {} rms {} &middot; flips {}</p>\n",
      fixed(m.agreement, 4), fmt::format("{:.3g}", m.kl.mean), fmt::format("{:.3g}", m.kl.p99),
      fmt::format("{:.3g}", m.kl.max), fmt::format("{:+.3g}", m.dp_mean), fmt::format("{:.3g}", m.dp_rms),
      m.flip_count);
  return section("accuracy-section", "Accuracy",
                 "b: float right, quantized wrong; c: float wrong, quantized right. The interval is a paired "
                 "bootstrap over samples.",
                 body);
}

std::string gates_html(const Report& r) {
  std::string table = "<table id=\"gates\" class=\"numbers\">\n<tr><th>gate</th><th>actual</th><th>result</th></tr>\n";
  for (const auto& g : r.gates)
    table += fmt::format("<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                         g.passed ? "pass" : "fail", escape(g.gate.text),
                         std::isfinite(g.actual) ? fmt::format("{:.4g}", g.actual) : "n/a",
                         g.passed ? "pass" : "FAIL");
  table += "</table>\n";
  return section("gates-section", "Gates", "", table);
}

std::string layers_html(const Report& r) {
  const auto& layers = r.result.layers;
  if (layers.empty())
    return section("layers", "SQNR along the network", "",
                   "<p>Per-layer metrics were not computed (--no-layers).</p>\n");
  std::string out = section(
      "layers", "SQNR along the network",
      "Signal-to-quantization-noise ratio of each layer's output, in node order (higher is better). "
      "Accumulated: the quantized graph run end to end against the float graph; isolated: only this layer "
      "quantized, fed the float graph's inputs. Shaded columns are layers with int8 weights.",
      sqnr_chart(layers));
  const std::string split = split_chart(layers);
  if (!split.empty())
    out += section("split", "Weight vs activation error",
                   "Each quantized layer's isolated error split into the part from quantized weights "
                   "(f(x, W&#770;) &minus; f(x, W)) and the part from quantized activations (f(x&#770;, W&#770;) "
                   "&minus; f(x, W&#770;)); bar lengths are each part's share of the two mean squared errors, the "
                   "text gives each part's SQNR.",
                   split);
  std::string series;
  size_t k = 0, recurrent = 0;
  for (const auto& l : layers) {
    if (!l.series) continue;
    ++recurrent;
    if (k < kMaxSeriesCharts) series += series_chart(k++, l);
  }
  if (recurrent > 0)
    out += section("recurrent", "Recurrent layers: error over time",
                   fmt::format("SQNR of the recurrent state per time step (accumulated error). A falling line "
                               "means error builds up along the sequence.{}",
                               recurrent > k ? fmt::format(" First {} of {} recurrent layers.", k, recurrent) : ""),
                   series);

  // Worst ten layers by accumulated SQNR.
  std::vector<const LayerResult*> worst;
  for (const auto& l : layers) worst.push_back(&l);
  std::stable_sort(worst.begin(), worst.end(), [](const LayerResult* a, const LayerResult* b) {
    return a->accumulated.sqnr_db < b->accumulated.sqnr_db;
  });
  if (worst.size() > 10) worst.resize(10);
  std::string table = "<table id=\"worst-layers\" class=\"numbers\">\n<tr><th>node</th><th>op</th><th>name</th>"
                      "<th>weights</th><th>SQNR dB</th><th>isolated dB</th><th>weight part dB</th>"
                      "<th>activation part dB</th><th>cosine</th><th>rmse / step</th></tr>\n";
  auto opt_db = [](const std::optional<ErrorStats>& s) { return s ? fixed(s->sqnr_db, 1) : std::string("-"); };
  for (const LayerResult* l : worst)
    table += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"name\" title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>\n",
        l->node, escape(l->op), escape(l->name), escape(shorten_tail(l->name, 48)),
        l->quantized ? "int8" : "float", fixed(l->accumulated.sqnr_db, 1), opt_db(l->isolated), opt_db(l->weight_part),
        opt_db(l->activation_part), fixed(l->accumulated.cosine, 5), l->accumulated.flagged ? "neg" : "",
        l->accumulated.scale > 0 ? fixed(l->accumulated.rmse_over_scale, 3) : "-");
  table += "</table>\n";
  out += section("worst", "Worst layers", "By accumulated SQNR. rmse / step: output error in units of the output's "
                                          "quantization step (about 0.29 is pure rounding).", table);
  return out;
}

std::string classes_html(const Report& r) {
  const auto& m = r.result.model;
  if (m.labeled == 0 || m.classes.empty()) return {};
  std::vector<std::pair<std::string, double>> items;
  for (const auto& cl : m.classes) {
    const bool named = cl.label < static_cast<int64_t>(r.class_names.size()) && !r.class_names[cl.label].empty();
    items.push_back({named ? fmt::format("{} ({})", r.class_names[cl.label], cl.samples)
                           : fmt::format("class {} ({})", cl.label, cl.samples),
                     cl.delta_pct});
  }
  const size_t total = items.size();
  items = svg::largest_magnitudes(std::move(items), kMaxBars);
  return section("classes", "Per-class top-1 delta",
                 fmt::format("Quantized minus float top-1 accuracy per class, in points (sample count in "
                             "parentheses).{}",
                             total > items.size() ? fmt::format(" The {} of {} classes with the largest change.",
                                                                items.size(), total)
                                                  : ""),
                 svg::diverging_bars("chart-classes", items, "points"));
}

}  // namespace html

std::string html_sensitivity_section(const Report& r) {
  using html::drop, html::section;
  if (!r.sensitivity)
    return section("sensitivity", "Sensitivity", "",
                   "<p class=\"note\" id=\"sensitivity-empty\">No sensitivity analysis in this report (it runs when a "
                   "gate fails on a model quantized under --scheme).</p>\n");
  const SensitivityResult& s = *r.sensitivity;
  const double per = s.layers.empty() ? 0.0 : (s.seconds - s.double_run_seconds) / s.layers.size();
  std::string body = html::sensitivity_chart(s, r.selective ? &*r.selective : nullptr);
  if (r.selective) body += html::selective_table(*r.selective);
  return section(
      "sensitivity", "Sensitivity",
      fmt::format("Top-1 drop in points (float minus quantized accuracy; right of zero is a loss) on the first {} "
                  "samples, per quantizable layer: with only that layer quantized (the damage it does alone) and "
                  "with only that layer kept float (the rest quantized: what keeping it float leaves). The dashed "
                  "line is the fully quantized model's drop ({} points). Cost: {:.2f} s per layer for both "
                  "variants vs {:.2f} s for one float + quantized run.",
                  s.samples, signed_fixed(drop(s.all_quantized.top1_delta), 2), per, s.double_run_seconds),
      body);
}

std::string to_html(const Report& r) {
  using namespace html;
  std::string out = page_open({"qgate " + std::string(verdict_name(r.verdict.status)), r.manifest.model_path});
  out += header_html(r);
  out += accuracy_html(r);
  out += gates_html(r);
  // When the search ran, sensitivity explains the verdict: it comes first.
  if (r.sensitivity) out += html_sensitivity_section(r);
  out += layers_html(r);
  out += classes_html(r);
  if (!r.sensitivity) out += html_sensitivity_section(r);
  out += weights_html(r);
  out += manifest_html(r);
  out += kPageClose;
  return out;
}

void write_html(const std::string& path, const Report& report) { write_file_atomic(path, to_html(report)); }

}  // namespace qgate::reports
