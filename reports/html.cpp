#include "reports/html.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "harness/npy.h"

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

std::string header_html(const Report& r) {
  const bool pass = r.verdict.status == "PASS";
  std::string out = "<header>\n<h1>qgate eval report</h1>\n";
  out += fmt::format("<div class=\"verdict {}\" id=\"verdict\"><span class=\"badge\">{}</span><ul>",
                     pass ? "pass" : "fail", html_escape(r.verdict.status.empty() ? "NO VERDICT" : r.verdict.status));
  for (const auto& reason : r.verdict.reasons) out += "<li>" + html_escape(reason) + "</li>";
  out += "</ul></div>\n</header>\n";
  return out;
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
  auto opt_db = [](const std::optional<metrics::ErrorStats>& s) { return s ? num(s->sqnr_db, 1) : std::string("-"); };
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

std::string html_sensitivity_section(const std::vector<std::pair<std::string, double>>& items,
                                     std::string_view unit) {
  if (items.empty())
    return section("sensitivity", "Sensitivity", "",
                   "<p class=\"note\" id=\"sensitivity-empty\">No sensitivity analysis in this report.</p>\n");
  const size_t total = items.size();
  auto kept = largest(items);
  return section("sensitivity", "Sensitivity",
                 fmt::format("Per-layer effect, in {}.{}", html_escape(unit),
                             total > kept.size() ? fmt::format(" The {} of {} largest.", kept.size(), total) : ""),
                 hbars_svg("chart-sensitivity", kept, std::string(unit)));
}

std::string to_html(const Report& r, const std::vector<std::pair<std::string, double>>& sensitivity) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>qgate {} &#8212; {}</title>\n", html_escape(r.verdict.status),
                     html_escape(r.manifest.model_path));
  out += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  out += header_html(r);
  out += accuracy_html(r);
  out += gates_html(r);
  out += layers_html(r);
  out += classes_html(r);
  out += html_sensitivity_section(sensitivity);
  out += weights_html(r);
  out += manifest_html(r);
  out += "</body>\n</html>\n";
  return out;
}

void write_html(const std::string& path, const Report& report,
                const std::vector<std::pair<std::string, double>>& sensitivity) {
  write_file_atomic(path, to_html(report, sensitivity));
}

}  // namespace qgate::reports
