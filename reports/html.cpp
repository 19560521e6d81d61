#include "reports/html.h"

#include <algorithm>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "core/files.h"

namespace qgate::reports {

namespace {

// Chart geometry (SVG user units; the SVGs scale down with the page through max-width).
constexpr double kChartWidth = 1120;
constexpr const char* kFloatColor = "#1f77b4";
constexpr const char* kQuantColor = "#ff7f0e";
constexpr const char* kWeightColor = "#8c6bb1";
constexpr const char* kActivationColor = "#41b6c4";
constexpr const char* kGainColor = "#2ca02c";
constexpr const char* kLossColor = "#d62728";
// More rows than this in a bar chart are cut to the largest magnitudes, so a 1000-class model stays readable.
constexpr size_t kMaxBars = 60;
constexpr size_t kMaxSeriesCharts = 8;

std::string num(double v, int precision) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, precision) : std::string("n/a");
}
std::string signed_num(double v, int precision) {
  return std::isfinite(v) ? fmt::format("{:+.{}f}", v, precision) : std::string("n/a");
}
// SVG coordinates: one decimal is below a pixel's tenth and keeps the file small.
std::string c(double v) { return fmt::format("{:.1f}", v); }

std::string shorten(const std::string& s, size_t max) {
  return s.size() <= max ? s : "\xE2\x80\xA6" + s.substr(s.size() - (max - 1));  // keep the tail: the distinct part
}

// A tick step of 1, 2 or 5 times a power of ten giving about `target` ticks over `span`.
double nice_step(double span, int target) {
  if (!(span > 0)) return 1;
  const double raw = span / target;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

// A y axis over [lo, hi] mapped onto [top, top + height].
struct YAxis {
  double lo = 0, hi = 1, top = 0, height = 1;
  double y(double v) const { return top + height * (hi - std::clamp(v, lo, hi)) / (hi - lo); }
};

// `from_zero`: the axis includes 0 (comparisons across layers); otherwise it spans the values (a trend).
YAxis y_axis_for(const std::vector<double>& values, double top, double height, bool from_zero = true) {
  double lo = from_zero ? 0 : INFINITY, hi = from_zero ? 0 : -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) lo = 0, hi = 0;
  const double step = nice_step(std::max(hi - lo, 1.0), 5);
  lo = std::floor(lo / step) * step;
  hi = std::max(std::ceil(hi / step) * step, lo + step);
  return {lo, hi, top, height};
}

// Horizontal grid lines with labels at the left of [x0, x1].
std::string y_grid(const YAxis& a, double x0, double x1, const std::string& unit) {
  std::string out;
  const double step = nice_step(a.hi - a.lo, 5);
  for (double v = a.lo; v <= a.hi + step * 1e-6; v += step) {
    const double y = a.y(v);
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/>)", c(x0), c(y), c(x1), c(y));
    out += fmt::format(R"(<text x="{}" y="{}" class="tick" text-anchor="end">{:g}</text>)", c(x0 - 6), c(y + 4), v);
  }
  out += fmt::format(R"(<text x="{}" y="{}" class="axis" text-anchor="start">{}</text>)", c(x0 - 40),
                     c(a.top - 8), html_escape(unit));
  return out;
}

std::string legend_item(double x, double y, const char* color, const std::string& text, bool line = true) {
  std::string out = line ? fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/>)",
                                       c(x), c(y), c(x + 22), c(y), color)
                         : fmt::format(R"(<rect x="{}" y="{}" width="16" height="10" fill="{}"/>)", c(x + 3),
                                       c(y - 5), color);
  out += fmt::format(R"(<text x="{}" y="{}" class="legend">{}</text>)", c(x + 28), c(y + 4), html_escape(text));
  return out;
}

// A path through (x, y) points; NaN y breaks the line.
std::string polyline_path(const std::vector<std::pair<double, double>>& pts, const char* color, const char* cls) {
  std::string d;
  bool pen = false;
  for (const auto& [x, y] : pts) {
    if (!std::isfinite(y)) {
      pen = false;
      continue;
    }
    d += fmt::format("{}{} {} ", pen ? "L" : "M", c(x), c(y));
    pen = true;
  }
  if (d.empty()) return {};
  return fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.8" class="{}"/>)", d, color, cls);
}

std::string section(const std::string& id, const std::string& title, const std::string& note,
                    const std::string& body) {
  return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}{}\n</section>\n", id, html_escape(title),
                     note.empty() ? "" : "<p class=\"note\">" + note + "</p>\n", body);
}

// Horizontal bars diverging from 0, one row per (label, value). Shared by per-class deltas and sensitivity.
std::string hbars_svg(const std::string& id, const std::vector<std::pair<std::string, double>>& items,
                      const std::string& unit) {
  const double row = 20, top = 28, label_w = 260, value_w = 110;
  const double x0 = label_w + 10, x1 = kChartWidth - value_w;
  double mag = 0;
  for (const auto& [_, v] : items)
    if (std::isfinite(v)) mag = std::max(mag, std::abs(v));
  if (mag == 0) mag = 1;
  bool any_negative = false, any_positive = false;
  for (const auto& [_, v] : items) any_negative |= v < 0, any_positive |= v > 0;
  // Zero sits in the middle only when both signs occur; otherwise the bars use the whole width.
  const double zero = any_negative && any_positive ? (x0 + x1) / 2 : any_negative ? x1 : x0;
  const double scale = (any_negative && any_positive ? (x1 - x0) / 2 : (x1 - x0)) / mag;
  const double height = top + row * items.size() + 10;
  std::string out = fmt::format(
      R"(<svg id="{}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" data-bars="{}" data-unit="{}">)",
      id, kChartWidth, c(height), kChartWidth, c(height), items.size(), html_escape(unit));
  out += "\n";
  out += fmt::format(R"(<text x="{}" y="16" class="axis" text-anchor="middle">{}</text>)", c(zero),
                     html_escape("0 " + unit));
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& [label, v] = items[i];
    const double y = top + row * i;
    const double w = std::isfinite(v) ? std::abs(v) * scale : 0;
    const double x = v < 0 ? zero - w : zero;
    out += fmt::format(R"(<g class="bar" data-label="{}" data-value="{}"><title>{}: {} {}</title>)",
                       html_escape(label), std::isfinite(v) ? fmt::format("{:g}", v) : "nan", html_escape(label),
                       signed_num(v, 2), html_escape(unit));
    if (i % 2 == 0)
      out += fmt::format(R"(<rect x="0" y="{}" width="{}" height="{}" class="stripe"/>)", c(y), kChartWidth, row);
    out += fmt::format(R"(<text x="{}" y="{}" class="label" text-anchor="end">{}</text>)", c(label_w), c(y + 14),
                       html_escape(shorten(label, 40)));
    out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", c(x), c(y + 3),
                       c(std::max(w, 1.0)), row - 6, v < 0 ? kLossColor : kGainColor);
    out += fmt::format(R"(<text x="{}" y="{}" class="value">{}</text>)", c(x1 + 8), c(y + 14),
                       html_escape(signed_num(v, 2) + " " + unit));
    out += "</g>\n";
  }
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="zero"/>)", c(zero), c(top - 4), c(zero),
                     c(height - 8));
  out += "</svg>\n";
  return out;
}

// Keeps the kMaxBars items of largest magnitude, in their original order.
std::vector<std::pair<std::string, double>> largest(std::vector<std::pair<std::string, double>> items) {
  if (items.size() <= kMaxBars) return items;
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const double va = std::isfinite(items[a].second) ? std::abs(items[a].second) : -1;
    const double vb = std::isfinite(items[b].second) ? std::abs(items[b].second) : -1;
    return va > vb;
  });
  order.resize(kMaxBars);
  std::sort(order.begin(), order.end());
  std::vector<std::pair<std::string, double>> kept;
  for (size_t i : order) kept.push_back(std::move(items[i]));
  return kept;
}

// Sensitivity: two bars per quantizable layer, the top-1 drop (points) with only that layer quantized and with
// only that layer float, on one axis from the smallest to the largest value (0 included); a dashed line at the
// fully quantized model's drop. Layers the selective search keeps float are marked.
// A top-1 delta as a drop in points (+0 rather than -0 for no change).
double drop(double delta) { return delta == 0 ? 0.0 : -delta; }

std::string sensitivity_chart(const SensitivityResult& s, const SelectiveResult* sel) {
  const double row = 34, top = 46, label_w = 300, value_w = 230;
  const double x0 = label_w + 14, x1 = kChartWidth - value_w;
  const double full = drop(s.all_quantized.top1_delta);
  double lo = std::min(0.0, full), hi = std::max(0.0, full);
  for (const auto& l : s.layers)
    for (double v : {drop(l.only_quantized.top1_delta), drop(l.only_float.top1_delta)})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi - lo < 1e-9) hi = lo + 1;
  auto x = [&](double v) { return x0 + (x1 - x0) * (std::clamp(v, lo, hi) - lo) / (hi - lo); };
  const double height = top + row * s.layers.size() + 14;
  std::string out = fmt::format(
      R"(<svg id="chart-sensitivity" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" data-layers="{}" data-bars="{}" data-samples="{}">)",
      kChartWidth, c(height), kChartWidth, c(height), s.layers.size(), 2 * s.layers.size(), s.samples);
  out += "\n" + legend_item(x0, 14, kQuantColor, "only this layer quantized", false) +
         legend_item(x0 + 230, 14, kFloatColor, "only this layer float (rest quantized)", false) + "\n";
  const double step = nice_step(hi - lo, 6);
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-6; v += step)
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="tick" text-anchor="middle">{:g}</text>)",
                       c(x(v)), c(top - 6), c(x(v)), c(height - 10), c(x(v)), c(top - 10), v);
  out += fmt::format(R"(<text x="{}" y="{}" class="axis" text-anchor="end">top-1 drop (points)</text>)", c(x0 - 8),
                     c(top - 10));
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const LayerSensitivity& l = s.layers[i];
    const bool kept = sel && sel->found &&
                      std::find(sel->keep_float.begin(), sel->keep_float.end(), l.node) != sel->keep_float.end();
    const double y = top + row * i;
    if (i % 2 == 0)
      out += fmt::format(R"(<rect x="0" y="{}" width="{}" height="{}" class="stripe"/>)", c(y), kChartWidth, row);
    out += fmt::format(R"(<text x="{}" y="{}" class="label{}" text-anchor="end">{}</text>)", c(label_w), c(y + 21),
                       kept ? " kept" : "",
                       html_escape(shorten(fmt::format("{} {}{}", l.node, l.name, kept ? " (kept float)" : ""), 44)));
    const std::pair<const char*, const VariantMeasure*> variants[] = {{"only-quantized", &l.only_quantized},
                                                                       {"only-float", &l.only_float}};
    for (int k = 0; k < 2; ++k) {
      const double v = drop(variants[k].second->top1_delta);
      const double bx = std::min(x(0), x(v)), bw = std::max(std::abs(x(v) - x(0)), 1.0);
      out += fmt::format(
          R"(<g class="bar" data-node="{}" data-variant="{}" data-value="{}"><title>node {} {}: top-1 drop {} points, KL mean {} with {} ({} weight bytes as float32)</title>)",
          l.node, variants[k].first, std::isfinite(v) ? fmt::format("{}", v) : "nan", l.node, html_escape(l.name),
          signed_num(v, 2), fmt::format("{:.3g}", variants[k].second->kl_mean),
          k == 0 ? "only this layer quantized" : "only this layer float", l.float_bytes);
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="12" fill="{}"/></g>)", c(bx), c(y + 4 + 13 * k),
                         c(bw), k == 0 ? kQuantColor : kFloatColor);
    }
    out += fmt::format(R"(<text x="{}" y="{}" class="value">only q {} &#183; only f {}</text>)", c(x1 + 10),
                       c(y + 21), signed_num(drop(l.only_quantized.top1_delta), 2),
                       signed_num(drop(l.only_float.top1_delta), 2));
  }
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="zero"/>)", c(x(0)), c(top - 4), c(x(0)),
                     c(height - 10));
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="full" stroke-dasharray="5 4"><title>fully quantized: {} points</title></line>)",
                     c(x(full)), c(top - 4), c(x(full)), c(height - 10), signed_num(full, 2));
  out += "</svg>\n";
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
                       t ? fmt::format("{} [{}, {}]", signed_num(t->delta_pct, 2), signed_num(t->delta_ci_low_pct, 2),
                                       signed_num(t->delta_ci_high_pct, 2))
                         : std::string("-"),
                       st.passed ? "hold" : "fail");
  }
  out += "</table>\n";
  return out;
}

std::string verdict_html(const Report& r, const std::string& id) {
  // SELECTIVE is a qualified yes (ship with the listed layers float): amber, not red.
  const char* cls = r.verdict.status == VerdictStatus::pass ? "pass" : r.verdict.status == VerdictStatus::selective ? "selective" : "fail";
  std::string out = fmt::format("<div class=\"verdict {}\" id=\"{}\"><span class=\"badge\">{}</span><ul>", cls, id,
                                html_escape(verdict_name(r.verdict.status)));
  for (const auto& reason : r.verdict.reasons) out += "<li>" + html_escape(reason) + "</li>";
  out += "</ul></div>\n";
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
  std::string body = "<table class=\"manifest\">\n";
  for (const auto& [k, v] : rows)
    body += fmt::format("<tr><th>{}</th><td><code>{}</code></td></tr>\n", html_escape(k), html_escape(v));
  body += "</table>\n";
  return section("manifest", "Manifest", "", body);
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
          t.k, num(t.float_pct, 2), num(t.quant_pct, 2), t.delta_pct < 0 ? "neg" : "pos", signed_num(t.delta_pct, 2),
          signed_num(t.delta_ci_low_pct, 2), signed_num(t.delta_ci_high_pct, 2), t.b, t.c,
          std::isfinite(t.mcnemar_p) ? fmt::format("{:.3g}", t.mcnemar_p) : "n/a");
    body += "</table>\n";
  } else {
    body += "<p>No labeled samples: accuracy is not defined.</p>\n";
  }
  body += fmt::format(
      "<p class=\"kv\">top-1 agreement <b>{}</b> &middot; KL(float &#x2016; quantized) mean {} / p99 {} / max {} nats"
      " &middot; true-class probability shift mean {} rms {} &middot; flips {}</p>\n",
      num(m.agreement, 4), fmt::format("{:.3g}", m.kl.mean), fmt::format("{:.3g}", m.kl.p99),
      fmt::format("{:.3g}", m.kl.max), fmt::format("{:+.3g}", m.dp_mean), fmt::format("{:.3g}", m.dp_rms),
      m.flip_count);
  return section("accuracy-section", "Accuracy",
                 "b: float right, quantized wrong; c: float wrong, quantized right. The interval is a paired "
                 "bootstrap over samples.",
                 body);
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
  const YAxis a = y_axis_for(all, top, plot_h);
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
                           c(bx0), c(top), c(bx1 - bx0), c(plot_h), html_escape(what));
    }
    const double r = n > 120 ? 1.8 : n > 40 ? 2.5 : 3.5;
    const double va = l.accumulated.sqnr_db;
    acc.push_back({x(i), std::isfinite(va) ? a.y(va) : NAN});
    if (std::isfinite(va)) {
      ++acc_points;
      acc_circles += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}" class="pt-acc"><title>{}: accumulated {} dB</title></circle>)",
                                 c(x(i)), c(a.y(va)), r, kFloatColor, html_escape(what), num(va, 1));
    }
    const double vi = l.isolated ? l.isolated->sqnr_db : NAN;
    iso.push_back({x(i), std::isfinite(vi) ? a.y(vi) : NAN});
    if (std::isfinite(vi)) {
      ++iso_points;
      iso_circles += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}" class="pt-iso"><title>{}: isolated {} dB</title></circle>)",
                                 c(x(i)), c(a.y(vi)), r, kQuantColor, html_escape(what), num(vi, 1));
    }
  }
  // About 16 node labels along the x axis.
  const size_t every = std::max<size_t>(1, (n + 15) / 16);
  for (size_t i = 0; i < n; i += every)
    ticks += fmt::format(R"(<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>)", c(x(i)),
                         c(top + plot_h + 16), layers[i].node);
  std::string out = fmt::format(
      R"(<svg id="chart-sqnr" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" data-layers="{}" data-quantized="{}" data-points-accumulated="{}" data-points-isolated="{}">)",
      kChartWidth, c(height), kChartWidth, c(height), n, quantized, acc_points, iso_points);
  out += "\n" + marks + "\n" + y_grid(a, x0, x1, "SQNR (dB)") + "\n";
  out += polyline_path(iso, kQuantColor, "line-iso") + polyline_path(acc, kFloatColor, "line-acc") + "\n";
  out += iso_circles + "\n" + acc_circles + "\n" + ticks + "\n";
  out += fmt::format(R"(<text x="{}" y="{}" class="axis" text-anchor="middle">node (execution order)</text>)",
                     c((x0 + x1) / 2), c(top + plot_h + 36));
  out += legend_item(x0 + 240, 16, kFloatColor, "accumulated (quantized graph end to end)");
  out += legend_item(x0 + 560, 16, kQuantColor, "isolated (this layer alone on float inputs)");
  out += fmt::format(R"(<rect x="{}" y="11" width="16" height="10" class="qmark"/><text x="{}" y="20" class="legend">int8 weights</text>)",
                     c(x0 + 880), c(x0 + 902));
  out += "</svg>\n";
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
  std::string out = fmt::format(
      R"(<svg id="chart-split" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" data-bars="{}">)",
      kChartWidth, c(height), kChartWidth, c(height), rows.size());
  out += "\n" + legend_item(x0, 14, kWeightColor, "weight part", false) +
         legend_item(x0 + 150, 14, kActivationColor, "activation part", false) + "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const LayerResult& l = *rows[i];
    const double y = top + row * i;
    const double w = l.weight_part->mse, act = l.activation_part->mse;
    const double total = w + act;
    const double share = total > 0 && std::isfinite(total) ? w / total : NAN;
    const std::string label = fmt::format("{} {}", l.node, l.name);
    out += fmt::format(R"(<g class="bar" data-node="{}" data-weight-share="{}"><title>node {} {} {}: weight part {} dB, activation part {} dB</title>)",
                       l.node, std::isfinite(share) ? fmt::format("{:.4f}", share) : "nan", l.node,
                       html_escape(l.op), html_escape(l.name), num(l.weight_part->sqnr_db, 1),
                       num(l.activation_part->sqnr_db, 1));
    if (i % 2 == 0)
      out += fmt::format(R"(<rect x="0" y="{}" width="{}" height="{}" class="stripe"/>)", c(y), kChartWidth, row);
    out += fmt::format(R"(<text x="{}" y="{}" class="label" text-anchor="end">{}</text>)", c(label_w), c(y + 15),
                       html_escape(shorten(label, 44)));
    if (std::isfinite(share)) {
      const double ww = (x1 - x0) * share;
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", c(x0), c(y + 4), c(ww),
                         row - 8, kWeightColor);
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", c(x0 + ww), c(y + 4),
                         c(x1 - x0 - ww), row - 8, kActivationColor);
    } else {
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="empty"/>)", c(x0), c(y + 4),
                         c(x1 - x0), row - 8);
    }
    out += fmt::format(R"(<text x="{}" y="{}" class="value">w {} dB &#183; a {} dB</text>)", c(x1 + 10), c(y + 15),
                       num(l.weight_part->sqnr_db, 1), num(l.activation_part->sqnr_db, 1));
    out += "</g>\n";
  }
  out += "</svg>\n";
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
  const YAxis a = y_axis_for(values, top, plot_h, /*from_zero=*/false);
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
                           c(x(t)), c(a.y(v)), n > 100 ? 1.8 : 3, kQuantColor, t, num(v, 1));
  }
  const size_t every = std::max<size_t>(1, (n + 19) / 20);
  for (size_t t = 0; t < n; t += every)
    ticks += fmt::format(R"(<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>)", c(x(t)),
                         c(top + plot_h + 16), t);
  std::string out = fmt::format(
      R"(<svg id="chart-series-{}" class="chart series" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" data-node="{}" data-points="{}" data-slope="{}">)",
      k, kChartWidth, c(height), kChartWidth, c(height), l.node, drawn,
      fmt::format("{:.4g}", l.series->sqnr_slope_db_per_step));
  out += "\n" + y_grid(a, x0, x1, "SQNR (dB)") + "\n" + polyline_path(pts, kQuantColor, "line") + "\n" + circles +
         "\n" + ticks + "\n";
  out += fmt::format(R"(<text x="{}" y="{}" class="axis" text-anchor="middle">time step</text>)", c((x0 + x1) / 2),
                     c(top + plot_h + 36));
  out += fmt::format(R"(<text x="{}" y="18" class="legend">node {} {} {} &#183; slope {} dB per step</text>)",
                     c(x0 + 60), l.node, html_escape(l.op), html_escape(shorten(l.name, 60)),
                     signed_num(l.series->sqnr_slope_db_per_step, 3));
  out += "</svg>\n";
  return out;
}

std::string layers_html(const Report& r) {
  const auto& layers = r.result.layers;
  if (layers.empty()) return section("layers", "SQNR along the network", "", "<p>Per-layer metrics were not computed (--no-layers).</p>\n");
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
  auto opt_db = [](const std::optional<ErrorStats>& s) { return s ? num(s->sqnr_db, 1) : std::string("-"); };
  for (const LayerResult* l : worst)
    table += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"name\" title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>\n",
        l->node, html_escape(l->op), html_escape(l->name), html_escape(shorten(l->name, 48)),
        l->quantized ? "int8" : "float", num(l->accumulated.sqnr_db, 1), opt_db(l->isolated), opt_db(l->weight_part),
        opt_db(l->activation_part), num(l->accumulated.cosine, 5), l->accumulated.flagged ? "neg" : "",
        l->accumulated.scale > 0 ? num(l->accumulated.rmse_over_scale, 3) : "-");
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
  items = largest(std::move(items));
  return section("classes", "Per-class top-1 delta",
                 fmt::format("Quantized minus float top-1 accuracy per class, in points (sample count in "
                             "parentheses).{}",
                             total > items.size() ? fmt::format(" The {} of {} classes with the largest change.",
                                                                items.size(), total)
                                                  : ""),
                 hbars_svg("chart-classes", items, "points"));
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
        w.node, html_escape(name), html_escape(shorten(name, 48)), html_escape(w.reason), w.elements, w.float_bytes,
        w.quantized_bytes, w.quantized ? num(sqnr, 1) : "-", w.quantized ? fmt::format("{:.3g}", w.max_abs_error) : "-",
        w.quantized ? fmt::format("{:.2f}%", 100 * w.zeroed_fraction) : "-");
  }
  table += "</table>\n";
  return section("weights-section", "Weight quantization",
                 fmt::format("Weights {} bytes as float, {} bytes quantized ({:.1f}%).", fb, qb,
                             fb > 0 ? 100.0 * qb / fb : 100.0),
                 table);
}

std::string gates_html(const Report& r) {
  std::string table = "<table id=\"gates\" class=\"numbers\">\n<tr><th>gate</th><th>actual</th><th>result</th></tr>\n";
  for (const auto& g : r.gates)
    table += fmt::format("<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                         g.passed ? "pass" : "fail", html_escape(g.gate.text),
                         std::isfinite(g.actual) ? fmt::format("{:.4g}", g.actual) : "n/a",
                         g.passed ? "pass" : "FAIL");
  table += "</table>\n";
  return section("gates-section", "Gates", "", table);
}

constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #222; background: #fff;
       margin: 0 auto; max-width: 1160px; padding: 12px 20px 40px; font-size: 14px; }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 17px; margin: 22px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
p.note { color: #555; margin: 4px 0 8px; max-width: 1100px; }
.verdict { display: flex; align-items: center; gap: 14px; padding: 10px 14px; border-radius: 6px; }
.verdict.pass { background: #e8f5e9; border: 1px solid #2e7d32; }
.verdict.fail { background: #fdecea; border: 1px solid #c62828; }
.verdict ul { margin: 0; padding-left: 18px; }
.badge { font-weight: bold; font-size: 20px; color: #fff; padding: 6px 16px; border-radius: 4px; }
.pass .badge { background: #2e7d32; }
.fail .badge { background: #c62828; }
.verdict.selective { background: #fff4e0; border: 1px solid #b26a00; }
.selective .badge { background: #b26a00; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
table.numbers td { font-variant-numeric: tabular-nums; }
table.manifest th { color: #555; font-weight: normal; }
td.name { max-width: 360px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td.neg, tr.fail td { color: #c62828; }
td.pos { color: #2e7d32; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 4px 0 10px; }
svg .grid { stroke: #e4e4e4; stroke-width: 1; }
svg .zero { stroke: #555; stroke-width: 1; }
svg .qmark { fill: #f1e6d6; }
svg .stripe { fill: #f7f7f7; }
svg .empty { fill: #ddd; }
svg .full { stroke: #c62828; stroke-width: 1.5; }
svg .label.kept { font-weight: bold; }
svg text { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; fill: #333; }
svg .tick { font-size: 11px; fill: #666; }
svg .axis, svg .legend, svg .label, svg .value { font-size: 12px; }
@media print { body { max-width: none; } section { break-inside: avoid; } }
)";

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string html_sensitivity_section(const Report& r) {
  if (!r.sensitivity)
    return section("sensitivity", "Sensitivity", "",
                   "<p class=\"note\" id=\"sensitivity-empty\">No sensitivity analysis in this report (it runs when a "
                   "gate fails on a model quantized under --scheme).</p>\n");
  const SensitivityResult& s = *r.sensitivity;
  const double per = s.layers.empty() ? 0.0 : (s.seconds - s.double_run_seconds) / s.layers.size();
  std::string body = sensitivity_chart(s, r.selective ? &*r.selective : nullptr);
  if (r.selective) body += selective_table(*r.selective);
  return section(
      "sensitivity", "Sensitivity",
      fmt::format("Top-1 drop in points (float minus quantized accuracy; right of zero is a loss) on the first {} "
                  "samples, per quantizable layer: with only that layer quantized (the damage it does alone) and "
                  "with only that layer kept float (the rest quantized: what keeping it float leaves). The dashed "
                  "line is the fully quantized model's drop ({} points). Cost: {:.2f} s per layer for both "
                  "variants vs {:.2f} s for one float + quantized run.",
                  s.samples, signed_num(drop(s.all_quantized.top1_delta), 2), per, s.double_run_seconds),
      body);
}

std::string to_html(const Report& r) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>qgate {} &#8212; {}</title>\n", html_escape(verdict_name(r.verdict.status)),
                     html_escape(r.manifest.model_path));
  out += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
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
  out += "</body>\n</html>\n";
  return out;
}

void write_html(const std::string& path, const Report& report) { write_file_atomic(path, to_html(report)); }

namespace {

// A per-scheme fragment of the compare document: every id gets the scheme's suffix (ids stay unique; nothing
// links to them by id) and section titles step down a level under the scheme's heading.
std::string scoped(const std::string& fragment, const std::string& suffix) {
  static const std::regex id(R"re( id="([^"]+)")re");
  std::string out = std::regex_replace(fragment, id, " id=\"$1" + suffix + "\"");
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"<h2>", "<h3>"}, {"</h2>", "</h3>"}})
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
      out.replace(at, from.size(), to);
  return out;
}

// Top-1 delta of each scheme with its 95% interval on one axis (0 marked): which schemes differ, and by how much
// more than noise.
std::string compare_top1_chart(const CompareReport& cr) {
  const double row = 26, top = 40, label_w = 330, value_w = 200;
  const double x0 = label_w + 14, x1 = kChartWidth - value_w;
  double lo = 0, hi = 0;
  for (const CompareRow& row_ : cr.rows)
    if (const auto* t = row_.report.result.model.find_k(1); t && row_.report.result.model.labeled > 0)
      for (double v : {t->delta_ci_low_pct, t->delta_ci_high_pct, t->delta_pct})
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  const double step = nice_step(std::max(hi - lo, 0.5), 6);
  lo = std::floor(lo / step) * step;
  hi = std::max(std::ceil(hi / step) * step, lo + step);
  auto x = [&](double v) { return x0 + (x1 - x0) * (std::clamp(v, lo, hi) - lo) / (hi - lo); };
  const double height = top + row * cr.rows.size() + 12;
  std::string out = fmt::format(
      R"(<svg id="chart-compare-top1" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" data-schemes="{}">)",
      kChartWidth, c(height), kChartWidth, c(height), cr.rows.size());
  out += "\n";
  for (double v = lo; v <= hi + step * 1e-6; v += step)
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="tick" text-anchor="middle">{:g}</text>)",
                       c(x(v)), c(top - 6), c(x(v)), c(height - 8), c(x(v)), c(top - 10), v);
  out += fmt::format(R"(<text x="{}" y="{}" class="axis" text-anchor="end">top-1 delta (points)</text>)", c(x0 - 8),
                     c(top - 10));
  for (size_t i = 0; i < cr.rows.size(); ++i) {
    const Report& r = cr.rows[i].report;
    const auto* t = r.result.model.labeled > 0 ? r.result.model.find_k(1) : nullptr;
    const double y = top + row * i;
    const bool pass = r.verdict.status == VerdictStatus::pass;
    out += fmt::format(R"(<g class="scheme" data-scheme="{}" data-verdict="{}">)", html_escape(r.manifest.scheme),
                       html_escape(verdict_name(r.verdict.status)));
    if (i % 2 == 0)
      out += fmt::format(R"(<rect x="0" y="{}" width="{}" height="{}" class="stripe"/>)", c(y), kChartWidth, row);
    out += fmt::format(R"(<text x="{}" y="{}" class="label" text-anchor="end">{}</text>)", c(label_w), c(y + 17),
                       html_escape(shorten(r.manifest.scheme, 46)));
    if (t && std::isfinite(t->delta_pct)) {
      const char* color = pass ? kGainColor : kLossColor;
      out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5" class="ci"/>)",
                         c(x(t->delta_ci_low_pct)), c(y + 13), c(x(t->delta_ci_high_pct)), c(y + 13), color);
      out += fmt::format(R"(<circle cx="{}" cy="{}" r="5" fill="{}" class="pt"><title>{}: {} [{}, {}] points</title></circle>)",
                         c(x(t->delta_pct)), c(y + 13), color, html_escape(r.manifest.scheme),
                         signed_num(t->delta_pct, 2), signed_num(t->delta_ci_low_pct, 2),
                         signed_num(t->delta_ci_high_pct, 2));
      out += fmt::format(R"(<text x="{}" y="{}" class="value">{} [{}, {}] {}</text>)", c(x1 + 10), c(y + 17),
                         signed_num(t->delta_pct, 2), signed_num(t->delta_ci_low_pct, 2),
                         signed_num(t->delta_ci_high_pct, 2), html_escape(verdict_name(r.verdict.status)));
    }
    out += "</g>\n";
  }
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="zero"/>)", c(x(0)), c(top - 4), c(x(0)),
                     c(height - 8));
  out += "</svg>\n";
  return out;
}

std::string compare_table(const CompareReport& cr) {
  std::string out = "<table id=\"compare\" class=\"numbers\">\n<tr><th>scheme</th><th>weight bytes float &rarr; "
                    "quantized</th><th>top-1 float</th><th>top-1 quantized</th><th>top-1 delta [95%]</th>"
                    "<th>top-5 delta [95%]</th><th>agreement</th><th>KL p99</th><th>SQNR min dB</th>"
                    "<th>verdict</th></tr>\n";
  auto delta = [](const TopKResult* t) {
    return t ? fmt::format("{} [{}, {}]", signed_num(t->delta_pct, 2), signed_num(t->delta_ci_low_pct, 2),
                           signed_num(t->delta_ci_high_pct, 2))
             : std::string("-");
  };
  for (size_t i = 0; i < cr.rows.size(); ++i) {
    const CompareRow& row = cr.rows[i];
    const Report& r = row.report;
    const auto& m = r.result.model;
    const auto* t1 = m.labeled > 0 ? m.find_k(1) : nullptr;
    const auto* t5 = m.labeled > 0 ? m.find_k(5) : nullptr;
    double sqnr = NAN;
    for (const auto& l : r.result.layers)
      if (std::isfinite(l.accumulated.sqnr_db)) sqnr = std::isfinite(sqnr) ? std::min(sqnr, l.accumulated.sqnr_db)
                                                                            : l.accumulated.sqnr_db;
    out += fmt::format(
        "<tr class=\"{}\"><td><code>{}</code></td><td>{} &rarr; {}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        r.verdict.status == VerdictStatus::pass ? "pass" : "fail", html_escape(r.manifest.scheme), row.float_bytes, row.quant_bytes,
        t1 ? num(t1->float_pct, 2) + "%" : "-", t1 ? num(t1->quant_pct, 2) + "%" : "-",
        t1 && t1->delta_pct < 0 ? "neg" : "pos", delta(t1), delta(t5), num(m.agreement, 4),
        fmt::format("{:.3g}", m.kl.p99), std::isfinite(sqnr) ? num(sqnr, 1) : "-", html_escape(verdict_name(r.verdict.status)));
  }
  out += "</table>\n";
  return out;
}

std::string compare_manifest_html(const CompareReport& cr) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"model", cr.model_path},
      {"model sha256", cr.model_sha256},
      {"data", cr.data_spec},
      {"data description", cr.data_description},
      {"data fingerprint", cr.data_fingerprint},
      {"samples", fmt::format("{}{}", cr.samples, cr.limit > 0 ? fmt::format(" (--limit {})", cr.limit) : "")},
      {"float outputs", cr.float_outputs == "cached" ? "read from the on-disk cache" : "computed"},
      {"threads", fmt::format("{} ({:.1f} s)", cr.threads, cr.seconds)},
      {"qgate version", cr.qgate_version}};
  std::string body = "<table class=\"manifest\">\n";
  for (const auto& [k, v] : rows)
    body += fmt::format("<tr><th>{}</th><td><code>{}</code></td></tr>\n", html_escape(k), html_escape(v));
  body += "</table>\n";
  return section("manifest", "Manifest", "", body);
}

}  // namespace

std::string to_html(const CompareReport& cr) {
  size_t passed = 0;
  for (const CompareRow& row : cr.rows) passed += row.report.verdict.status == VerdictStatus::pass;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>qgate compare &#8212; {}</title>\n", html_escape(cr.model_path));
  out += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  out += fmt::format("<header>\n<h1>qgate compare report</h1>\n<div class=\"verdict {}\" id=\"verdict\"><span "
                     "class=\"badge\">{} of {} pass</span><ul><li>{}</li><li>{} samples of {}</li></ul></div>\n"
                     "</header>\n",
                     passed == cr.rows.size() ? "pass" : "fail", passed, cr.rows.size(), html_escape(cr.model_path),
                     cr.samples, html_escape(cr.data_description.empty() ? cr.data_spec : cr.data_description));
  out += section("compare-section", "Schemes",
                 "One row per scheme, each evaluated against the same float outputs. Weight bytes: the weights the "
                 "scheme quantizes, as float32 and quantized (4-bit values count one byte each).",
                 compare_table(cr) + compare_top1_chart(cr));
  for (size_t i = 0; i < cr.rows.size(); ++i) {
    const Report& r = cr.rows[i].report;
    std::string body = verdict_html(r, "verdict") + accuracy_html(r) + gates_html(r);
    body += cr.layers ? layers_html(r)
                     : section("layers", "SQNR along the network", "",
                               "<p>Per-layer metrics were not computed (they need <code>--layers</code>).</p>\n");
    body += classes_html(r);
    out += fmt::format("<section id=\"scheme-{}\" class=\"scheme\" data-scheme=\"{}\">\n<h2>Scheme <code>{}</code></h2>\n{}"
                       "</section>\n",
                       i, html_escape(r.manifest.scheme), html_escape(r.manifest.scheme),
                       scoped(body, fmt::format("-s{}", i)));
  }
  out += compare_manifest_html(cr);
  out += "</body>\n</html>\n";
  return out;
}

void write_html(const std::string& path, const CompareReport& report) { write_file_atomic(path, to_html(report)); }

}  // namespace qgate::reports
