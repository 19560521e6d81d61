// The ONNX importer core, internal to harness/onnx/: the state of one import (the Graph under construction, the
// ONNX value -> tensor map with each value's layout) and the building blocks the op handlers use: emitting a node
// (folded at once when its inputs are constants), constants, NCHW/NHWC conversions, node inputs and attributes,
// and the errors. The op handlers (ops.h) are looked up in one table (op_table.h); the public entry points are
// in import.h.
//
// Layout: a 4-D NCHW value may be stored as its NHWC permutation (Layout::nhwc). onnx_order() and nhwc() convert
// with one TRANSPOSE each way, memoised, so a conv chain pays one transpose where it is entered and one where it
// is left.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/errors.h"
#include "harness/graph.h"

namespace qgate::onnx_import {

enum class Layout { onnx, nhwc };  // nhwc: a 4-D NCHW value stored as NHWC

// An ONNX value: the tensor that holds it and how it is stored.
struct Value {
  int id = -1;
  Layout layout = Layout::onnx;
};

// A model qgate cannot import (an op, attribute or input it does not take); still a ModelError.
class NotSupported : public ModelError {
 public:
  using ModelError::ModelError;
};

// NCHW axis -> its position in the NHWC storage, and the two permutations.
inline constexpr int kToNhwcPos[4] = {0, 3, 1, 2};
inline const std::vector<int64_t> kNchwToNhwc = {0, 2, 3, 1};
inline const std::vector<int64_t> kNhwcToNchw = {0, 3, 1, 2};

// ONNX pads / auto_pad of a 2-D window -> TFLite's padding (SAME 0 or VALID 1) and explicit
// [top, left, bottom, right] pads still to apply before the op.
struct WindowPadding {
  int64_t tflite = 1;                  // VALID
  std::vector<int64_t> explicit_pads;  // empty: none
};

// The operand types a binary op takes (both operands of one type): float32, int32, int64 for arithmetic; bool
// as well for comparisons; bool alone for the logical ops; float32 alone for PRELU. The second names them.
bool binary_operand_type_ok(OpType op, DType t);
std::string binary_operand_types(OpType op);

// TFLite's SAME padding of one spatial dim of size `in` (kernel k, stride s, dilation d): total =
// max((ceil(in / s) - 1) * s + (k - 1) * d + 1 - in, 0), the smaller half before, the odd one after.
std::pair<int64_t, int64_t> same_padding(int64_t in, int64_t k, int64_t s, int64_t d);

class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::string& source);

  // Imports the whole model: every unsupported op type is listed in one error first.
  Graph run();

  const onnx::ModelProto& model() const { return model_; }
  const std::string& source() const { return source_; }
  int opset() const { return opset_; }
  Graph& graph() { return g_; }
  // A reference into the graph: adding a tensor (add, const_*, emit) may move it.
  Tensor& tensor(int id) { return g_.tensors[id]; }

  // ---- building the graph ----
  int add(Tensor t);
  int const_f32(const std::string& name, Shape shape, const std::vector<float>& v);
  int const_i32(const std::string& name, const std::vector<int64_t>& v, Shape shape = {});
  int const_i64(const std::string& name, const std::vector<int64_t>& v);
  // Adds a node; prepare() computes its output shapes now (later nodes need them). A node whose inputs are all
  // constants runs once here and its outputs become constants (shape arithmetic, weight transposes) unless
  // `fold` is false.
  int emit(OpType op, std::vector<int> inputs, const Attributes& attrs, const std::string& name, bool fold = true);
  // `types`: output dtypes set before prepare, for ops that read their target type from the output (CAST).
  std::vector<int> emit_multi(OpType op, std::vector<int> inputs, const Attributes& attrs,
                              const std::vector<std::string>& names, bool fold = true,
                              const std::vector<DType>& types = {});
  int transpose(int id, const std::vector<int64_t>& perm, const std::string& name);

  // ---- layouts ----
  // The value in ONNX order (one TRANSPOSE, memoised, when it is stored NHWC).
  int onnx_order(const Value& v);
  // A 4-D NCHW value as NHWC; refuses other ranks naming node `n`.
  int nhwc(const Value& v, const onnx::NodeProto& n);
  // The ONNX (logical) shape of a value; symbolic dimensions (core/tensor.h) stay symbolic.
  Shape logical_shape(const Value& v) const;
  // True when a dimension of the value's shape is symbolic.
  bool symbolic(const Value& v) const { return !shape_is_concrete(g_.tensors[v.id].shape); }
  // The value's ONNX shape as an int64 tensor computed at prepare (a SHAPE node, its dims permuted back to ONNX
  // order for an NHWC-stored value), restricted to dims [start, end); a constant when those dims are concrete.
  int shape_tensor(const Value& v, int start, int end, const std::string& name);
  // The value reshaped to 2-D [prod(dims < axis), prod(dims >= axis)] (Flatten's rule), with -1 or a copied
  // dimension standing for a symbolic side; refuses, naming node n, symbolic dimensions on both sides of an axis
  // other than 1.
  int flatten_2d(const onnx::NodeProto& n, const Value& x, int axis, const std::string& name);
  // A constant operand broadcast against a 4-D NHWC-stored value: right-aligned to rank 4 (numpy rules), its
  // data permuted to NHWC. -1 when its rank is above 4.
  int constant_to_nhwc(int id);

  // ---- node inputs and outputs ----
  // Input i of n ({} when absent); throws when no earlier node produced it.
  Value in(const onnx::NodeProto& n, int i) const;
  bool has(const onnx::NodeProto& n, int i) const { return i < n.input_size() && !n.input(i).empty(); }
  // The value named `name`, read by node `reader` (named in the error when no earlier node produced it).
  Value value_of(const std::string& name, const onnx::NodeProto& reader) const;
  // Input i as integers / one float: it must be a constant, as qgate needs it at load time.
  std::vector<int64_t> const_ints(const onnx::NodeProto& n, int i, const char* what);
  float const_scalar(const onnx::NodeProto& n, int i, const char* what);
  // Binds output `out` of n (when the node names it) to v.
  void set(const onnx::NodeProto& n, int out, Value v);
  // The name of what n produces: its first output, else the node name.
  std::string out_name(const onnx::NodeProto& n) const { return n.output_size() ? n.output(0) : n.name(); }
  // The ONNX element type (TensorProto.DataType) the model declares for value `name`: a graph input or output,
  // value_info, an initializer, a Constant's value or a Cast's `to`; else that of the DType qgate holds it in.
  std::optional<int64_t> declared_type(const std::string& name) const;
  // True when every ONNX name bound to tensor `id` is read by at most one node or graph output.
  bool read_at_most_once(int id) const;
  [[noreturn]] void unsupported(const onnx::NodeProto& n, const std::string& why) const;

  // ---- building blocks shared by op handlers ----
  // Binary elementwise op with ONNX (numpy) broadcasting, staying NHWC when one side is NHWC and the other a
  // constant or also NHWC.
  void binary(const onnx::NodeProto& n, OpType op, Value a, Value b, int out = 0);
  // An elementwise op of one input, in whatever layout the input has.
  void unary(const onnx::NodeProto& n, OpType op, const Attributes& a = {});
  WindowPadding window_padding(const onnx::NodeProto& n, const Shape& nhwc_in, int64_t kh, int64_t kw, int64_t sh,
                               int64_t sw, int64_t dh, int64_t dw);
  // PADV2 of an NHWC value by [top, left, bottom, right] with `value`.
  int pad_nhwc(int x, const std::vector<int64_t>& p, float value, const std::string& name);

  static std::vector<int64_t> to_i64(const Shape& s) { return {s.begin(), s.end()}; }
  static int norm_axis(int64_t a, int rank) { return static_cast<int>(a < 0 ? a + rank : a); }
  // A size against a dimension that may be symbolic: equal, or not known to differ.
  static bool dims_match(int64_t size, int32_t dim) { return dim < 0 || size == dim; }

 private:
  void import_inputs();
  void import_node(const onnx::NodeProto& n);
  // 8-bit model inputs go only into the integer ops (the other ops compute in float32 or int32).
  void check_8bit_input(const std::string& name, int type) const;
  int consumers_of(const std::string& name) const;

  // Thrown by value_of for a value a refused node would have produced: the reader is passed over.
  struct ReadsRefusedValue {};

  const onnx::ModelProto& model_;
  std::string source_;
  std::set<std::string> refused_values_;
  int opset_ = 1;
  Graph g_;
  std::map<std::string, Value> values_;
  std::map<int, int> to_onnx_, to_nhwc_;
};

}  // namespace qgate::onnx_import
