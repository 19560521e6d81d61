// Tensor: the one owner of tensor memory (constants in the Graph, activations in the Executor's arena).
// Kernels never see a Tensor; they take shapes and borrowed pointers.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace qgate {

using Shape = std::vector<int32_t>;

// Symbolic dimensions. A Shape held by a Graph may have dimensions that are known only once the model's input
// shapes are: kUnknownDim, or a symbol (a named dimension of the model's inputs, e.g. ONNX's dim_param "batch";
// symbol k is stored as -2 - k and Graph::symbols names it). An op copying a dimension copies its symbol; one
// computing a dimension from a symbolic one gives kUnknownDim. The shapes an Executor prepares are concrete:
// every dimension >= 0.
constexpr int32_t kUnknownDim = -1;
constexpr int32_t symbol_dim(int k) { return -2 - k; }
constexpr int symbol_of(int32_t dim) { return -2 - dim; }  // for dim <= -2
constexpr bool is_symbol(int32_t dim) { return dim <= -2; }
bool shape_is_concrete(const Shape& s);

// The element count; -1 when a dimension is symbolic.
int64_t shape_elements(const Shape& s);
std::string shape_string(const Shape& s);  // "[1,224,224,3]"; a symbolic dimension prints as "?"

// Quantization parameters as the TFLite format stores them: one scale (per-tensor) or one per slice along
// `axis` (per-channel). Zero points are 0 for symmetric weights.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int axis = 0;
  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

// 64-byte aligned, uninitialised byte storage.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t bytes) { resize(bytes); }
  void resize(size_t bytes);  // keeps nothing; contents undefined after a size change
  size_t size() const { return size_; }
  std::byte* data() { return ptr_.get(); }
  const std::byte* data() const { return ptr_.get(); }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> ptr_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

struct Tensor {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  QuantParams quant;
  bool is_constant = false;  // holds data from the model file
  bool is_variable = false;  // state carried across invocations (RNN/LSTM hidden state)
  // Computed once when the input shapes are known, from them and constants only (a SHAPE and the arithmetic on
  // it): in a Graph its data is not there yet; in an Executor's plan it is, from the producing node's prepare on.
  bool computed_at_prepare = false;
  DType file_dtype = DType::f32;  // as stored in the model file (float16 weights are widened at load)
  Buffer data;

  int64_t elements() const { return shape_elements(shape); }
  size_t bytes() const { return elements() < 0 ? 0 : static_cast<size_t>(elements()) * dtype_size(dtype); }
  // Sizes `data` for the current shape and dtype.
  void allocate() { data.resize(bytes()); }
  template <typename T> T* as() { return reinterpret_cast<T*>(data.data()); }
  template <typename T> const T* as() const { return reinterpret_cast<const T*>(data.data()); }
};

}  // namespace qgate
