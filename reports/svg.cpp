#include "reports/svg.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/text.h"

namespace qgate::reports::svg {

namespace {

// Inline SVG is part of the HTML page.
std::string escape(std::string_view text) { return escape_markup(text, Markup::html); }

}  // namespace

std::string coord(double v) { return fmt::format("{:.1f}", v); }

double nice_step(double span, int target) {
  if (!(span > 0)) return 1;
  const double raw = span / target;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

double YAxis::y(double v) const { return top + height * (hi - std::clamp(v, lo, hi)) / (hi - lo); }

YAxis y_axis_for(const std::vector<double>& values, double top, double height, bool from_zero) {
  double lo = from_zero ? 0 : INFINITY, hi = from_zero ? 0 : -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) lo = 0, hi = 0;
  const double step = nice_step(std::max(hi - lo, 1.0), 5);
  lo = std::floor(lo / step) * step;
  hi = std::max(std::ceil(hi / step) * step, lo + step);
  return {lo, hi, top, height};
}

double XAxis::x(double v) const { return x0 + (x1 - x0) * (std::clamp(v, lo, hi) - lo) / (hi - lo); }

std::string open(std::string_view id, std::string_view classes, double height, std::string_view attributes) {
  return fmt::format(
      R"(<svg id="{}" class="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" {}>)",
      id, classes, kChartWidth, coord(height), kChartWidth, coord(height), attributes);
}

std::string label(double x, double y, std::string_view cls, std::string_view anchor, std::string_view text) {
  if (anchor.empty())
    return fmt::format(R"(<text x="{}" y="{}" class="{}">{}</text>)", coord(x), coord(y), cls, escape(text));
  return fmt::format(R"(<text x="{}" y="{}" class="{}" text-anchor="{}">{}</text>)", coord(x), coord(y), cls, anchor,
                     escape(text));
}

std::string line(double x1, double y1, double x2, double y2, std::string_view cls) {
  return fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"/>)", coord(x1), coord(y1), coord(x2),
                     coord(y2), cls);
}

std::string stripe(double y, double row_height) {
  return fmt::format(R"(<rect x="0" y="{}" width="{}" height="{}" class="stripe"/>)", coord(y), kChartWidth,
                     row_height);
}

std::string y_grid(const YAxis& axis, double x0, double x1, const std::string& unit) {
  std::string out;
  const double step = nice_step(axis.hi - axis.lo, 5);
  for (double v = axis.lo; v <= axis.hi + step * 1e-6; v += step) {
    const double y = axis.y(v);
    out += line(x0, y, x1, y, "grid");
    out += label(x0 - 6, y + 4, "tick", "end", fmt::format("{:g}", v));
  }
  out += label(x0 - 40, axis.top - 8, "axis", "start", unit);
  return out;
}

std::string x_grid(const XAxis& axis, double first, double step, double line_top, double line_bottom,
                   double label_y) {
  std::string out;
  for (double v = first; v <= axis.hi + step * 1e-6; v += step)
    out += line(axis.x(v), line_top, axis.x(v), line_bottom, "grid") +
           label(axis.x(v), label_y, "tick", "middle", fmt::format("{:g}", v));
  return out;
}

std::string legend_item(double x, double y, const char* color, const std::string& text, bool as_line) {
  std::string out = as_line ? fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/>)",
                                          coord(x), coord(y), coord(x + 22), coord(y), color)
                            : fmt::format(R"(<rect x="{}" y="{}" width="16" height="10" fill="{}"/>)", coord(x + 3),
                                          coord(y - 5), color);
  out += label(x + 28, y + 4, "legend", "", text);
  return out;
}

std::string polyline_path(const std::vector<std::pair<double, double>>& points, const char* color,
                          std::string_view cls) {
  std::string d;
  bool pen = false;
  for (const auto& [x, y] : points) {
    if (!std::isfinite(y)) {
      pen = false;
      continue;
    }
    d += fmt::format("{}{} {} ", pen ? "L" : "M", coord(x), coord(y));
    pen = true;
  }
  if (d.empty()) return {};
  return fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.8" class="{}"/>)", d, color, cls);
}

std::string diverging_bars(std::string_view id, const std::vector<Bar>& bars, const std::string& unit) {
  const double row = 20, top = 28, label_w = 260, value_w = 110;
  const double x0 = label_w + 10, x1 = kChartWidth - value_w;
  double magnitude = 0;
  for (const auto& [_, v] : bars)
    if (std::isfinite(v)) magnitude = std::max(magnitude, std::abs(v));
  if (magnitude == 0) magnitude = 1;
  bool any_negative = false, any_positive = false;
  for (const auto& [_, v] : bars) any_negative |= v < 0, any_positive |= v > 0;
  const bool both = any_negative && any_positive;
  const double zero = both ? (x0 + x1) / 2 : any_negative ? x1 : x0;
  const double scale = (both ? (x1 - x0) / 2 : (x1 - x0)) / magnitude;
  const double height = top + row * bars.size() + 10;
  std::string out =
      open(id, "chart", height, fmt::format(R"(data-bars="{}" data-unit="{}")", bars.size(), escape(unit)));
  out += "\n";
  // Written y="16" rather than coord(16) = "16.0", so reports stay byte-identical to earlier versions.
  out += fmt::format(R"(<text x="{}" y="16" class="axis" text-anchor="middle">{}</text>)", coord(zero),
                     escape("0 " + unit));
  for (size_t i = 0; i < bars.size(); ++i) {
    const auto& [text, v] = bars[i];
    const double y = top + row * i;
    const double w = std::isfinite(v) ? std::abs(v) * scale : 0;
    const double x = v < 0 ? zero - w : zero;
    out += fmt::format(R"(<g class="bar" data-label="{}" data-value="{}"><title>{}: {} {}</title>)", escape(text),
                       std::isfinite(v) ? fmt::format("{:g}", v) : "nan", escape(text), signed_fixed(v, 2),
                       escape(unit));
    if (i % 2 == 0) out += stripe(y, row);
    out += label(label_w, y + 14, "label", "end", shorten_tail(text, 40));
    out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", coord(x), coord(y + 3),
                       coord(std::max(w, 1.0)), row - 6, v < 0 ? kRed : kGreen);
    out += label(x1 + 8, y + 14, "value", "", signed_fixed(v, 2) + " " + unit);
    out += "</g>\n";
  }
  out += line(zero, top - 4, zero, height - 8, "zero");
  out += kClose;
  return out;
}

std::vector<Bar> largest_magnitudes(std::vector<Bar> bars, size_t keep) {
  if (bars.size() <= keep) return bars;
  std::vector<size_t> order(bars.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const double va = std::isfinite(bars[a].second) ? std::abs(bars[a].second) : -1;
    const double vb = std::isfinite(bars[b].second) ? std::abs(bars[b].second) : -1;
    return va > vb;
  });
  order.resize(keep);
  std::sort(order.begin(), order.end());
  std::vector<Bar> kept;
  for (size_t i : order) kept.push_back(std::move(bars[i]));
  return kept;
}

}  // namespace qgate::reports::svg
