#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>

#include "tests/datasets/dataset_test_util.h"

namespace qgate::test {
namespace {

// Float outputs are one double expression rounded once to float32: hand values within one float32 rounding.
constexpr float kFloatRounding = 1e-7f;

// A gray PNG whose pixel (y, x) is f(y, x); returns its path.
template <typename F> std::string gray_png(const TempDir& dir, const std::string& name, int w, int h, F f) {
  cv::Mat m(h, w, CV_8UC1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m.at<uint8_t>(y, x) = static_cast<uint8_t>(f(y, x));
  std::string path = dir.path(name);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  REQUIRE(cv::imwrite(path, m));
  return path;
}

std::vector<int> u8_values(const qgate::Tensor& t) {
  return std::vector<int>(t.as<uint8_t>(), t.as<uint8_t>() + t.elements());
}

qgate::Sample load(const qgate::Dataset& ds, int64_t i) {
  qgate::Sample s;
  ds.load(i, s);
  return s;
}

qgate::Tensor input0(const qgate::Dataset& ds, int64_t i) { return std::move(load(ds, i).inputs[0]); }

}  // namespace

TEST_SUITE("datasets.preprocess") {
  TEST_CASE("options parse from flag text and name the flag on errors") {
    qgate::Preprocess p;
    qgate::set_preprocess_option(p, "resize", "256", "--resize");
    CHECK(p.resize->shorter_side == 256);
    qgate::set_preprocess_option(p, "resize", "320x240", "--resize");
    CHECK(p.resize->exact == qgate::ImageSize{320, 240});
    CHECK(p.resize->shorter_side == 0);
    qgate::set_preprocess_option(p, "crop", "224", "--crop");
    CHECK(*p.crop == qgate::ImageSize{224, 224});
    qgate::set_preprocess_option(p, "scale", "1/255", "--scale");
    CHECK(*p.scale == 1.0 / 255.0);
    qgate::set_preprocess_option(p, "mean", "0.485,0.456,0.406", "--mean");
    CHECK(*p.mean == std::vector<double>{0.485, 0.456, 0.406});
    qgate::set_preprocess_option(p, "layout", "nchw", "--layout");
    CHECK(*p.layout == qgate::Layout::nchw);
    CHECK(error_of([&] { qgate::set_preprocess_option(p, "resize", "32x", "--resize"); }) ==
          "--resize: expected WxH (exact size) or N (shorter side), got '32x'");
    CHECK(error_of([&] { qgate::set_preprocess_option(p, "std", "1,0,1", "--std"); }) ==
          "--std: expected non-zero standard deviations, got '1,0,1'");
    CHECK(error_of([&] { qgate::set_preprocess_option(p, "dtype", "float16", "--dtype"); }) ==
          "--dtype: expected float32, uint8 or int8, got 'float16'");
  }

  TEST_CASE("JSON file: every field, errors naming the field, flags override the file; nearest is pixel-centred") {
    auto p = qgate::parse_preprocess_json(R"({"color": "bgr", "resize": 256, "interpolation": "area",
        "crop": [224, 200], "scale": "1/255", "mean": [0.5, 0.25, 0], "std": 0.5, "dtype": "float32",
        "layout": "nhwc"})",
                                          "p.json");
    CHECK(*p.color == qgate::ColorMode::bgr);
    CHECK(p.resize->shorter_side == 256);
    CHECK(*p.interpolation == qgate::Interpolation::area);
    CHECK(*p.crop == qgate::ImageSize{224, 200});
    CHECK(*p.mean == std::vector<double>{0.5, 0.25, 0});
    CHECK(*p.std == std::vector<double>{0.5});
    CHECK(*p.dtype == DType::f32);
    auto parse = [](const std::string& text) { return error_of([&] { qgate::parse_preprocess_json(text, "p.json"); }); };
    CHECK(parse(R"({"resize": true})") == "p.json: field 'resize': expected a string or a number, got 'true'");
    CHECK(parse(R"({"color": "purple"})") == "p.json: field 'color': expected gray, rgb or bgr, got 'purple'");
    CHECK(parse(R"({"mean": [1, "a"]})") == "p.json: field 'mean': expected an array of numbers, got '[1,\"a\"]'");
    CHECK(parse(R"({"resise": "2x2"})") ==
          "p.json: field 'resise': unknown preprocessing option 'resise' (known: color, resize, interpolation, crop, "
          "scale, mean, std, dtype, layout)");
    CHECK(parse("[1]") == "p.json: expected a JSON object of preprocessing fields");
    CHECK(parse("{").rfind("p.json: not valid JSON: ", 0) == 0);

    // Through open_dataset: the file says 3x3, the flag says 2x2; the flag wins.
    TempDir dir;
    std::string json = dir.write("p.json", R"({"resize": "3x3", "interpolation": "nearest", "dtype": "uint8"})");
    gray_png(dir, "d/a/0.png", 6, 6, [](int y, int x) { return 10 * y + x; });
    qgate::Preprocess flags;
    flags.resize = qgate::ResizeSpec{{2, 2}, 0};
    auto ds = open("folder:" + dir.path("d"), model_input("x", DType::u8, {1, 2, 2, 1}), flags, "", "", json);
    // Nearest with pixel centres: output centres 0.5 and 1.5 land at source 1.5 and 4.5, pixels 1 and 4
    // (OpenCV's legacy INTER_NEAREST would take pixels 0 and 3).
    CHECK(u8_values(load(*ds, 0).inputs[0]) == std::vector<int>{11, 14, 41, 44});
  }

  TEST_CASE("resize (exact, shorter side; linear, area), center crop, hand-computed pixels") {
    TempDir dir;
    // 4x4, pixel 16y + 4x: every 2x2 block's mean is an integer, 32by + 8bx + 10.
    gray_png(dir, "d/a/0.png", 4, 4, [](int y, int x) { return 16 * y + 4 * x; });
    const auto u8_2x2 = model_input("x", DType::u8, {1, 2, 2, 1});
    for (auto [interp, want] : {std::pair{qgate::Interpolation::area, std::vector<int>{10, 18, 42, 50}},
                                // half-pixel centres at 0.5 and 2.5: the same block means
                                std::pair{qgate::Interpolation::linear, std::vector<int>{10, 18, 42, 50}}}) {
      CAPTURE(qgate::interpolation_name(interp));
      qgate::Preprocess p;
      p.resize = qgate::ResizeSpec{{2, 2}, 0};
      p.interpolation = interp;
      CHECK(u8_values(load(*open("folder:" + dir.path("d"), u8_2x2, p), 0).inputs[0]) == want);
    }

    // Shorter side: 6 wide x 4 high to shorter side 2 gives 3x2 (longer side floor(6 * 2 / 4)).
    TempDir wide;
    gray_png(wide, "d/a/0.png", 6, 4, [](int y, int x) { return 16 * y + 4 * x; });
    qgate::Preprocess shorter;
    shorter.resize = qgate::ResizeSpec{{}, 2};
    shorter.interpolation = qgate::Interpolation::area;
    auto ds = open("folder:" + wide.path("d"), model_input("x", DType::u8, {1, 2, 3, 1}), shorter);
    CHECK(u8_values(load(*ds, 0).inputs[0]) == std::vector<int>{10, 18, 26, 42, 50, 58});
    CHECK(ds->describe().find("resize shorter side 2 (area)") != std::string::npos);

    // Center crop 3x3 of 6x4: offsets floor((6 - 3) / 2) = 1 and floor((4 - 3) / 2) = 0.
    qgate::Preprocess crop;
    crop.crop = qgate::ImageSize{3, 3};
    auto cropped = open("folder:" + wide.path("d"), model_input("x", DType::u8, {1, 3, 3}), crop);
    CHECK(u8_values(load(*cropped, 0).inputs[0]) == std::vector<int>{4, 8, 12, 20, 24, 28, 36, 40, 44});

    // Shorter side then crop (the ImageNet recipe): 6x4 -> 3x2 -> crop 2x2 at x 0 (floor(1 / 2)).
    shorter.crop = qgate::ImageSize{2, 2};
    auto both = open("folder:" + wide.path("d"), model_input("x", DType::u8, {1, 2, 2, 1}), shorter);
    CHECK(u8_values(load(*both, 0).inputs[0]) == std::vector<int>{10, 18, 42, 50});
  }

  TEST_CASE("color order, scale/mean/std, NCHW, int8") {
    TempDir dir;
    cv::Mat bgr(1, 2, CV_8UC3);
    bgr.at<cv::Vec3b>(0, 0) = {51, 0, 255};  // B, G, R
    bgr.at<cv::Vec3b>(0, 1) = {102, 255, 0};
    std::filesystem::create_directories(dir.path("d/a"));
    REQUIRE(cv::imwrite(dir.path("d/a/0.png"), bgr));
    const std::string spec = "folder:" + dir.path("d");

    // Defaults for a 3-channel float model: rgb, x / 255.
    auto rgb = input0(*open(spec, model_input("x", DType::f32, {1, 1, 2, 3})), 0);
    const float want_rgb[6] = {1.0f, 0.0f, 0.2f, 0.0f, 1.0f, 0.4f};
    for (int k = 0; k < 6; ++k) CHECK(rgb.as<float>()[k] == doctest::Approx(want_rgb[k]).epsilon(kFloatRounding));

    // (x / 255 - mean) / std per channel: R (1 - 0.5) / 0.5, G (0 - 0.25) / 0.25, B (0.2 - 0) / 2.
    qgate::Preprocess norm;
    norm.scale = 1.0 / 255.0;
    norm.mean = std::vector<double>{0.5, 0.25, 0};
    norm.std = std::vector<double>{0.5, 0.25, 2};
    auto n = input0(*open(spec, model_input("x", DType::f32, {1, 1, 2, 3}), norm), 0);
    CHECK(n.as<float>()[0] == 1.0f);
    CHECK(n.as<float>()[1] == -1.0f);
    CHECK(n.as<float>()[2] == doctest::Approx(0.1f).epsilon(kFloatRounding));

    // bgr keeps OpenCV's order; NCHW puts each channel in its own plane.
    qgate::Preprocess bgr_nchw;
    bgr_nchw.color = qgate::ColorMode::bgr;
    bgr_nchw.dtype = DType::u8;
    auto planes = input0(*open(spec, model_input("x", DType::u8, {1, 3, 1, 2}), bgr_nchw), 0);
    CHECK(u8_values(planes) == std::vector<int>{51, 102, 0, 255, 255, 0});
    auto i8 = input0(*open(spec, model_input("x", DType::i8, {1, 1, 2, 3})), 0);
    CHECK(i8.as<int8_t>()[0] == 127);
    CHECK(i8.as<int8_t>()[1] == -128);

    // A gray PNG fed to a 3-channel model is replicated.
    TempDir g;
    gray_png(g, "d/a/0.png", 2, 1, [](int, int x) { return 7 + x; });
    auto rep = input0(*open("folder:" + g.path("d"), model_input("x", DType::u8, {1, 1, 2, 3})), 0);
    CHECK(u8_values(rep) == std::vector<int>{7, 7, 7, 8, 8, 8});

    CHECK(error_of([&] {
            qgate::Preprocess bad;
            bad.mean = std::vector<double>{1, 2};
            open(spec, model_input("x", DType::f32, {1, 1, 2, 3}), bad);
          }) == "data " + spec + ": mean has 2 values, the images have 3 channels (give 1 or 3)");
    CHECK(error_of([&] {
            qgate::Preprocess bad;
            bad.dtype = DType::u8;
            open(spec, model_input("x", DType::f32, {1, 1, 2, 3}), bad);
          }) == "data " + spec + ": dtype uint8 was asked for, but model input 'x' is [1,1,2,3] float32");
  }
}

TEST_SUITE("datasets.preprocess") {
  TEST_CASE("symbolic input dimensions take the images' geometry after resize: batch 1, H, W, the color's channels") {
    TempDir dir;
    gray_png(dir, "d/a/0.png", 6, 4, [](int y, int x) { return 10 * y + x; });
    const std::string spec = "folder:" + dir.path("d");
    const int32_t h = qgate::symbol_dim(0), w = qgate::symbol_dim(1), n = qgate::symbol_dim(2);
    qgate::Preprocess resize;
    resize.resize = qgate::ResizeSpec{{3, 2}, 0};  // 3 wide, 2 high
    resize.color = qgate::ColorMode::rgb;
    // [1,3,h,w]: channels first (NCHW) -> [1,3,2,3]; [n,h,w,3] (NHWC) -> [1,2,3,3]; [1,h,w] (gray) -> [1,2,3].
    CHECK(input0(*open(spec, model_input("x", DType::f32, {1, 3, h, w}), resize), 0).shape == Shape{1, 3, 2, 3});
    CHECK(input0(*open(spec, model_input("x", DType::f32, {n, h, w, 3}), resize), 0).shape == Shape{1, 2, 3, 3});
    qgate::Preprocess gray = resize;
    gray.color = qgate::ColorMode::gray;
    const qgate::Tensor g = input0(*open(spec, model_input("x", DType::u8, {1, h, w}), gray), 0);
    CHECK(g.shape == Shape{1, 2, 3});
    // Resized to its own size (6x4) the image comes through pixel for pixel: 10 y + x.
    qgate::Preprocess same = gray;
    same.resize = qgate::ResizeSpec{{6, 4}, 0};
    const qgate::Tensor whole = input0(*open(spec, model_input("x", DType::u8, {1, h, w}), same), 0);
    CHECK(whole.shape == Shape{1, 4, 6});
    std::vector<int> want;
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 6; ++x) want.push_back(10 * y + x);
    CHECK(u8_values(whole) == want);
    // Without a resize or crop the images' size is not known in advance: refused, naming both ways out.
    const std::string err = error_of([&] { open(spec, model_input("x", DType::f32, {1, 3, h, w})); });
    CHECK(err.find("has symbolic dimensions and the images' size varies: set --resize WxH") != std::string::npos);
    CHECK(err.find("--input-shape x:") != std::string::npos);
  }
}

TEST_SUITE("datasets.folder") {
  TEST_CASE("classes are sorted folder names or --labels order; samples sorted by path") {
    TempDir dir;
    for (const char* f : {"dog/b.png", "dog/a.png", "cat/z.png", "bird/m.png"}) {
      gray_png(dir, std::string("d/") + f, 2, 2, [](int, int) { return 1; });
    }
    dir.write("d/dog/README.txt", "not an image");
    const auto x = model_input("x", DType::f32, {1, 2, 2, 1});
    auto ds = open("folder:" + dir.path("d"), x);
    REQUIRE(ds->size() == 4);
    CHECK(ds->class_names() == std::vector<std::string>{"bird", "cat", "dog"});
    CHECK(ds->num_classes() == 3);
    std::vector<std::string> ids;
    std::vector<int64_t> labels;
    for (int i = 0; i < 4; ++i) {
      auto s = load(*ds, i);
      ids.push_back(s.id);
      labels.push_back(s.label);
    }
    CHECK(ids == std::vector<std::string>{"bird/m.png", "cat/z.png", "dog/a.png", "dog/b.png"});
    CHECK(labels == std::vector<int64_t>{0, 1, 2, 2});
    CHECK(ds->describe().find("1 files without an image extension skipped") != std::string::npos);

    std::string names = dir.write("labels.txt", "dog\ncat\nbird\nfish\n");
    auto named = open("folder:" + dir.path("d"), x, {}, names);
    CHECK(named->num_classes() == 4);
    CHECK(load(*named, 0).label == 2);  // bird
    CHECK(load(*named, 2).label == 0);  // dog

    // Contents are hashed (small folder); changing an image changes the fingerprint.
    std::string before = ds->fingerprint();
    CHECK(before.rfind("sha256:", 0) == 0);
    gray_png(dir, "d/cat/z.png", 2, 2, [](int, int) { return 2; });
    CHECK(open("folder:" + dir.path("d"), x)->fingerprint() != before);

    std::string few = dir.write("few.txt", "dog\ncat\n");
    CHECK(error_of([&] { open("folder:" + dir.path("d"), x, {}, few); }) ==
          "data folder:" + dir.path("d") + ": folder 'bird' is not a class in --labels " + few);
  }

  TEST_CASE("per-sample errors name the sample") {
    TempDir dir;
    gray_png(dir, "d/a/0.png", 3, 3, [](int, int) { return 1; });
    dir.write("d/a/1.png", "oops!");
    const std::string spec = "folder:" + dir.path("d");
    auto ds = open(spec, model_input("x", DType::f32, {1, 3, 3, 1}));
    CHECK(error_of([&] { load(*ds, 1); }) ==
          "data " + spec + ": sample a/1.png: " + dir.path("d/a/1.png") +
              " is not an image OpenCV can decode (5 bytes)");
    // Sample 0 goes through the pipeline when the data set is opened.
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 2, 2, 1})); }) ==
          "data " + spec +
              ": sample a/0.png: image is 3x3 after preprocessing, model input 'x' takes 2x2 (set --resize 2x2, or "
              "--resize N --crop 2x2)");
    qgate::Preprocess crop;
    crop.crop = qgate::ImageSize{4, 4};
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 4, 4, 1}), crop); }) ==
          "data " + spec + ": sample a/0.png: image is 3x3, smaller than the crop 4x4");
    // A later sample of another size fails when loaded.
    gray_png(dir, "d/a/2.png", 4, 4, [](int, int) { return 1; });
    auto mixed = open(spec, model_input("x", DType::f32, {1, 3, 3, 1}));
    CHECK(error_of([&] { load(*mixed, 2); }) ==
          "data " + spec +
              ": sample a/2.png: image is 4x4 after preprocessing, model input 'x' takes 3x3 (set --resize 3x3, or "
              "--resize N --crop 3x3)");
    qgate::Preprocess resize;
    resize.resize = qgate::ResizeSpec{{3, 3}, 0};
    resize.crop = qgate::ImageSize{4, 4};
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 4, 4, 1}), resize); }) ==
          "data " + spec + ": crop 4x4 is larger than the 3x3 image after resize");
    CHECK(error_of([&] { open("folder:" + dir.path("none"), model_input("x", DType::f32, {1, 4, 4, 1})); }) ==
          "data folder:" + dir.path("none") + ": " + dir.path("none") +
              " is not a directory (expected DIR/<class>/<image>)");
  }
}

TEST_SUITE("datasets.list") {
  TEST_CASE("lines 'path label' with indices or --labels names, relative to the list or ROOT") {
    TempDir dir;
    gray_png(dir, "imgs/a.png", 2, 2, [](int, int) { return 3; });
    gray_png(dir, "imgs/b c.png", 2, 2, [](int, int) { return 4; });
    std::string names = dir.write("names.txt", "dog\ncat\n");
    std::string list = dir.write("val.txt", "# path label\nimgs/a.png 1\n\nimgs/b c.png\tdog\r\n");
    const auto x = model_input("x", DType::u8, {1, 2, 2, 1});
    auto ds = open("list:" + list, x, {}, names);
    REQUIRE(ds->size() == 2);
    auto s = load(*ds, 1);
    CHECK(s.id == "imgs/b c.png");
    CHECK(s.label == 0);
    CHECK(s.inputs[0].as<uint8_t>()[0] == 4);
    CHECK(load(*ds, 0).label == 1);
    CHECK(ds->class_names() == std::vector<std::string>{"dog", "cat"});

    std::string elsewhere = dir.write("lists/val.txt", "a.png 0\n");
    auto rooted = open("list:" + elsewhere + "," + dir.path("imgs"), x);
    CHECK(rooted->num_classes() == 1);
    CHECK(load(*rooted, 0).inputs[0].as<uint8_t>()[0] == 3);

    CHECK(error_of([&] { open("list:" + list, x); }) ==
          "data list:" + list + ": sample imgs/b c.png (line 4): label 'dog' is not an integer (give --labels FILE to "
                                "use class names)");
    std::string out_of_range = dir.write("oor.txt", "imgs/a.png 0\nimgs/a.png 2\n");
    CHECK(error_of([&] { open("list:" + out_of_range, x, {}, names); }) ==
          "data list:" + out_of_range + ": sample imgs/a.png (line 2): label 2 is out of range: --labels " + names +
              " names 2 classes (0..1)");
    std::string missing = dir.write("missing.txt", "imgs/a.png 0\nimgs/gone.png 1\n");
    CHECK(error_of([&] { open("list:" + missing, x); }) ==
          "data list:" + missing + ": " + missing + ": line 2: " + dir.path("imgs/gone.png") +
              ": No such file or directory");
  }
}

}  // namespace qgate::test
