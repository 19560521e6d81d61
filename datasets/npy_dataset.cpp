// npy:X.npy[,Y.npy]: a stacked input array fed as stored (no preprocessing), and integer labels.
// Both arrays are read whole: npy data sets here are small (hundreds to thousands of samples).
#include <cstring>

#include <fmt/format.h>

#include "datasets/loaders.h"
#include "core/errors.h"
#include "core/npy.h"
#include "core/sha256.h"

namespace qgate {

namespace {

Shape without_ones(const Shape& s) {
  Shape out;
  for (int32_t d : s) {
    if (d != 1) out.push_back(d);
  }
  return out;
}

// "[N,28,28,1]": N rows of `dims`.
std::string rows_of(const Shape& dims) {
  std::string s = "[N";
  for (int32_t d : dims) s += "," + std::to_string(d);
  return s + "]";
}

class NpyDataset final : public Dataset {
 public:
  explicit NpyDataset(const LoaderContext& ctx) : ctx_(ctx) {
    const auto args = ctx.split_args(2, "npy:X.npy[,LABELS.npy]");
    ctx.refuse_preprocess("npy data is fed to the model as stored");
    input_ = ctx.single_input();
    x_path_ = args[0];
    x_ = read_npy(x_path_);
    const std::string model_text =
        fmt::format("model input '{}' is {} {}", input_.name, shape_string(input_.shape), dtype_name(input_.dtype));
    if (x_.shape.empty()) {
      throw InputError(fmt::format("{}: {} is a scalar; expected [N, ...] with one sample per row", ctx.prefix,
                                   x_path_));
    }
    if (x_.dtype != input_.dtype) {
      throw InputError(fmt::format("{}: {} holds {} values, {} (npy data is fed as stored: save it as {})",
                                   ctx.prefix, x_path_, dtype_name(x_.dtype), model_text, dtype_name(input_.dtype)));
    }
    count_ = x_.shape[0];
    Shape per_sample(x_.shape.begin() + 1, x_.shape.end());
    if (!shape_is_concrete(input_.shape)) {
      // Symbolic dimensions take the rows' sizes: a row shaped like the input, or like it without its batch (1).
      Shape rows = per_sample;
      if (rows.size() + 1 == input_.shape.size()) rows.insert(rows.begin(), 1);
      bool fits = rows.size() == input_.shape.size();
      for (size_t k = 0; fits && k < rows.size(); ++k) fits = input_.shape[k] < 0 || input_.shape[k] == rows[k];
      if (!fits)
        throw InputError(fmt::format("{}: {} is {} {}, {} (rows must fit its fixed dimensions)", ctx.prefix, x_path_,
                                     shape_string(x_.shape), dtype_name(x_.dtype), model_text));
      input_.shape = rows;
    }
    // Size-1 dimensions do not move any element, so [N,28,28] feeds [1,28,28,1] as well as [N,28,28,1] does.
    if (without_ones(per_sample) != without_ones(input_.shape)) {
      throw InputError(fmt::format("{}: {} is {} {}, {} (expected {} or {})", ctx.prefix, x_path_,
                                   shape_string(x_.shape), dtype_name(x_.dtype), model_text,
                                   rows_of(Shape(input_.shape.begin() + 1, input_.shape.end())),
                                   rows_of(input_.shape)));
    }
    if (count_ == 0) throw InputError(fmt::format("{}: {} holds no samples", ctx.prefix, x_path_));
    sample_bytes_ = x_.bytes() / static_cast<size_t>(count_);

    if (args.size() == 2) {
      y_path_ = args[1];
      Tensor y = read_npy(y_path_);
      const bool integer = y.dtype == DType::i32 || y.dtype == DType::i64 || y.dtype == DType::u8 ||
                           y.dtype == DType::i8;
      if (!integer || y.shape.empty() || y.shape[0] != count_ || y.elements() != count_) {
        throw InputError(fmt::format("{}: {} is {} {}; labels must be {} integers ([{}] int32, int64, uint8 or "
                                     "int8), one per row of {}",
                                     ctx.prefix, y_path_, shape_string(y.shape), dtype_name(y.dtype), count_,
                                     count_, x_path_));
      }
      labels_.resize(static_cast<size_t>(count_));
      int64_t max_label = 0;
      for (int64_t i = 0; i < count_; ++i) {
        int64_t v = 0;
        switch (y.dtype) {
          case DType::i32: v = y.as<int32_t>()[i]; break;
          case DType::i64: v = y.as<int64_t>()[i]; break;
          case DType::u8: v = y.as<uint8_t>()[i]; break;
          default: v = y.as<int8_t>()[i]; break;
        }
        labels_[static_cast<size_t>(i)] = ctx.check_label(v, sample_id(i));
        max_label = std::max(max_label, v);
      }
      labels_sha256_ = sha256_hex(format_npy(y));
      num_classes_ = ctx.num_classes(max_label);
    }
  }

  int64_t size() const override { return count_; }

  void load(int64_t i, Sample& out) const override {
    out.id = sample_id(i);
    out.label = labels_.empty() ? -1 : labels_[static_cast<size_t>(i)];
    Tensor& t = out.single_input(input_);
    std::memcpy(t.data.data(), x_.data.data() + static_cast<size_t>(i) * sample_bytes_, sample_bytes_);
  }

  std::vector<std::string> class_names() const override { return ctx_.class_names; }
  int64_t num_classes() const override { return num_classes_; }

  std::string describe() const override {
    return fmt::format("npy {} {} {}{}{}; fed as stored -> '{}' {}", base_name(x_path_), shape_string(x_.shape),
                       dtype_name(x_.dtype), y_path_.empty() ? "" : ", labels " + base_name(y_path_),
                       ctx_.classes_text(num_classes_), input_.name, shape_string(input_.shape));
  }

  std::string fingerprint() const override {
    return fingerprint_.get([&] {
      // Over the arrays as NumPy would write them, so the hash does not depend on header padding.
      return "sha256:" + sha256_hex(fmt::format("qgate npy v1\nx {}\nlabels {}\nclasses {}\ninput {}\n",
                                                sha256_hex(format_npy(x_)), y_path_.empty() ? "-" : labels_sha256_,
                                                ctx_.labels_sha256, shape_string(input_.shape)));
    });
  }

 private:
  std::string sample_id(int64_t i) const { return fmt::format("{}#{}", base_name(x_path_), i); }

  LoaderContext ctx_;
  ModelInput input_;
  std::string x_path_, y_path_;
  Tensor x_;
  std::vector<int64_t> labels_;
  std::string labels_sha256_;
  int64_t count_ = 0;
  size_t sample_bytes_ = 0;
  int64_t num_classes_ = 0;
  LazyFingerprint fingerprint_;
};

}  // namespace

std::unique_ptr<Dataset> open_npy(const LoaderContext& ctx) { return std::make_unique<NpyDataset>(ctx); }

}  // namespace qgate
