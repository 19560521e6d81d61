#include <filesystem>
#include <thread>

#include <doctest/doctest.h>
#include <zlib.h>

#include "datasets/idx.h"
#include "core/files.h"
#include "tests/datasets/dataset_test_util.h"
#include "tests/support/assets.h"

namespace qgate::test {
namespace {

const std::string kFashion = "/usr/share/datasets/fashion-mnist";

std::string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// IDX bytes of `n` images rows x cols, pixel (i, y, x) = 10 * i + 4 * y + x.
std::string idx_images(uint32_t n, uint32_t rows, uint32_t cols) {
  std::string b = be32(0x803) + be32(n) + be32(rows) + be32(cols);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t y = 0; y < rows; ++y)
      for (uint32_t x = 0; x < cols; ++x) b += char(10 * i + 4 * y + x);
  return b;
}

std::string idx_labels(const std::vector<uint8_t>& labels) {
  std::string b = be32(0x801) + be32(static_cast<uint32_t>(labels.size()));
  for (uint8_t l : labels) b += char(l);
  return b;
}

// gzip with zlib's own file writer, independent of the loader's inflate loop.
std::string write_gz(const TempDir& dir, const std::string& name, const std::string& bytes) {
  std::string path = dir.path(name);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

}  // namespace

TEST_SUITE("datasets.idx") {
  TEST_CASE("Fashion-MNIST test set from Debian's dataset-fashion-mnist") {
    const std::string images = kFashion + "/t10k-images-idx3-ubyte.gz";
    const std::string labels = kFashion + "/t10k-labels-idx1-ubyte.gz";
    if (!qgate::test::have_asset(images, "Debian package dataset-fashion-mnist, scripts/setup") ||
        !qgate::test::have_asset(labels, "Debian package dataset-fashion-mnist, scripts/setup"))
      return;
    auto ds = open("idx:" + images + "," + labels, model_input("x", DType::f32, {1, 28, 28, 1}));
    REQUIRE(ds->size() == 10000);
    CHECK(ds->num_classes() == 10);

    // The first 20 labels and pixels of image 0, printed once with Python's gzip module
    // (gzip.open(...).read()[8:28], and bytes 16 + 14 * 28 ... of the images file).
    const int64_t first_labels[20] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0};
    const int row14[28] = {0, 0, 0, 0, 0, 0, 2, 4, 1, 0, 0, 0, 98, 136, 110, 109, 110, 162, 135, 144, 149, 159,
                           167, 144, 158, 169, 119, 0};
    qgate::Sample s;
    for (int i = 0; i < 20; ++i) {
      ds->load(i, s);
      CHECK(s.label == first_labels[i]);
    }
    ds->load(0, s);
    CHECK(s.id == "t10k-images-idx3-ubyte.gz#0");
    REQUIRE(s.inputs.size() == 1);
    CHECK(s.inputs[0].shape == Shape{1, 28, 28, 1});
    CHECK(s.inputs[0].name == "x");
    for (int x = 0; x < 28; ++x) CHECK(s.inputs[0].as<float>()[14 * 28 + x] == row14[x] / 255.0f);
    double sum = 0;
    for (int k = 0; k < 784; ++k) sum += s.inputs[0].as<float>()[k] * 255.0;
    CHECK(sum == doctest::Approx(33456).epsilon(1e-6));  // Python: sum(image 0) == 33456

    // Every label against zlib's gzread of the same file (not the loader's inflate loop).
    gzFile f = gzopen(labels.c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string raw(8 + 10000, '\0');
    CHECK(gzread(f, raw.data(), static_cast<unsigned>(raw.size())) == static_cast<int>(raw.size()));
    gzclose(f);
    int mismatches = 0;
    for (int i = 0; i < 10000; i += 97) {
      ds->load(i, s);
      mismatches += s.label != static_cast<uint8_t>(raw[8 + i]);
    }
    CHECK(mismatches == 0);
    CHECK(ds->fingerprint().rfind("sha256:", 0) == 0);
    CHECK(ds->describe() ==
          "idx t10k-images-idx3-ubyte.gz: 10000 images 28x28 gray, labels t10k-labels-idx1-ubyte.gz; 10 classes; "
          "gray, float32 (pixel * 0.00392156862745098 - mean [0]) / std [1], NHWC -> 'x' [1,28,28,1]");
  }

  TEST_CASE("plain and gzip IDX give the same samples and fingerprint; values per output dtype") {
    TempDir dir;
    const std::string imgs = idx_images(3, 2, 3), labs = idx_labels({2, 0, 1});
    std::string plain = "idx:" + dir.write("i.idx", imgs) + "," + dir.write("l.idx", labs);
    std::string gz = "idx:" + write_gz(dir, "i.idx.gz", imgs) + "," + write_gz(dir, "l.gz", labs);
    auto a = open(plain, model_input("in", DType::f32, {1, 2, 3, 1}));
    auto b = open(gz, model_input("in", DType::f32, {1, 2, 3, 1}));
    CHECK(a->size() == 3);
    CHECK(a->num_classes() == 3);  // max label + 1
    CHECK(a->fingerprint() == b->fingerprint());
    qgate::Sample s, t;
    for (int i = 0; i < 3; ++i) {
      a->load(i, s);
      b->load(i, t);
      CHECK(s.label == t.label);
      for (int k = 0; k < 6; ++k) {
        CHECK(s.inputs[0].as<float>()[k] == t.inputs[0].as<float>()[k]);
        CHECK(s.inputs[0].as<float>()[k] == (10 * i + 4 * (k / 3) + k % 3) / 255.0f);
      }
    }
    a->load(1, s);
    CHECK(s.label == 0);
    CHECK(s.id == "i.idx#1");

    auto u8 = open(plain, model_input("in", DType::u8, {1, 2, 3, 1}));
    u8->load(2, s);
    CHECK(s.inputs[0].dtype == DType::u8);
    CHECK(s.inputs[0].as<uint8_t>()[5] == 20 + 4 + 2);
    auto i8 = open(plain, model_input("in", DType::i8, {1, 2, 3}));
    i8->load(2, s);
    CHECK(s.inputs[0].as<int8_t>()[5] == 26 - 128);

    // [1, 6]: flattened pixels; [1, 3, 2, 3] with --color rgb: the gray value in each plane.
    auto flat = open(plain, model_input("in", DType::f32, {1, 6}));
    flat->load(1, s);
    CHECK(s.inputs[0].as<float>()[4] == 15 / 255.0f);
    qgate::Preprocess rgb;
    rgb.color = qgate::ColorMode::rgb;
    rgb.layout = qgate::Layout::nchw;  // [1,3,2,3] reads as NHWC too; say which
    auto planar = open(plain, model_input("in", DType::f32, {1, 3, 2, 3}), rgb);
    planar->load(1, s);
    for (int c = 0; c < 3; ++c) CHECK(s.inputs[0].as<float>()[c * 6 + 4] == 15 / 255.0f);
    // [1, 1, 2, 4]: one gray plane, NCHW found from the shape (an ONNX image input): the pixels in row order.
    const std::string i24 = "idx:" + dir.write("i24.idx", idx_images(2, 2, 4));
    auto gray_nchw = open(i24, model_input("in", DType::f32, {1, 1, 2, 4}));
    gray_nchw->load(1, s);
    for (int k = 0; k < 8; ++k) CHECK(s.inputs[0].as<float>()[k] == (10 + 4 * (k / 4) + k % 4) / 255.0f);
    // Preprocessing enters the fingerprint.
    CHECK(open(plain, model_input("in", DType::f32, {1, 6}))->fingerprint() != a->fingerprint());
  }

  TEST_CASE("loads from several threads match a serial pass") {
    TempDir dir;
    auto ds = open("idx:" + dir.write("i.idx", idx_images(40, 3, 4)), model_input("x", DType::f32, {1, 3, 4, 1}));
    std::vector<float> serial(40 * 12), threaded(40 * 12);
    qgate::Sample s;
    for (int i = 0; i < 40; ++i) {
      ds->load(i, s);
      std::copy(s.inputs[0].as<float>(), s.inputs[0].as<float>() + 12, serial.begin() + i * 12);
      CHECK(s.label == -1);
    }
    std::vector<std::thread> pool;
    for (int t = 0; t < 2; ++t) {
      pool.emplace_back([&, t] {
        qgate::Sample mine;
        for (int i = t; i < 40; i += 2) {
          ds->load(i, mine);
          std::copy(mine.inputs[0].as<float>(), mine.inputs[0].as<float>() + 12, threaded.begin() + i * 12);
        }
      });
    }
    for (auto& th : pool) th.join();
    CHECK(serial == threaded);
    CHECK(ds->num_classes() == 0);
  }

  TEST_CASE("errors name the file, the sample and the rule") {
    TempDir dir;
    const auto x28 = model_input("x", DType::f32, {1, 28, 28, 1});
    CHECK(error_of([&] { open("idx:" + dir.path("none.gz"), x28); }) ==
          "" + dir.path("none.gz") + ": cannot open: No such file or directory");

    std::string truncated = idx_images(3, 28, 28);
    truncated.resize(truncated.size() - 100);
    std::string p = dir.write("trunc.idx", truncated);
    CHECK(error_of([&] { open("idx:" + p, x28); }) ==
          p + ": truncated: header says 3x28x28 (2352 bytes of data), file has 2252");

    std::string gz = write_gz(dir, "full.gz", idx_images(3, 28, 28));
    std::string gz_bytes = qgate::read_file(gz);
    std::string cut = dir.write("cut.gz", gz_bytes.substr(0, gz_bytes.size() / 2));
    CHECK(error_of([&] { open("idx:" + cut, x28); }).rfind(cut + ": truncated gzip stream", 0) == 0);

    std::string labels = dir.write("l.idx", idx_labels({0, 1}));
    CHECK(error_of([&] { open("idx:" + gz + "," + labels, x28); }) ==
          "data idx:" + gz + "," + labels + ": " + labels + " holds 2 labels, " + gz + " holds 3 images");
    CHECK(error_of([&] { open("idx:" + labels, x28); }) ==
          "data idx:" + labels + ": " + labels +
              ": magic 0x00000801; images must be unsigned bytes [N, rows, columns] (magic 0x00000803)");

    std::string l3 = dir.write("l3.idx", idx_labels({0, 1, 7}));
    std::string names = dir.write("names.txt", "a\nb\nc\n");
    CHECK(error_of([&] { open("idx:" + gz + "," + l3, x28, {}, names); }) ==
          "data idx:" + gz + "," + l3 + ": sample full.gz#2: label 7 is out of range: --labels " + names +
              " names 3 classes (0..2)");

    // The model does not take what the data gives: say what would fix it.
    const std::string spec = "idx:" + gz;
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 32, 32, 3})); }) ==
          "data " + spec +
              ": images are 28x28x1, model input 'x' is [1,32,32,3] float32 (set --resize 32x32 and --color rgb, "
              "or check the model)");
    qgate::Preprocess resize;
    resize.resize = qgate::ResizeSpec{{32, 32}, 0};
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 32, 32, 3}), resize); }) ==
          "data " + spec +
              ": 28x28x1 images become 32x32x1, model input 'x' is [1,32,32,3] float32 (set --color rgb, or check "
              "the model)");
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 100})); }) ==
          "data " + spec +
              ": images are 28x28x1 (784 values), model input 'x' is [1,100] float32 (check --resize, --crop and "
              "--color, or the model)");
    CHECK(error_of([&] { open(spec, model_input("x", DType::i32, {1, 28, 28, 1})); }) ==
          "data " + spec + ": model input 'x' is [1,28,28,1] int32: images feed float32, uint8 or int8 inputs");
    // An explicit --layout that contradicts an NCHW (ONNX) input: name the layout, not a resize.
    qgate::Preprocess nhwc;
    nhwc.layout = qgate::Layout::nhwc;
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 1, 28, 28}), nhwc); }) ==
          "data " + spec +
              ": images are 28x28x1, model input 'x' is [1,1,28,28] float32, read as NHWC by --layout nhwc (the "
              "shape fits --layout nchw)");
    qgate::Preprocess scaled;
    scaled.scale = 0.5f;
    CHECK(error_of([&] { open(spec, model_input("x", DType::u8, {1, 28, 28, 1}), scaled); }) ==
          "data " + spec +
              ": scale, mean and std apply to float32 inputs; model input 'x' is [1,28,28,1] uint8 and takes raw "
              "uint8 pixels");
  }
}

}  // namespace qgate::test
