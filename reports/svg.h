// A small SVG chart kit for charts inlined in an HTML page: scales and axes, grids, bars, lines, legends, labels
// and a palette. It draws the numbers, labels and colours it is given and knows nothing of reports; the documents
// (html_eval.cpp, html_compare.cpp) decide what is drawn. Every text it receives is escaped here. Coordinates are
// SVG user units written with one decimal (a tenth of a pixel at most, and small files); the page's CSS styles
// the classes used here (grid, tick, axis, legend, label, value, stripe, zero).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qgate::reports::svg {

// Every chart is this wide; it scales down with the page through CSS max-width.
constexpr double kChartWidth = 1120;

// Palette: the categorical colours of common plotting defaults.
constexpr const char* kBlue = "#1f77b4";
constexpr const char* kOrange = "#ff7f0e";
constexpr const char* kPurple = "#8c6bb1";
constexpr const char* kTeal = "#41b6c4";
constexpr const char* kGreen = "#2ca02c";
constexpr const char* kRed = "#d62728";

// A coordinate with one decimal.
std::string coord(double v);

// A tick step of 1, 2 or 5 times a power of ten giving about `target` ticks over `span` (1 for an empty span).
double nice_step(double span, int target);

// A vertical value axis: [lo, hi] drawn over [top, top + height], larger values higher; values are clamped.
struct YAxis {
  double lo = 0, hi = 1, top = 0, height = 1;
  double y(double v) const;
};

// An axis over the finite `values`, its ends rounded out to a nice step. `from_zero`: 0 is included (values
// compared with each other across layers); otherwise the axis spans only the values (a trend).
YAxis y_axis_for(const std::vector<double>& values, double top, double height, bool from_zero = true);

// A horizontal value axis: [lo, hi] drawn over [x0, x1]; values are clamped.
struct XAxis {
  double lo = 0, hi = 1, x0 = 0, x1 = 1;
  double x(double v) const;
};

// <svg id="ID" class="CLASSES" ... viewBox="0 0 kChartWidth HEIGHT" ...>, then `attributes` (already formatted
// and escaped, e.g. data-* values the tests read).
std::string open(std::string_view id, std::string_view classes, double height, std::string_view attributes);
inline constexpr std::string_view kClose = "</svg>\n";

// <text> at (x, y) with class `cls`, text-anchor `anchor` unless empty ("start", "middle", "end"), `text` escaped.
std::string label(double x, double y, std::string_view cls, std::string_view anchor, std::string_view text);
// <line> from (x1, y1) to (x2, y2) with class `cls`.
std::string line(double x1, double y1, double x2, double y2, std::string_view cls);
// A background stripe across the chart for the table-like row at y (striped every other row).
std::string stripe(double y, double row_height);

// Horizontal grid lines of `axis` from x0 to x1 with value labels left of x0, and `unit` above them.
std::string y_grid(const YAxis& axis, double x0, double x1, const std::string& unit);
// Vertical grid lines of `axis` at first, first + step, ... up to hi, from line_top to line_bottom, each with its
// value centred at label_y.
std::string x_grid(const XAxis& axis, double first, double step, double line_top, double line_bottom,
                   double label_y);

// A legend entry at (x, y): a short line (or a small box when !as_line) in `color`, then `text`.
std::string legend_item(double x, double y, const char* color, const std::string& text, bool as_line = true);

// A path through the points in order; a non-finite y lifts the pen, so gaps stay gaps. Empty without any point.
std::string polyline_path(const std::vector<std::pair<double, double>>& points, const char* color,
                          std::string_view cls);

// A labelled value for a bar chart.
using Bar = std::pair<std::string, double>;

// Horizontal bars from a zero line, one row per bar (label left, signed value right), kGreen for positive and
// kRed for negative values: <g class="bar" data-label data-value> per bar; the <svg> carries data-bars and
// data-unit. Zero sits in the middle only when both signs occur; otherwise the bars use the whole width.
std::string diverging_bars(std::string_view id, const std::vector<Bar>& bars, const std::string& unit);

// The `keep` bars of largest magnitude (non-finite values last), in their original order: a chart of 1000
// classes stays readable.
std::vector<Bar> largest_magnitudes(std::vector<Bar> bars, size_t keep);

}  // namespace qgate::reports::svg
