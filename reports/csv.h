// CSV export of a report, for spreadsheets and dashboards: one row per (layer, metric) and per model metric.
//
// Columns: section,node,name,op,metric,value
//   section: model | gate | class | layer | weight
//   node:    node index (layer, weight), class label (class); empty otherwise
//   name:    layer output / weight tensor / class name / gate text
//   op:      the layer's op (layer rows); empty otherwise
//   metric:  e.g. top1.delta, top1.ci_low, agreement, kl.p99 (model); accumulated.sqnr_db, isolated.cosine,
//            weight_part.sqnr_db (layer); passed, actual (gate)
//   value:   the shortest decimal that reads back to the same double; "inf"/"-inf" for infinities; empty for NaN
//            (JSON's null). Units as in the JSON report (accuracies in points, agreement a fraction, SQNR dB).
// Fields are quoted per RFC 4180 (a field holding a comma, quote, CR or LF is wrapped in quotes, quotes doubled);
// lines end with CRLF as the RFC says.
#pragma once

#include <string>
#include <string_view>

#include "reports/compare.h"
#include "reports/report.h"

namespace qgate::reports {

std::string to_csv(const Report& report);
// qgate compare: a leading `scheme` column, then each scheme's rows as above (one row per scheme x layer x
// metric, model, gate, class and weight rows), plus model rows weight_bytes.float / weight_bytes.quantized.
std::string to_csv(const CompareReport& report);

// One RFC 4180 field: as is, or quoted with inner quotes doubled when it holds ',', '"', '\r' or '\n'.
std::string csv_field(std::string_view text);

}  // namespace qgate::reports
