// escape_markup and shorten_tail (reports/text.h) against hand-written expectations: the five references, every
// class of character HTML or XML 1.0 forbids, and ill-formed UTF-8 replaced one U+FFFD per maximal ill-formed
// subpart (the counts of Unicode's worked examples, chapter 3 "U+FFFD Substitution of Maximal Subparts").
#include <doctest/doctest.h>

#include <string>

#include "reports/text.h"

using qgate::reports::escape_markup;
using qgate::reports::Markup;
using qgate::reports::shorten_tail;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";  // U+FFFD

std::string html(const std::string& text) { return escape_markup(text, Markup::html); }
std::string xml(const std::string& text) { return escape_markup(text, Markup::xml); }

}  // namespace

TEST_SUITE("harness.reports.text") {
  TEST_CASE("escape_markup: the five special characters; only the apostrophe's spelling differs") {
    CHECK(html("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
    CHECK(xml("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(html("plain text, 1.5 dB") == "plain text, 1.5 dB");
    CHECK(html("&amp;") == "&amp;amp;");  // text, not markup: an entity in the input is escaped again
    CHECK(html("") == "");
  }

  TEST_CASE("escape_markup: tab, LF and CR stay; other C0 controls, DEL and C1 controls become U+FFFD") {
    CHECK(xml("a\tb\nc\rd") == "a\tb\nc\rd");
    CHECK(xml(std::string("a\x01" "b")) == "a" + kFffd + "b");
    CHECK(xml(std::string("\x00", 1)) == kFffd);
    CHECK(xml("\x0C\x1F") == kFffd + kFffd);          // form feed (HTML whitespace, forbidden in XML 1.0), US
    CHECK(html("\x7F") == kFffd);                     // DEL
    CHECK(html("\xC2\x80\xC2\x9F") == kFffd + kFffd);  // U+0080, U+009F
    CHECK(html("\xC2\xA0") == "\xC2\xA0");            // U+00A0, the first character after the C1 block
  }

  TEST_CASE("escape_markup: noncharacters become U+FFFD; other characters of every length pass") {
    CHECK(html("\xEF\xBF\xBE") == kFffd);             // U+FFFE
    CHECK(html("\xEF\xBF\xBF") == kFffd);             // U+FFFF
    CHECK(html("\xEF\xB7\x90\xEF\xB7\xAF") == kFffd + kFffd);  // U+FDD0, U+FDEF
    CHECK(html("\xF0\x9F\xBF\xBF") == kFffd);         // U+1FFFF
    CHECK(html("\xF4\x8F\xBF\xBE") == kFffd);         // U+10FFFE
    CHECK(html("\xEF\xB7\x8F") == "\xEF\xB7\x8F");    // U+FDCF
    CHECK(html("\xEF\xBF\xBD") == kFffd);             // U+FFFD itself is allowed
    CHECK(html("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBD") ==
          "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBD");  // é € U+1F600 U+10FFFD
  }

  TEST_CASE("escape_markup: ill-formed UTF-8, one U+FFFD per maximal ill-formed subpart") {
    CHECK(html("\xFF") == kFffd);                                    // never a UTF-8 byte
    CHECK(html("a\x80" "b") == "a" + kFffd + "b");                   // continuation without a lead
    CHECK(html("\xC0\xAF") == kFffd + kFffd);                        // overlong '/': C0 is never a lead
    CHECK(html("\xE0\x80\xAF") == kFffd + kFffd + kFffd);            // overlong: E0 needs A0..BF next
    CHECK(html("\xED\xA0\x80") == kFffd + kFffd + kFffd);            // surrogate U+D800
    CHECK(html("\xF4\x90\x80\x80") == kFffd + kFffd + kFffd + kFffd);  // above U+10FFFF
    CHECK(html("\xE2\x82<") == kFffd + "&lt;");                      // truncated, then a valid character
    CHECK(html("\xF0\x9F\x98") == kFffd);                            // truncated at the end
  }

  TEST_CASE("shorten_tail keeps the tail behind an ellipsis and never splits a character") {
    CHECK(shorten_tail("abcd", 4) == "abcd");
    CHECK(shorten_tail("abcdef", 4) == "\xE2\x80\xA6" "def");
    // "x" and four 2-byte "é": the last 3 bytes start inside an "é", so the cut moves to the next character.
    CHECK(shorten_tail("x\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4) == "\xE2\x80\xA6\xC3\xA9");
  }
}
