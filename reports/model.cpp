#include "reports/model.h"

namespace qgate::reports {

const char* score_kind_name(ScoreKind kind) {
  switch (kind) {
    case ScoreKind::probabilities: return "probabilities";
    case ScoreKind::logits: return "logits";
    case ScoreKind::mixed: return "mixed";
  }
  return "?";
}

const char* verdict_name(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::pass: return "PASS";
    case VerdictStatus::fail: return "FAIL";
    case VerdictStatus::selective: return "SELECTIVE";
    case VerdictStatus::needs_qat: return "NEEDS_QAT";
  }
  return "?";
}

const TopKResult* ModelMetrics::find_k(int k) const {
  for (const TopKResult& t : top_k)
    if (t.k == k) return &t;
  return nullptr;
}

}  // namespace qgate::reports
