// JUnit XML export of a report's gates, so CI systems (GitLab, Jenkins, GitHub test reporters) show each release
// gate as a test: one <testcase classname="qgate.gates" name="GATE TEXT"> per gate, a <failure> with the gate's
// summary when it failed. The suite carries the run time and, as <properties>, the manifest (model, scheme, data)
// and the verdict, so a CI page shows what was evaluated. Text is escaped by escape_markup (reports/text.h).
#pragma once

#include <string>

#include "reports/compare.h"
#include "reports/report.h"

namespace qgate::reports {

std::string to_junit(const Report& report);
// qgate compare: one <testsuite name="qgate.compare.SCHEME"> per scheme, one testcase per scheme x gate (class
// "qgate.gates.SCHEME"), each suite with that scheme's manifest and verdict as properties.
std::string to_junit(const CompareReport& report);

}  // namespace qgate::reports
