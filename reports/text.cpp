#include "reports/text.h"

#include <cmath>

#include <fmt/format.h>

namespace qgate::reports {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// One step of UTF-8 decoding at text[at]: a well-formed sequence gives its code point and length; anything else
// gives the length of its maximal ill-formed subpart (the longest prefix that could still have begun a
// well-formed sequence, at least one byte). The ranges are Unicode's table of well-formed UTF-8 byte sequences:
// they exclude overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and values above U+10FFFF
// (F4 90.., F5..FF).
struct Utf8Step {
  bool well_formed;
  char32_t code_point;
  size_t length;
};

Utf8Step decode_utf8(std::string_view text, size_t at) {
  const unsigned char lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return {true, lead, 1};
  size_t length = 0;
  char32_t code_point = 0;
  unsigned char second_lo = 0x80, second_hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0F;
    if (lead == 0xE0) second_lo = 0xA0;
    if (lead == 0xED) second_hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07;
    if (lead == 0xF0) second_lo = 0x90;
    if (lead == 0xF4) second_hi = 0x8F;
  } else {
    return {false, 0, 1};  // a continuation byte without a lead, or a byte that never occurs in UTF-8
  }
  for (size_t k = 1; k < length; ++k) {
    if (at + k >= text.size()) return {false, 0, k};
    const unsigned char b = static_cast<unsigned char>(text[at + k]);
    const unsigned char lo = k == 1 ? second_lo : 0x80, hi = k == 1 ? second_hi : 0xBF;
    if (b < lo || b > hi) return {false, 0, k};
    code_point = (code_point << 6) | (b & 0x3F);
  }
  return {true, code_point, length};
}

// Characters both XML 1.0 and HTML allow in a document (see escape_markup in the header).
bool allowed_in_markup(char32_t c) {
  if (c < 0x20) return c == 0x09 || c == 0x0A || c == 0x0D;
  if (c >= 0x7F && c <= 0x9F) return false;
  if (c >= 0xFDD0 && c <= 0xFDEF) return false;
  if ((c & 0xFFFE) == 0xFFFE) return false;
  return true;
}

}  // namespace

std::string escape_markup(std::string_view text, Markup markup) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const Utf8Step step = decode_utf8(text, at);
    if (!step.well_formed || !allowed_in_markup(step.code_point)) {
      out += kReplacement;
    } else {
      switch (step.code_point) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += markup == Markup::html ? "&#39;" : "&apos;"; break;
        default: out.append(text.substr(at, step.length));
      }
    }
    at += step.length;
  }
  return out;
}

std::string fixed(double v, int precision) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, precision) : std::string("n/a");
}

std::string signed_fixed(double v, int precision) {
  return std::isfinite(v) ? fmt::format("{:+.{}f}", v, precision) : std::string("n/a");
}

std::string shorten_tail(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t from = s.size() - (max_bytes - 1);
  while (from < s.size() && (static_cast<unsigned char>(s[from]) & 0xC0) == 0x80) ++from;  // continuation byte
  return "\xE2\x80\xA6" + s.substr(from);  // U+2026 HORIZONTAL ELLIPSIS
}

}  // namespace qgate::reports
