// The HTML report's "outputs" section: every output's kind, its metrics table, and the charts of its kind (a bar
// per row of its kind-specific table, a histogram of its per-sample statistic).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/tensor.h"
#include "reports/html.h"
#include "reports/text.h"

namespace qgate::reports {

namespace {

std::string html_escape(std::string_view text) { return escape_markup(text, Markup::html); }

std::string number(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "&#8211;"; }

// The column of an output's rows its bar chart draws, by kind.
std::string main_column(const OutputResult& o) {
  switch (o.kind) {
    case OutputKind::classes: return "delta";
    case OutputKind::multilabel: return "agreement";
    case OutputKind::regression: return "mean_distance";
    case OutputKind::segmentation: return "iou_vs_float";
    default: return o.columns.empty() ? "" : o.columns.front();
  }
}

// One horizontal bar per row (value of `column`), zero line, values printed at the bar ends.
std::string rows_chart(const OutputResult& o) {
  const std::string column = main_column(o);
  const auto it = std::find(o.columns.begin(), o.columns.end(), column);
  if (it == o.columns.end() || o.rows.empty()) return "";
  const size_t c = static_cast<size_t>(it - o.columns.begin());
  double lo = 0, hi = 0;
  for (const OutputRow& r : o.rows)
    if (c < r.values.size() && std::isfinite(r.values[c])) {
      lo = std::min(lo, r.values[c]);
      hi = std::max(hi, r.values[c]);
    }
  if (hi == lo) hi = lo + 1;
  const double left = 150, width = 520, row_h = 16, top = 24;
  const double height = top + row_h * static_cast<double>(o.rows.size()) + 12;
  auto x = [&](double v) { return left + (v - lo) / (hi - lo) * width; };
  std::string out = fmt::format(
      "<svg class=\"chart\" id=\"chart-output-{}-rows\" data-kind=\"{}\" data-column=\"{}\" data-bars=\"{}\" "
      "viewBox=\"0 0 760 {:.0f}\" width=\"760\" height=\"{:.0f}\" role=\"img\" aria-label=\"{} per row\">\n",
      o.index, output_kind_name(o.kind), html_escape(column), o.rows.size(), height, height, html_escape(column));
  out += fmt::format("<text class=\"axis\" x=\"{:.1f}\" y=\"14\">{} of output {} ({})</text>\n", left,
                     html_escape(column), html_escape(o.name), output_kind_name(o.kind));
  out += fmt::format("<line class=\"zero\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\"/>\n", x(0), top - 4,
                     height - 8);
  for (size_t i = 0; i < o.rows.size(); ++i) {
    const OutputRow& r = o.rows[i];
    const double v = c < r.values.size() ? r.values[c] : NAN;
    const double y = top + row_h * static_cast<double>(i);
    out += "<g class=\"bar\">";
    out += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", left - 6,
                       y + 11, html_escape(r.label));
    if (std::isfinite(v)) {
      const double a = x(std::min(0.0, v)), b = x(std::max(0.0, v));
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>", a, y + 2,
                         std::max(0.5, b - a), row_h - 4, v < 0 ? "#c62828" : "#1565c0");
      out += fmt::format("<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", std::max(a, b) + 4, y + 11,
                         number(v));
    } else {
      out += fmt::format("<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\">&#8211;</text>", x(0) + 4, y + 11);
    }
    out += "</g>\n";
  }
  return out + "</svg>\n";
}

// The histogram of the per-sample statistic: one rect.hbin per bin.
std::string distribution_chart(const OutputResult& o) {
  if (!o.distribution || o.distribution->counts.empty()) return "";
  const Distribution& d = *o.distribution;
  int64_t most = 1;
  for (int64_t n : d.counts) most = std::max(most, n);
  const double left = 50, width = 680, top = 24, plot_h = 140, bins = static_cast<double>(d.counts.size());
  std::string out = fmt::format(
      "<svg class=\"chart\" id=\"chart-output-{}-dist\" data-kind=\"{}\" data-bins=\"{}\" data-statistic=\"{}\" "
      "viewBox=\"0 0 760 200\" width=\"760\" height=\"200\" role=\"img\" aria-label=\"{}\">\n",
      o.index, output_kind_name(o.kind), d.counts.size(), html_escape(d.statistic), html_escape(d.statistic));
  out += fmt::format("<text class=\"axis\" x=\"{:.1f}\" y=\"14\">samples by {} (output {})</text>\n", left,
                     html_escape(d.statistic), html_escape(o.name));
  for (size_t i = 0; i < d.counts.size(); ++i) {
    const double h = plot_h * static_cast<double>(d.counts[i]) / static_cast<double>(most);
    out += fmt::format("<rect class=\"hbin\" data-count=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                       "height=\"{:.1f}\" fill=\"#1565c0\"/>\n",
                       d.counts[i], left + width * static_cast<double>(i) / bins, top + plot_h - h,
                       std::max(0.5, width / bins - 1), h);
  }
  out += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", left, top + plot_h + 16,
                     number(d.edges.front()));
  out += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left + width,
                     top + plot_h + 16, number(d.edges.back()));
  out += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 4,
                     top + 10, most);
  return out + "</svg>\n";
}

std::string metrics_table(const OutputResult& o) {
  std::string t = "<table class=\"numbers\"><tr><th>metric</th><th>against</th><th>float</th><th>quantized</th>"
                  "<th>delta / value</th><th>95% interval</th><th>unit</th></tr>\n";
  for (const OutputMetric& m : o.metrics) {
    const double point = m.vs_targets ? m.delta : m.value;
    t += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     m.headline ? " class=\"headline\"" : "", html_escape(m.name),
                     m.vs_targets ? "targets" : "float output", m.vs_targets ? number(m.float_value) : "",
                     m.vs_targets ? number(m.quant_value) : "", number(point),
                     m.has_interval ? fmt::format("[{}, {}]", number(m.ci_low), number(m.ci_high)) : "",
                     html_escape(m.unit));
  }
  return t + "</table>\n";
}

}  // namespace

std::string html_outputs_section(const Report& r) {
  std::string body;
  for (const OutputResult& o : r.result.outputs) {
    body += fmt::format("<div class=\"output\" id=\"output-{}\" data-kind=\"{}\">\n<h3>Output {} <code>{}</code> {} "
                        "&#8212; {}</h3>\n<p class=\"note\">{}{}{}</p>\n",
                        o.index, output_kind_name(o.kind), o.index, html_escape(o.name), shape_string(o.shape),
                        output_kind_name(o.kind), html_escape(o.kind_source),
                        o.settings.empty() ? "" : "; " + html_escape(o.settings),
                        o.targets.empty() ? "" : fmt::format("; targets {} ({} samples)", html_escape(o.targets),
                                                             o.targeted));
    if (r.result.model_scored && o.index == r.result.model_output) {
      body += "<p class=\"note\">Its metrics are the accuracy table and the per-class chart of this report.</p>\n</div>\n";
      continue;
    }
    body += metrics_table(o) + rows_chart(o) + distribution_chart(o) + "</div>\n";
  }
  return fmt::format("<section id=\"outputs\">\n<h2>Outputs</h2>\n<p class=\"note\">Every model output, scored for "
                     "what it is; gates read outputs.&lt;name&gt;.&lt;metric&gt;.</p>\n{}</section>\n",
                     body);
}

}  // namespace qgate::reports
