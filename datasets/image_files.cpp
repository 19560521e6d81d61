// folder:DIR and list:FILE[,ROOT]: image files decoded with OpenCV one sample at a time (nothing is kept in
// memory but the file names).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "datasets/image_pipeline.h"
#include "datasets/loaders.h"
#include "core/errors.h"
#include "core/files.h"
#include "core/sha256.h"

namespace qgate {

namespace {

namespace fs = std::filesystem;

// Above this total size the fingerprint hashes file names, sizes and modification times instead of contents.
constexpr uint64_t kContentHashLimit = uint64_t{256} << 20;

struct ImageFile {
  std::string id;    // as the user wrote it: "cat/001.jpg" or the list's path
  std::string path;  // to open
  int64_t label = -1;
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
};

bool stat_file(const std::string& path, uint64_t& bytes, int64_t& mtime_ns, std::string& why) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    why = std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    why = "not a regular file";
    return false;
  }
  bytes = static_cast<uint64_t>(st.st_size);
  mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

class ImageFilesDataset final : public Dataset {
 public:
  ImageFilesDataset(const LoaderContext& ctx, std::string kind_text, std::vector<ImageFile> files,
                    std::vector<std::string> class_names, int64_t num_classes)
      : ctx_(ctx),
        kind_text_(std::move(kind_text)),
        files_(std::move(files)),
        class_names_(std::move(class_names)),
        num_classes_(num_classes) {
    pipeline_ = ImagePipeline::plan(ctx.preprocess, ctx.single_input(), ImageSource{}, ctx.prefix);
    // Image sizes are unknown until decoded: run the first sample through the pipeline now, so a data set
    // that cannot fit the model fails when opened, not in the middle of an evaluation.
    Sample probe;
    load(0, probe);
  }

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }

  void load(int64_t i, Sample& out) const override {
    const ImageFile& f = files_[static_cast<size_t>(i)];
    out.id = f.id;
    out.label = f.label;
    out.inputs.resize(1);
    std::ifstream in(f.path, std::ios::binary);
    if (!in) {
      throw InputError(fmt::format("{}: sample {}: cannot open {}: {}", ctx_.prefix, f.id, f.path,
                                   std::strerror(errno)));
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    cv::Mat image;
    if (!bytes.empty()) image = cv::imdecode(bytes, pipeline_.decode_flags());
    if (image.empty()) {
      throw InputError(fmt::format("{}: sample {}: {} is not an image OpenCV can decode ({} bytes)", ctx_.prefix,
                                   f.id, f.path, bytes.size()));
    }
    pipeline_.run(image, out.inputs[0], f.id);
  }

  std::vector<std::string> class_names() const override { return class_names_; }
  int64_t num_classes() const override { return num_classes_; }

  std::string describe() const override {
    return fmt::format("{}: {} images{}; {}", kind_text_, files_.size(), ctx_.classes_text(num_classes_),
                       pipeline_.describe());
  }

  std::string fingerprint() const override {
    return fingerprint_.get([&] {
      uint64_t total = 0;
      for (const auto& f : files_) total += f.bytes;
      const bool contents = total <= kContentHashLimit;
      std::string manifest = fmt::format("qgate image files v1\nclasses {}\n", ctx_.labels_sha256);
      for (const auto& n : class_names_) manifest += "class " + n + "\n";
      for (const auto& f : files_) {
        // Contents are read here, once; a file that vanished since open() is hashed by its metadata.
        std::string part;
        if (contents) {
          try {
            part = sha256_hex(read_file(f.path));
          } catch (const InputError&) {
            part = "unreadable";
          }
        } else {
          part = fmt::format("{} {}", f.bytes, f.mtime_ns);
        }
        manifest += fmt::format("{}\t{}\t{}\n", f.id, f.label, part);
      }
      manifest += "preprocess " + pipeline_.describe() + "\n";
      return (contents ? "sha256:" : "stat-sha256:") + sha256_hex(manifest);
    });
  }

 private:
  LoaderContext ctx_;
  std::string kind_text_;
  std::vector<ImageFile> files_;
  std::vector<std::string> class_names_;
  int64_t num_classes_ = 0;
  ImagePipeline pipeline_;
  LazyFingerprint fingerprint_;
};

bool is_image_name(const std::string& name) {
  auto dot = name.find_last_of('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* const kExts[] = {"jpg", "jpeg", "png", "bmp", "pgm", "ppm", "pbm", "pnm",
                                      "tif", "tiff", "webp", "jp2", "jpe", "dib"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

}  // namespace

std::unique_ptr<Dataset> open_folder(const LoaderContext& ctx) {
  const std::string& dir = ctx.args;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError(fmt::format("{}: {} is not a directory (expected DIR/<class>/<image>)", ctx.prefix, dir));
  }
  std::vector<std::string> folders;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (e.is_directory()) folders.push_back(name);
  }
  if (ec) throw InputError(fmt::format("{}: cannot list {}: {}", ctx.prefix, dir, ec.message()));
  std::sort(folders.begin(), folders.end());
  if (folders.empty()) {
    throw InputError(fmt::format("{}: {} has no class sub-folders (expected DIR/<class>/<image>)", ctx.prefix, dir));
  }

  std::vector<std::string> names = ctx.class_names.empty() ? folders : ctx.class_names;
  std::map<std::string, int64_t> index;
  for (size_t i = 0; i < names.size(); ++i) index[names[i]] = static_cast<int64_t>(i);

  std::vector<ImageFile> files;
  size_t skipped = 0;
  for (const auto& folder : folders) {
    auto it = index.find(folder);
    if (it == index.end()) {
      throw InputError(fmt::format("{}: folder '{}' is not a class in --labels {}", ctx.prefix, folder,
                                   ctx.labels_file));
    }
    std::vector<std::string> images;
    for (const auto& e : fs::directory_iterator(fs::path(dir) / folder, ec)) {
      std::string name = e.path().filename().string();
      if (name.empty() || name[0] == '.' || e.is_directory()) continue;
      if (is_image_name(name)) images.push_back(name);
      else ++skipped;
    }
    if (ec) throw InputError(fmt::format("{}: cannot list {}/{}: {}", ctx.prefix, dir, folder, ec.message()));
    std::sort(images.begin(), images.end());
    for (const auto& name : images) {
      ImageFile f;
      f.id = folder + "/" + name;
      f.path = (fs::path(dir) / folder / name).string();
      f.label = it->second;
      std::string why;
      if (!stat_file(f.path, f.bytes, f.mtime_ns, why)) {
        throw InputError(fmt::format("{}: sample {}: {}", ctx.prefix, f.id, why));
      }
      files.push_back(std::move(f));
    }
  }
  if (files.empty()) {
    throw InputError(fmt::format("{}: no image files (.jpg, .png, ...) in the class folders of {}", ctx.prefix, dir));
  }
  std::string kind_text = fmt::format("folder {}", dir);
  if (skipped) kind_text += fmt::format(" ({} files without an image extension skipped)", skipped);
  const int64_t n = static_cast<int64_t>(names.size());
  return std::make_unique<ImageFilesDataset>(ctx, kind_text, std::move(files), std::move(names), n);
}

std::unique_ptr<Dataset> open_list(const LoaderContext& ctx) {
  const auto args = ctx.split_args(2, "list:FILE[,ROOT]");
  const std::string& list_path = args[0];
  const std::string root = args.size() == 2 ? args[1] : fs::path(list_path).parent_path().string();
  const std::string text = read_file(list_path);

  std::vector<ImageFile> files;
  int64_t max_label = -1;
  size_t pos = 0;
  for (int line_no = 1; pos < text.size(); ++line_no) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    // The label is the last field, so paths may hold spaces.
    size_t sep = line.find_last_of(" \t");
    if (sep == std::string::npos) {
      throw InputError(fmt::format("{}: {}: line {}: expected 'relative/path label', got '{}'", ctx.prefix,
                                   list_path, line_no, line));
    }
    ImageFile f;
    std::string label_text = line.substr(sep + 1);
    f.id = line.substr(0, line.find_last_not_of(" \t", sep) + 1);
    f.path = fs::path(f.id).is_absolute() ? f.id : (fs::path(root.empty() ? "." : root) / f.id).string();
    f.label = ctx.parse_label(label_text, fmt::format("{} (line {})", f.id, line_no));
    std::string why;
    if (!stat_file(f.path, f.bytes, f.mtime_ns, why)) {
      throw InputError(fmt::format("{}: {}: line {}: {}: {}", ctx.prefix, list_path, line_no, f.path, why));
    }
    max_label = std::max(max_label, f.label);
    files.push_back(std::move(f));
  }
  if (files.empty()) throw InputError(fmt::format("{}: {} lists no images", ctx.prefix, list_path));
  const int64_t n = ctx.num_classes(max_label);
  return std::make_unique<ImageFilesDataset>(ctx, fmt::format("list {} (root {})", list_path, root.empty() ? "." : root),
                                             std::move(files), ctx.class_names, n);
}

}  // namespace qgate
