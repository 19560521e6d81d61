// ONNX's losses: NegativeLogLikelihoodLoss as NLL_LOSS; SoftmaxCrossEntropyLoss as LOG_SOFTMAX over the class axis
// (its optional log_prob output) followed by NLL_LOSS, which is ONNX's definition of it.
#include <fmt/format.h>

#include "harness/onnx/importer.h"
#include "harness/onnx/ops.h"
#include "harness/onnx/proto.h"

namespace qgate::onnx_import {

namespace {

int nll(Importer& im, NodeRef n, int log_prob, const std::string& name) {
  std::vector<int> inputs = {log_prob, im.onnx_order(im.in(n, 1))};
  if (im.tensor(inputs[1]).dtype != DType::i64)
    inputs[1] = im.emit_multi(OpType::cast, {inputs[1]}, {}, {name + "/target"}, true, {DType::i64})[0];
  if (im.has(n, 2)) inputs.push_back(im.onnx_order(im.in(n, 2)));
  Attributes a;
  a.set("reduction", attr_string(n, "reduction", "mean"));
  if (find_attr(n, "ignore_index")) a.set("ignore_index", attr_int(n, "ignore_index", 0));
  return im.emit(OpType::nll_loss, inputs, a, name);
}

}  // namespace

void import_nll_loss(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  im.set(n, 0, {nll(im, n, im.onnx_order(im.in(n, 0)), name), Layout::onnx});
}

void import_softmax_cross_entropy(Importer& im, NodeRef n) {
  const std::string name = im.out_name(n);
  const int x = im.onnx_order(im.in(n, 0));
  const int rank = static_cast<int>(im.tensor(x).shape.size());
  if (rank < 2) im.unsupported(n, fmt::format("scores of rank {} (at least [N, C])", rank));
  const std::string lp_name = n.output_size() > 1 && !n.output(1).empty() ? n.output(1) : name + "/log_prob";
  int log_prob;
  if (rank == 2) {
    log_prob = im.emit(OpType::log_softmax, {x}, {}, lp_name);
  } else {
    // LOG_SOFTMAX works on the last axis: the class axis goes last and comes back.
    std::vector<int64_t> perm = {0}, inv(rank);
    for (int k = 2; k < rank; ++k) perm.push_back(k);
    perm.push_back(1);
    for (int k = 0; k < rank; ++k) inv[perm[k]] = k;
    const int t = im.transpose(x, perm, name + "/classes_last");
    const int s = im.emit(OpType::log_softmax, {t}, {}, name + "/log_softmax");
    log_prob = im.transpose(s, inv, lp_name);
  }
  im.set(n, 0, {nll(im, n, log_prob, name), Layout::onnx});
  im.set(n, 1, {log_prob, Layout::onnx});
}

}  // namespace qgate::onnx_import
