#include "reports/html_page.h"

#include <fmt/format.h>

#include "reports/text.h"

namespace qgate::reports::html {

namespace {

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

std::string escape(std::string_view text) { return escape_markup(text, Markup::html); }

std::string page_open(std::initializer_list<std::string_view> title_parts) {
  std::string title;
  for (std::string_view part : title_parts) title += (title.empty() ? "" : " &#8212; ") + escape(part);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + title + "</title>\n";
  out += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  return out;
}

std::string section(const std::string& id, const std::string& title, const std::string& note,
                    const std::string& body) {
  return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}{}\n</section>\n", id, escape(title),
                     note.empty() ? "" : "<p class=\"note\">" + note + "</p>\n", body);
}

std::string manifest_section(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string body = "<table class=\"manifest\">\n";
  for (const auto& [key, value] : rows)
    body += fmt::format("<tr><th>{}</th><td><code>{}</code></td></tr>\n", escape(key), escape(value));
  body += "</table>\n";
  return section("manifest", "Manifest", "", body);
}

}  // namespace qgate::reports::html
