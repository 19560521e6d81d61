#include "kernels/einsum.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace qgate::kernels {

namespace {

// One operand's (or the output's) term, as a list of labels: a letter, or -1 - k for broadcast dim k of "..."
// counted from the right.
struct Term {
  std::vector<int> labels;  // letters as their char codes; broadcast dims as negative numbers
  bool ellipsis = false;
};

bool parse_term(const std::string& t, int rank, int ellipsis_rank, Term* out, std::string* error) {
  Term term;
  int explicit_labels = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.compare(i, 3, "...") == 0) {
      if (term.ellipsis) {
        *error = "a term holds '...' twice";
        return false;
      }
      term.ellipsis = true;
      i += 2;
    } else if (std::isalpha(static_cast<unsigned char>(t[i]))) {
      ++explicit_labels;
    } else {
      *error = std::string("character '") + t[i] + "' in the equation";
      return false;
    }
  }
  const int dots = rank < 0 ? ellipsis_rank : rank - explicit_labels;
  if (rank >= 0 && (dots < 0 || (!term.ellipsis && dots != 0))) {
    *error = "term '" + t + "' does not match an operand of rank " + std::to_string(rank);
    return false;
  }
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.compare(i, 3, "...") == 0) {
      for (int k = dots - 1; k >= 0; --k) term.labels.push_back(-1 - k);
      i += 2;
    } else {
      term.labels.push_back(static_cast<unsigned char>(t[i]));
    }
  }
  *out = term;
  return true;
}

}  // namespace

std::string make_einsum_plan(const std::string& equation, const std::vector<std::vector<int32_t>>& shapes,
                             EinsumPlan* plan, std::vector<int32_t>* out_shape) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> inputs;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    inputs.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (inputs.size() != shapes.size())
    return "the equation has " + std::to_string(inputs.size()) + " input terms for " + std::to_string(shapes.size()) +
           " operands";
  if (shapes.size() > kMaxEinsumOperands) return "more than " + std::to_string(kMaxEinsumOperands) + " operands";
  std::string error;
  std::vector<Term> terms(inputs.size());
  int ellipsis_rank = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!parse_term(inputs[i], static_cast<int>(shapes[i].size()), 0, &terms[i], &error)) return error;
    int dots = 0;
    for (int l : terms[i].labels) dots += l < 0;
    ellipsis_rank = std::max(ellipsis_rank, dots);
  }
  // The size of every label; a broadcast dim takes the largest of its operands' sizes (each 1 or that size).
  std::map<int, int64_t> size;
  for (size_t i = 0; i < terms.size(); ++i)
    for (size_t d = 0; d < terms[i].labels.size(); ++d) {
      const int l = terms[i].labels[d];
      const int64_t dim = shapes[i][d];
      auto it = size.find(l);
      if (it == size.end() || it->second == 1) {
        size[l] = dim;
      } else if (dim != it->second && !(l < 0 && dim == 1)) {
        return "label sizes disagree: " + std::to_string(it->second) + " and " + std::to_string(dim);
      }
    }
  Term out;
  if (arrow != std::string::npos) {
    if (!parse_term(eq.substr(arrow + 2), -1, ellipsis_rank, &out, &error)) return error;
    for (int l : out.labels)
      if (!size.count(l)) return "output label '" + std::string(1, static_cast<char>(l)) + "' is in no input";
  } else {
    // Implicit output: the broadcast dims, then the letters that occur once, in alphabetical order.
    for (int k = ellipsis_rank - 1; k >= 0; --k) out.labels.push_back(-1 - k);
    std::map<int, int> occurrences;
    for (const Term& t : terms)
      for (int l : t.labels) ++occurrences[l];
    for (const auto& [l, n] : occurrences)
      if (l > 0 && n == 1) out.labels.push_back(l);
  }
  // Number the labels: the output's first (so the odometer's innermost labels walk the output densely).
  std::vector<int> order = out.labels;
  for (const auto& [l, s] : size)
    if (std::find(order.begin(), order.end(), l) == order.end()) order.push_back(l);
  if (static_cast<int>(order.size()) > kMaxEinsumLabels) return "more than 16 labels";
  EinsumPlan p;
  p.labels = static_cast<int>(order.size());
  p.operands = static_cast<int>(terms.size());
  const auto index_of = [&](int l) { return static_cast<int>(std::find(order.begin(), order.end(), l) - order.begin()); };
  for (int k = 0; k < p.labels; ++k) p.sizes[k] = size[order[k]];
  for (size_t i = 0; i < terms.size(); ++i) {
    int64_t stride = 1;
    for (int d = static_cast<int>(terms[i].labels.size()) - 1; d >= 0; --d) {
      if (shapes[i][d] != 1) p.strides[i][index_of(terms[i].labels[d])] += stride;
      stride *= shapes[i][d];
    }
  }
  out_shape->clear();
  int64_t stride = 1;
  for (int d = static_cast<int>(out.labels.size()) - 1; d >= 0; --d) {
    const int k = index_of(out.labels[d]);
    if (p.out_strides[k] != 0) return "an output label repeats";
    p.out_strides[k] = stride;
    stride *= p.sizes[k];
  }
  for (int l : out.labels) out_shape->push_back(static_cast<int32_t>(size[l]));
  p.out_elements = stride;
  *plan = p;
  return "";
}

void einsum(const EinsumPlan& plan, std::span<const float* const> operands, float* out, double* scratch) {
  std::fill(scratch, scratch + plan.out_elements, 0.0);
  int64_t total = 1;
  for (int k = 0; k < plan.labels; ++k) total *= plan.sizes[k];
  std::array<int64_t, kMaxEinsumLabels> idx{};
  std::array<int64_t, kMaxEinsumOperands> off{};
  int64_t o = 0;
  for (int64_t step = 0; step < total; ++step) {
    double prod = 1.0;
    for (int i = 0; i < plan.operands; ++i) prod *= operands[i][off[i]];
    scratch[o] += prod;
    // Odometer over the labels, the last one fastest.
    for (int k = plan.labels - 1; k >= 0; --k) {
      for (int i = 0; i < plan.operands; ++i) off[i] += plan.strides[i][k];
      o += plan.out_strides[k];
      if (++idx[k] < plan.sizes[k]) break;
      for (int i = 0; i < plan.operands; ++i) off[i] -= plan.strides[i][k] * plan.sizes[k];
      o -= plan.out_strides[k] * plan.sizes[k];
      idx[k] = 0;
    }
  }
  for (int64_t i = 0; i < plan.out_elements; ++i) out[i] = static_cast<float>(scratch[i]);
}

}  // namespace qgate::kernels
