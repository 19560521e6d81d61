#include "harness/float_cache.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/files.h"
#include "core/sha256.h"
#include "kernels/cpu_features.h"

namespace qgate {

namespace {
constexpr char kMagic[4] = {'Q', 'G', 'F', 'O'};
constexpr uint32_t kVersion = 1;
// Above this many bytes of outputs nothing is cached (or recorded for the cache).
constexpr int64_t kMaxBytes = int64_t{512} << 20;
}  // namespace

std::string float_cache_dir() {
  // $QGATE_CACHE, else the user's cache directory (XDG), so an installed qgate never writes into the working
  // directory; without a home either, `.cache` under the working directory.
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v && *v ? v : "";
  };
  std::string base = env("QGATE_CACHE");
  if (base.empty() && !env("XDG_CACHE_HOME").empty()) base = env("XDG_CACHE_HOME") + "/qgate";
  if (base.empty() && !env("HOME").empty()) base = env("HOME") + "/.cache/qgate";
  if (base.empty()) base = ".cache";
  return base + "/float-outputs";
}

FloatOutputCache::FloatOutputCache(const std::string& model_sha256, const std::string& data_fingerprint,
                                   int output_index, const std::string& float_arithmetic) {
  // The kernel path and the version are in the key because float outputs may differ in the last bit between
  // the AVX2 and portable kernels, and between versions of the kernels.
  const std::string key = sha256_hex(fmt::format("qgate float outputs v{}\nmodel {}\ndata {}\noutput {}\nkernels {}\n"
                                                 "qgate {}\n",
                                                 kVersion, model_sha256, data_fingerprint, output_index,
                                                 kernels::kernel_path(), QGATE_VERSION) +
                                     (float_arithmetic.empty() ? "" : "arithmetic " + float_arithmetic + "\n"));
  path_ = float_cache_dir() + "/" + key + ".bin";
}

int64_t output_width(const Graph& graph, int output_index) {
  if (output_index < 0 || output_index >= static_cast<int>(graph.outputs.size())) return 0;
  return graph.tensors[graph.outputs[output_index]].elements();
}

bool FloatOutputCache::fits(int64_t samples, int64_t width) {
  return samples > 0 && width > 0 && samples * width <= kMaxBytes / int64_t{sizeof(float)};
}

namespace {
// Reads and checks the header; returns the stored sample count and width, or false. The file must be exactly as
// long as its header says, so a truncated write reads as a miss.
bool read_header(const std::string& path, std::ifstream& in, int64_t& stored, int64_t& width) {
  in.open(path, std::ios::binary);
  if (!in) return false;
  char magic[4];
  uint32_t version = 0;
  in.read(magic, 4);
  in.read(reinterpret_cast<char*>(&version), sizeof version);
  in.read(reinterpret_cast<char*>(&stored), sizeof stored);
  in.read(reinterpret_cast<char*>(&width), sizeof width);
  if (!in || std::memcmp(magic, kMagic, 4) != 0 || version != kVersion || !FloatOutputCache::fits(stored, width))
    return false;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const auto header = sizeof magic + sizeof version + sizeof stored + sizeof width;
  return !ec && size == header + static_cast<uint64_t>(stored * width) * sizeof(float);
}
}  // namespace

bool FloatOutputCache::holds(int64_t samples) const {
  if (!enabled() || samples <= 0) return false;
  std::ifstream in;
  int64_t stored = 0, width = 0;
  return read_header(path_, in, stored, width) && stored >= samples;
}

bool FloatOutputCache::load(int64_t samples, std::vector<std::vector<float>>& out) const {
  out.clear();
  if (!enabled() || samples <= 0) return false;
  std::ifstream in;
  int64_t stored = 0, width = 0;
  if (!read_header(path_, in, stored, width) || stored < samples) return false;
  out.assign(samples, std::vector<float>(width));
  for (auto& row : out) in.read(reinterpret_cast<char*>(row.data()), width * sizeof(float));
  if (!in) {
    out.clear();
    return false;
  }
  return true;
}

std::string FloatOutputCache::store(const std::vector<std::vector<float>>& rows) const {
  if (!enabled() || rows.empty()) return "nothing to store";
  const int64_t samples = static_cast<int64_t>(rows.size()), width = static_cast<int64_t>(rows[0].size());
  if (!fits(samples, width)) return fmt::format("{} x {} outputs exceed the cache's size limit", samples, width);
  for (const auto& r : rows)
    if (static_cast<int64_t>(r.size()) != width) return "outputs of different sizes";
  std::string bytes(kMagic, 4);
  bytes.append(reinterpret_cast<const char*>(&kVersion), sizeof kVersion);
  bytes.append(reinterpret_cast<const char*>(&samples), sizeof samples);
  bytes.append(reinterpret_cast<const char*>(&width), sizeof width);
  for (const auto& r : rows) bytes.append(reinterpret_cast<const char*>(r.data()), r.size() * sizeof(float));
  try {
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    write_file_atomic(path_, bytes);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace qgate
