#include "datasets/idx.h"

#include <memory>

#include <fmt/format.h>
#include <zlib.h>

#include "datasets/image_pipeline.h"
#include "datasets/loaders.h"
#include "core/errors.h"
#include "core/files.h"
#include "core/sha256.h"

namespace qgate {

namespace {

std::string gunzip(const std::string& in, const std::string& path) {
  z_stream zs{};
  // 15 + 16: gzip wrapper only (the caller checked the magic).
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw InputError(fmt::format("{}: zlib initialisation failed", path));
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::string out;
  // The gzip trailer's ISIZE (size mod 2^32) is a good first guess for one-member files; a truncated file's
  // last four bytes are arbitrary, so a guess beyond 64x the compressed size is not believed.
  size_t guess = in.size() >= 4 ? (uint8_t(in[in.size() - 4]) | uint8_t(in[in.size() - 3]) << 8 |
                                   uint8_t(in[in.size() - 2]) << 16 | size_t(uint8_t(in[in.size() - 1])) << 24)
                                : 0;
  if (guess > 64 * in.size()) guess = 4 * in.size();
  out.resize(std::max<size_t>(guess, 1 << 16));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  size_t produced = 0;
  while (true) {
    if (produced == out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, 1u << 30));
    const uInt before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced += before - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // concatenated gzip members (RFC 1952 allows them)
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      throw InputError(fmt::format("{}: truncated gzip stream ({} compressed bytes give {} bytes, then the file "
                                   "ends)",
                                   path, in.size(), produced));
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw InputError(fmt::format("{}: corrupt gzip data: {}", path, zs.msg ? zs.msg : "inflate failed"));
    }
  }
  out.resize(produced);
  return out;
}

uint32_t big_endian_u32(const std::string& b, size_t at) {
  return uint32_t(uint8_t(b[at])) << 24 | uint32_t(uint8_t(b[at + 1])) << 16 | uint32_t(uint8_t(b[at + 2])) << 8 |
         uint32_t(uint8_t(b[at + 3]));
}

size_t idx_element_size(uint8_t type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

}  // namespace

std::string read_file_maybe_gzip(const std::string& path) {
  std::string bytes = read_file(path);
  if (bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f && uint8_t(bytes[1]) == 0x8b) return gunzip(bytes, path);
  return bytes;
}

IdxArray parse_idx(std::string bytes, const std::string& source) {
  IdxArray a;
  if (bytes.size() < 4) throw InputError(fmt::format("{}: truncated: {} bytes, no IDX header", source, bytes.size()));
  uint32_t magic = big_endian_u32(bytes, 0);
  a.type = uint8_t(bytes[2]);
  const int ndims = uint8_t(bytes[3]);
  if (bytes[0] != 0 || bytes[1] != 0 || idx_element_size(a.type) == 0 || ndims == 0) {
    throw InputError(fmt::format("{}: magic 0x{:08x} is not an IDX header (expected 0x000008NN for unsigned bytes, "
                                 "NN dimensions)",
                                 source, magic));
  }
  a.data_offset = 4 + 4 * size_t(ndims);
  if (bytes.size() < a.data_offset) {
    throw InputError(fmt::format("{}: truncated: header names {} dimensions, file has {} bytes", source, ndims,
                                 bytes.size()));
  }
  uint64_t elements = 1;
  std::string dims_text;
  for (int d = 0; d < ndims; ++d) {
    uint32_t n = big_endian_u32(bytes, 4 + 4 * d);
    a.dims.push_back(n);
    elements *= n;
    dims_text += (d ? "x" : "") + std::to_string(n);
  }
  const uint64_t want = elements * idx_element_size(a.type);
  const uint64_t have = bytes.size() - a.data_offset;
  if (have < want) {
    throw InputError(fmt::format("{}: truncated: header says {} ({} bytes of data), file has {}", source,
                                 dims_text, want, have));
  }
  if (have > want) {
    throw InputError(fmt::format("{}: {} bytes after the data (header says {}, {} bytes)", source, have - want,
                                 dims_text, want));
  }
  a.bytes = std::move(bytes);
  return a;
}

IdxArray read_idx(const std::string& path) { return parse_idx(read_file_maybe_gzip(path), path); }

namespace {

class IdxDataset final : public Dataset {
 public:
  explicit IdxDataset(const LoaderContext& ctx) : ctx_(ctx) {
    const auto args = ctx.split_args(2, "idx:IMAGES[,LABELS]");
    images_path_ = args[0];
    images_ = read_idx(images_path_);
    if (images_.magic() != 0x0803) {
      throw InputError(fmt::format("{}: {}: magic 0x{:08x}; images must be unsigned bytes [N, rows, columns] "
                                   "(magic 0x00000803)",
                                   ctx.prefix, images_path_, images_.magic()));
    }
    count_ = images_.dims[0];
    rows_ = static_cast<int>(images_.dims[1]);
    cols_ = static_cast<int>(images_.dims[2]);
    base_ = base_name(images_path_);
    if (count_ == 0) throw InputError(fmt::format("{}: {} holds no images", ctx.prefix, images_path_));

    if (args.size() == 2) {
      labels_path_ = args[1];
      labels_ = read_idx(labels_path_);
      if (labels_.magic() != 0x0801) {
        throw InputError(fmt::format("{}: {}: magic 0x{:08x}; labels must be unsigned bytes [N] (magic "
                                     "0x00000801)",
                                     ctx.prefix, labels_path_, labels_.magic()));
      }
      if (labels_.dims[0] != count_) {
        throw InputError(fmt::format("{}: {} holds {} labels, {} holds {} images", ctx.prefix, labels_path_,
                                     labels_.dims[0], images_path_, count_));
      }
      int64_t max_label = 0;
      for (int64_t i = 0; i < count_; ++i) {
        max_label = std::max<int64_t>(max_label, ctx.check_label(labels_.data()[i], sample_id(i)));
      }
      num_classes_ = ctx.num_classes(max_label);
    }

    ImageSource source;
    source.channels = 1;
    source.size = {cols_, rows_};
    pipeline_ = ImagePipeline::plan(ctx.preprocess, ctx.single_input(), source, ctx.prefix);
  }

  int64_t size() const override { return count_; }

  void load(int64_t i, Sample& out) const override {
    out.id = sample_id(i);
    out.label = labels_path_.empty() ? -1 : labels_.data()[i];
    out.inputs.resize(1);
    // A header-less view of the pixels: run() only reads it.
    const cv::Mat image(rows_, cols_, CV_8UC1,
                        const_cast<uint8_t*>(images_.data() + static_cast<size_t>(i) * rows_ * cols_));
    pipeline_.run(image, out.inputs[0], out.id);
  }

  std::vector<std::string> class_names() const override { return ctx_.class_names; }
  int64_t num_classes() const override { return num_classes_; }

  std::string describe() const override {
    return fmt::format("idx {}: {} images {}x{} gray{}{}; {}", base_, count_, cols_, rows_,
                       labels_path_.empty() ? "" : ", labels " + base_name(labels_path_),
                       ctx_.classes_text(num_classes_), pipeline_.describe());
  }

  std::string fingerprint() const override {
    return fingerprint_.get([&] {
      // Over the decompressed IDX bytes, so a .gz file and its plain copy give the same fingerprint.
      return "sha256:" + sha256_hex(fmt::format("qgate idx v1\nimages {}\nlabels {}\nclasses {}\npreprocess {}\n",
                                                sha256_hex(images_.bytes),
                                                labels_path_.empty() ? "-" : sha256_hex(labels_.bytes),
                                                ctx_.labels_sha256, pipeline_.describe()));
    });
  }

 private:
  std::string sample_id(int64_t i) const { return fmt::format("{}#{}", base_, i); }

  LoaderContext ctx_;
  std::string images_path_, labels_path_, base_;
  IdxArray images_, labels_;
  int64_t count_ = 0;
  int rows_ = 0, cols_ = 0;
  int64_t num_classes_ = 0;
  ImagePipeline pipeline_;
  LazyFingerprint fingerprint_;
};

}  // namespace

std::unique_ptr<Dataset> open_idx(const LoaderContext& ctx) { return std::make_unique<IdxDataset>(ctx); }

}  // namespace qgate
