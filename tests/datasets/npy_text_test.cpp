#include <doctest/doctest.h>

#include "core/npy.h"
#include "tests/datasets/dataset_test_util.h"

namespace qgate::test {
namespace {

template <typename T> qgate::Tensor tensor(DType dtype, Shape shape, const std::vector<T>& values) {
  qgate::Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.allocate();
  REQUIRE(static_cast<int64_t>(values.size()) == t.elements());
  std::copy(values.begin(), values.end(), t.as<T>());
  return t;
}

std::vector<int32_t> ids_of(const qgate::Dataset& ds, int64_t i) {
  qgate::Sample s;
  ds.load(i, s);
  const auto& t = s.inputs[0];
  if (t.dtype == DType::i64) return std::vector<int32_t>(t.as<int64_t>(), t.as<int64_t>() + t.elements());
  return std::vector<int32_t>(t.as<int32_t>(), t.as<int32_t>() + t.elements());
}

}  // namespace

TEST_SUITE("datasets.npy") {
  TEST_CASE("rows of X feed the model as stored; labels from Y") {
    TempDir dir;
    std::vector<float> xs(3 * 4);
    for (size_t k = 0; k < xs.size(); ++k) xs[k] = 0.5f * k;
    const std::string x = dir.path("x.npy"), y = dir.path("y.npy");
    qgate::write_npy(x, tensor<float>(DType::f32, {3, 2, 2}, xs));
    qgate::write_npy(y, tensor<int64_t>(DType::i64, {3}, {4, 0, 2}));
    // [N,2,2] feeds [1,2,2,1]: size-1 dimensions move no element.
    auto ds = open("npy:" + x + "," + y, model_input("x", DType::f32, {1, 2, 2, 1}));
    REQUIRE(ds->size() == 3);
    CHECK(ds->num_classes() == 5);
    qgate::Sample s;
    ds->load(2, s);
    CHECK(s.id == "x.npy#2");
    CHECK(s.label == 2);
    CHECK(s.inputs[0].shape == Shape{1, 2, 2, 1});
    CHECK(std::vector<float>(s.inputs[0].as<float>(), s.inputs[0].as<float>() + 4) ==
          std::vector<float>{4.0f, 4.5f, 5.0f, 5.5f});
    CHECK(ds->fingerprint().rfind("sha256:", 0) == 0);

    // Errors: dtype, shape, label count, label range, preprocessing asked for.
    const std::string spec = "npy:" + x + "," + y;
    CHECK(error_of([&] { open(spec, model_input("x", DType::u8, {1, 2, 2, 1})); }) ==
          "data " + spec + ": " + x +
              " holds float32 values, model input 'x' is [1,2,2,1] uint8 (npy data is fed as stored: save it as "
              "uint8)");
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 4})); }) ==
          "data " + spec + ": " + x + " is [3,2,2] float32, model input 'x' is [1,4] float32 (expected [N,4] or [N,1,4])");
    const std::string y2 = dir.path("y2.npy");
    qgate::write_npy(y2, tensor<int32_t>(DType::i32, {2}, {0, 1}));
    CHECK(error_of([&] { open("npy:" + x + "," + y2, model_input("x", DType::f32, {1, 2, 2})); }) ==
          "data npy:" + x + "," + y2 + ": " + y2 +
              " is [2] int32; labels must be 3 integers ([3] int32, int64, uint8 or int8), one per row of " + x);
    std::string names = dir.write("names.txt", "a\nb\nc\n");
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 2, 2}), {}, names); }) ==
          "data " + spec + ": sample x.npy#0: label 4 is out of range: --labels " + names + " names 3 classes (0..2)");
    qgate::Preprocess resize;
    resize.resize = qgate::ResizeSpec{{2, 2}, 0};
    CHECK(error_of([&] { open(spec, model_input("x", DType::f32, {1, 2, 2}), resize); }) ==
          "data " + spec +
              ": image preprocessing options (--preprocess, --resize, --color, ...) do not apply: npy data is fed to "
              "the model as stored");
  }
}

TEST_SUITE("datasets.text") {
  TEST_CASE("characters (UTF-8) to ids, padded and truncated to the model's length") {
    TempDir dir;
    // id 0 <pad>, 1 <unk>, 2 'a', 3 'b', 4 'ä', 5 ' ', 6 'the'
    std::string vocab = dir.write("vocab.txt", "<pad>\n<unk>\na\nb\n\xC3\xA4\n \nthe\n");
    std::string text = dir.write("t.tsv", "0\tab\xC3\xA4\n\n2\tbbbbbbb\n1\ta z\n");
    auto ds = open("text:" + text, model_input("ids", DType::i32, {1, 5}), {}, "", vocab);
    REQUIRE(ds->size() == 3);
    CHECK(ds->num_classes() == 3);
    CHECK(ids_of(*ds, 0) == std::vector<int32_t>{2, 3, 4, 0, 0});
    CHECK(ids_of(*ds, 1) == std::vector<int32_t>{3, 3, 3, 3, 3});  // 7 characters, first 5 kept
    CHECK(ids_of(*ds, 2) == std::vector<int32_t>{2, 5, 1, 0, 0});  // 'z' is <unk>
    qgate::Sample s;
    ds->load(1, s);
    CHECK(s.id == "line 3");
    CHECK(s.label == 2);
    CHECK(s.inputs[0].name == "ids");
    CHECK(ds->describe().find("1 lines truncated") != std::string::npos);

    // int64 input, words, class names from --labels.
    std::string names = dir.write("langs.txt", "english\ngerman\n");
    std::string words = dir.write("w.tsv", "german\tthe  a\tb\nenglish\tthe\n");
    auto w = open("text:" + words + ",words", model_input("ids", DType::i64, {1, 4}), {}, names, vocab);
    CHECK(ids_of(*w, 0) == std::vector<int32_t>{6, 2, 3, 0});
    CHECK(ids_of(*w, 1) == std::vector<int32_t>{6, 0, 0, 0});
    w->load(0, s);
    CHECK(s.label == 1);
    CHECK(w->class_names() == std::vector<std::string>{"english", "german"});
  }

  TEST_CASE("errors name the line") {
    TempDir dir;
    std::string vocab = dir.write("vocab.txt", "\na\nb\nthe\n");
    std::string text = dir.write("t.tsv", "0\tab\n1\tabc\n");
    const auto ids = model_input("ids", DType::i32, {1, 8});
    const std::string spec = "text:" + text;
    CHECK(error_of([&] { open(spec, ids, {}, "", vocab); }) ==
          "data " + spec + ": line 2: character 'c' is not in --vocab " + vocab +
              " and it has no <unk> token (the vocabulary holds multi-character tokens such as 'the': for word "
              "tokens use text:" + text + ",words)");
    CHECK(error_of([&] { open(spec, ids); }) ==
          "data " + spec +
              ": text data needs --vocab FILE (one token per line; line number from 0 = token id; id 0 is padding)");
    CHECK(error_of([&] { open(spec, model_input("ids", DType::f32, {1, 8}), {}, "", vocab); }) ==
          "data " + spec + ": model input 'ids' is [1,8] float32; token ids feed an int32 or int64 input of shape [1, L]");
    std::string no_tab = dir.write("n.tsv", "0\tab\n1 ab\n");
    CHECK(error_of([&] { open("text:" + no_tab, ids, {}, "", vocab); }) ==
          "data text:" + no_tab + ": line 2: expected 'label<TAB>text', found no tab");
    std::string named = dir.write("named.tsv", "0\tab\nfrench\tab\n");
    CHECK(error_of([&] { open("text:" + named, ids, {}, "", vocab); }) ==
          "data text:" + named + ": sample line 2: label 'french' is not an integer (give --labels FILE to use class names)");
    std::string dup = dir.write("dup.txt", "<pad>\na\nb\na\n");
    CHECK(error_of([&] { open(spec, ids, {}, "", dup); }) ==
          "data " + spec + ": --vocab " + dup + ": line 4 (id 3) repeats token 'a' of line 2 (id 1)");
    CHECK(error_of([&] { open("text:" + text + ",bytes", ids, {}, "", vocab); }) ==
          "data text:" + text + ",bytes: 'bytes' is not an option of text data (chars, words, start, end)");
  }

  TEST_CASE("end alignment keeps the last L tokens, padding in front") {
    // Vocabulary: 0 <pad>, 1 a, 2 b, 3 c; model input [1,4].
    TempDir dir;
    std::string vocab = dir.write("v.txt", "<pad>\na\nb\nc\n");
    std::string text = dir.write("t.tsv", "0\tabcab\n1\tab\n");
    const auto ids = model_input("ids", DType::i32, {1, 4});
    auto start = open("text:" + text, ids, {}, "", vocab);
    auto end = open("text:" + text + ",end", ids, {}, "", vocab);
    qgate::Sample s;
    start->load(0, s);
    CHECK(std::vector<int32_t>(s.inputs[0].as<int32_t>(), s.inputs[0].as<int32_t>() + 4) == std::vector<int32_t>{1, 2, 3, 1});
    end->load(0, s);
    CHECK(std::vector<int32_t>(s.inputs[0].as<int32_t>(), s.inputs[0].as<int32_t>() + 4) == std::vector<int32_t>{2, 3, 1, 2});
    end->load(1, s);
    CHECK(std::vector<int32_t>(s.inputs[0].as<int32_t>(), s.inputs[0].as<int32_t>() + 4) == std::vector<int32_t>{0, 0, 1, 2});
    start->load(1, s);
    CHECK(std::vector<int32_t>(s.inputs[0].as<int32_t>(), s.inputs[0].as<int32_t>() + 4) == std::vector<int32_t>{1, 2, 0, 0});
    CHECK(start->fingerprint() != end->fingerprint());
  }
}

TEST_SUITE("datasets.spec") {
  TEST_CASE("spec syntax, options that do not apply, models with several inputs, --labels files") {
    const auto x = model_input("x", DType::f32, {1, 2});
    CHECK(error_of([&] { open("mnist", x); }) ==
          "data 'mnist': expected KIND:ARGS with KIND one of idx, folder, list, npy, text");
    CHECK(error_of([&] { open("csv:a.csv", x); }) ==
          "data 'csv:a.csv': unknown kind 'csv' (expected idx, folder, list, npy or text)");
    CHECK(error_of([&] { open("idx:a", x, {}, "", "v.txt"); }) == "data idx:a: --vocab applies to text data only");
    TempDir dir;
    qgate::write_npy(dir.path("x.npy"), tensor<float>(DType::f32, {1, 2}, {1, 2}));
    qgate::DataOptions o;
    o.spec = "npy:" + dir.path("x.npy");
    CHECK(error_of([&] { qgate::open_dataset(o, {x, model_input("y", DType::f32, {1, 2})}); }) ==
          "data " + o.spec + ": the model has 2 inputs 'x', 'y'; this data feeds exactly one");
    CHECK(error_of([&] { qgate::parse_class_names("a\n\nb\n", "L.txt"); }) ==
          "L.txt: line 2 is blank (one class name per line; line 1 names class 0)");
    CHECK(error_of([&] { qgate::parse_class_names("a\nb\na\n", "L.txt"); }) == "L.txt: line 3: class 'a' repeats line 1");
    CHECK(qgate::parse_class_names("T-shirt/top \r\nAnkle boot\n\n", "L.txt") ==
          std::vector<std::string>{"T-shirt/top", "Ankle boot"});
  }
}

}  // namespace qgate::test
