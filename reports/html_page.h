// The frame shared by qgate's HTML documents (eval and compare): the page head with its inline style sheet (no
// scripts, fonts or images fetched from anywhere, so a page reads offline and prints), the sections, and the
// manifest table. Knows nothing of reports.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qgate::reports::html {

// "<!DOCTYPE html>" through "<body>\n": the document's <title> is the parts (escaped) joined by an em dash, and
// the style sheet styles the classes of the sections here and of the SVG kit (reports/svg.h).
std::string page_open(std::initializer_list<std::string_view> title_parts);
inline constexpr std::string_view kPageClose = "</body>\n</html>\n";

// <section id="ID"><h2>TITLE</h2>, an optional <p class="note">, then `body`. `title` is escaped; `note` and
// `body` are markup.
std::string section(const std::string& id, const std::string& title, const std::string& note,
                    const std::string& body);

// The "manifest" section: one row per (key, value), both escaped, values in <code>.
std::string manifest_section(const std::vector<std::pair<std::string, std::string>>& rows);

// escape_markup(text, Markup::html).
std::string escape(std::string_view text);

}  // namespace qgate::reports::html
