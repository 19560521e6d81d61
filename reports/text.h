// Text shared by the report writers: the one escape for HTML and XML, number formats, shortened names. Knows
// nothing of reports.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qgate::reports {

// The markup a text is escaped for. The two differ only in how an apostrophe is spelled: HTML 4 has no &apos;,
// so HTML gets the numeric reference &#39; (valid XML as well); XML documents keep the named one.
enum class Markup { html, xml };

// `text` made safe as character data or as a quoted attribute value in an HTML or XML 1.0 document declared
// UTF-8: & < > " ' become references; every character that either language forbids becomes U+FFFD: C0 controls
// other than tab, LF and CR (XML 1.0's Char production; HTML forbids them too), DEL and the C1 controls U+0080..
// U+009F (HTML), and the noncharacters U+FDD0..U+FDEF and U+xFFFE, U+xFFFF of every plane (XML forbids U+FFFE and
// U+FFFF, HTML all of them). Bytes that are not well-formed UTF-8 (stray continuation bytes, truncated or overlong
// sequences, surrogates, values above U+10FFFF) become one U+FFFD per maximal ill-formed subpart, Unicode's
// recommended practice, so a document stays well-formed whatever a model or label file names. Tab, LF and CR are
// kept as they are.
std::string escape_markup(std::string_view text, Markup markup);

// `v` with `precision` decimals; "n/a" when not finite.
std::string fixed(double v, int precision);
// The same with the sign always written ("+0.00").
std::string signed_fixed(double v, int precision);

// `s` if it has at most `max_bytes` bytes (max_bytes >= 2), else an ellipsis and its last max_bytes - 1 bytes
// (the tail of a layer name or a path is the distinct part), the cut moved forward to a character boundary so
// no UTF-8 sequence is split.
std::string shorten_tail(const std::string& s, size_t max_bytes);

}  // namespace qgate::reports
