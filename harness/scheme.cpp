#include "harness/scheme.h"

#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "core/errors.h"

namespace qgate {

namespace {

struct Preset {
  const char* name;
  WeightGranularity granularity;
  ActivationMode activations;
  Epilogue epilogue;
  WeightQuantizer weight_quantizer = WeightQuantizer::tflite;
  int64_t min_elements = 1024;
  // Default ops: the op types onnxruntime's quantize_dynamic quantizes (MatMul/Gemm as fully_connected, Conv as
  // conv2d) instead of every op with a hybrid kernel.
  bool ort_ops = false;
  Arithmetic arithmetic = Arithmetic::by_epilogue;
};

// The defaults each base word stands for; keys after it override them.
constexpr Preset kPresets[] = {
    {"tflite-dynamic", WeightGranularity::converter_default, ActivationMode::asymmetric, Epilogue::tflite},
    {"tflite-dynamic-legacy", WeightGranularity::per_tensor, ActivationMode::symmetric, Epilogue::tflite},
    {"xnnpack-qd8", WeightGranularity::per_channel, ActivationMode::asymmetric, Epilogue::xnnpack},
    {"weight-only-int8", WeightGranularity::converter_default, ActivationMode::weight_only, Epilogue::tflite},
    {"per-tensor", WeightGranularity::per_tensor, ActivationMode::symmetric, Epilogue::tflite},
    {"per-channel", WeightGranularity::per_channel, ActivationMode::symmetric, Epilogue::tflite},
    // onnxruntime quantize_dynamic's defaults: int8 symmetric per-tensor weights, every size, MatMul/Gemm
    // (MatMulInteger) and Conv (ConvInteger, depthwise included).
    {"ort-dynamic", WeightGranularity::per_tensor, ActivationMode::ort_u8_tensor, Epilogue::onnxruntime,
     WeightQuantizer::onnxruntime, 0, true},
    // The converter's weights (tflite-dynamic) computed as LiteRT does on CPU: XNNPACK's qd8 path where its delegate
    // takes the op, TFLite's builtin hybrid kernels elsewhere, XNNPACK's float orders (docs/litert-cpu.md).
    {"litert-cpu", WeightGranularity::converter_default, ActivationMode::asymmetric, Epilogue::xnnpack,
     WeightQuantizer::tflite, 1024, false, Arithmetic::litert_cpu},
};

// The words a key's values are written with, in the order an error message lists them.
template <typename E>
struct Word {
  E value;
  const char* word;
};
constexpr Word<WeightGranularity> kGranularityWords[] = {{WeightGranularity::converter_default, "converter"},
                                                         {WeightGranularity::per_tensor, "per-tensor"},
                                                         {WeightGranularity::per_channel, "per-channel"}};
constexpr Word<ActivationMode> kActWords[] = {{ActivationMode::symmetric, "sym"},
                                              {ActivationMode::asymmetric, "asym"},
                                              {ActivationMode::weight_only, "none"},
                                              {ActivationMode::op_default, "op"},
                                              {ActivationMode::ort_u8_tensor, "u8-tensor"}};
constexpr Word<Epilogue> kEpilogueWords[] = {
    {Epilogue::tflite, "tflite"}, {Epilogue::xnnpack, "xnnpack"}, {Epilogue::onnxruntime, "onnxruntime"}};
constexpr Word<Saturation> kSaturationWords[] = {{Saturation::none, "none"}, {Saturation::avx2_u8s8, "avx2-u8s8"}};
constexpr Word<Arithmetic> kArithmeticWords[] = {{Arithmetic::by_epilogue, "by-epilogue"},
                                                 {Arithmetic::litert_cpu, "litert-cpu"}};

template <typename E, size_t N>
const char* word_of(E value, const Word<E> (&words)[N]) {
  for (const Word<E>& w : words)
    if (w.value == value) return w.word;
  return "?";
}

// The value `word` stands for; InputError "scheme 'TEXT': KEY=WORD must be a, b or c" when it is none of them.
template <typename E, size_t N>
E parse_word(const std::string& text, const std::string& key, const std::string& word, const Word<E> (&words)[N]) {
  std::string choices;
  for (size_t k = 0; k < N; ++k) {
    if (word == words[k].word) return words[k].value;
    choices += (k == 0 ? "" : k + 1 == N ? " or " : ", ") + std::string(words[k].word);
  }
  throw InputError(fmt::format("scheme '{}': {}={} must be {}", text, key, word, choices));
}

// The op types with an onnxruntime dynamic-quantization mode (act=u8-tensor, epilogue=onnxruntime).
std::set<OpType> ort_op_types() { return {OpType::fully_connected, OpType::conv2d, OpType::depthwise_conv2d}; }

Scheme from_preset(const Preset& p) {
  Scheme s;
  s.base = p.name;
  s.granularity = p.granularity;
  s.activations = p.activations;
  s.epilogue = p.epilogue;
  s.weight_quantizer = p.weight_quantizer;
  s.min_elements = p.min_elements;
  s.ops = p.ort_ops ? ort_op_types() : hybrid_op_types();
  s.arithmetic = p.arithmetic;
  return s;
}

std::string ops_string(const std::set<OpType>& ops) {
  std::vector<std::string> names;
  for (OpType o : ops) names.emplace_back(op_name(o));
  return fmt::format("{}", fmt::join(names, "+"));
}

}  // namespace

std::set<OpType> hybrid_op_types() {
  return {OpType::conv2d,
          OpType::depthwise_conv2d,
          OpType::fully_connected,
          OpType::embedding_lookup,
          OpType::rnn,
          OpType::unidirectional_sequence_rnn,
          OpType::bidirectional_sequence_rnn,
          OpType::unidirectional_sequence_lstm,
          OpType::bidirectional_sequence_lstm,
          OpType::lstm,
          OpType::gru};
}

std::string scheme_preset_names() {
  return "tflite-dynamic, tflite-dynamic-legacy, xnnpack-qd8, weight-only-int8, ort-dynamic, litert-cpu (or "
         "per-tensor / per-channel), followed by granularity=converter|per-tensor|per-channel, bits=N, "
         "act=sym|asym|none|op|u8-tensor, min-elements=N, epilogue=tflite|xnnpack|onnxruntime, ops=a+b, "
         "reduce-range=0|1, saturate=none|avx2-u8s8, arithmetic=by-epilogue|litert-cpu";
}


bool Scheme::per_channel_for(OpType op) const {
  switch (granularity) {
    case WeightGranularity::per_tensor: return false;
    case WeightGranularity::per_channel:
      // onnxruntime's quantize_dynamic quantizes a Conv's weight per tensor even with per_channel=True (its
      // ConvInteger path calls the per-tensor weight quantizer), so the onnxruntime quantizer does too.
      if (weight_quantizer == WeightQuantizer::onnxruntime) return op == OpType::fully_connected;
      return op == OpType::conv2d || op == OpType::depthwise_conv2d || op == OpType::fully_connected ||
             op == OpType::embedding_lookup;
    case WeightGranularity::converter_default: return op == OpType::conv2d || op == OpType::depthwise_conv2d;
  }
  return false;
}

Scheme Scheme::parse(const std::string& text) {
  std::vector<std::string> tokens;
  std::stringstream ss(text);
  std::string tok;
  while (std::getline(ss, tok, ',')) tokens.push_back(tok);
  if (tokens.empty() || tokens[0].empty())
    throw InputError(fmt::format("scheme '{}': empty; expected one of {}", text, scheme_preset_names()));
  const Preset* base = nullptr;
  for (const Preset& p : kPresets)
    if (tokens[0] == p.name) base = &p;
  if (!base)
    throw InputError(fmt::format("scheme '{}': '{}' is not a preset or granularity; expected one of {}", text,
                                 tokens[0], scheme_preset_names()));
  Scheme s = from_preset(*base);
  std::set<std::string> seen;
  for (size_t i = 1; i < tokens.size(); ++i) {
    auto eq = tokens[i].find('=');
    if (eq == std::string::npos)
      throw InputError(fmt::format("scheme '{}': '{}' is not key=value", text, tokens[i]));
    std::string key = tokens[i].substr(0, eq), value = tokens[i].substr(eq + 1);
    if (!seen.insert(key).second) throw InputError(fmt::format("scheme '{}': key '{}' given twice", text, key));
    auto parse_int = [&](int64_t lo, int64_t hi) {
      char* end = nullptr;
      long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < lo || v > hi)
        throw InputError(fmt::format("scheme '{}': {}={} must be an integer in [{}, {}]", text, key, value, lo, hi));
      return static_cast<int64_t>(v);
    };
    if (key == "granularity") {
      s.granularity = parse_word(text, key, value, kGranularityWords);
    } else if (key == "reduce-range") {
      s.reduce_range = parse_int(0, 1) == 1;
    } else if (key == "saturate") {
      s.saturation = parse_word(text, key, value, kSaturationWords);
    } else if (key == "bits") {
      s.bits = static_cast<int>(parse_int(2, 8));
    } else if (key == "act") {
      s.activations = parse_word(text, key, value, kActWords);
    } else if (key == "min-elements") {
      s.min_elements = parse_int(0, int64_t{1} << 40);
    } else if (key == "epilogue") {
      s.epilogue = parse_word(text, key, value, kEpilogueWords);
    } else if (key == "arithmetic") {
      s.arithmetic = parse_word(text, key, value, kArithmeticWords);
    } else if (key == "ops") {
      s.ops.clear();
      std::stringstream os(value);
      std::string name;
      while (std::getline(os, name, '+')) {
        auto op = op_from_name(name);
        if (!op || !hybrid_op_types().count(*op))
          throw InputError(fmt::format("scheme '{}': ops: '{}' is not an op with a hybrid kernel ({})", text, name,
                                       ops_string(hybrid_op_types())));
        s.ops.insert(*op);
      }
      if (s.ops.empty()) throw InputError(fmt::format("scheme '{}': ops= names no op", text));
    } else {
      throw InputError(fmt::format("scheme '{}': unknown key '{}' (granularity, bits, act, min-elements, epilogue, "
                                   "ops, reduce-range, saturate, arithmetic)", text, key));
    }
  }
  // The onnxruntime activation quantization and epilogue exist in the fully connected and conv kernels only.
  const bool ort_parts = s.activations == ActivationMode::ort_u8_tensor || s.epilogue == Epilogue::onnxruntime ||
                         s.saturation != Saturation::none;
  if (ort_parts && (s.activations != ActivationMode::ort_u8_tensor || s.epilogue != Epilogue::onnxruntime))
    throw InputError(fmt::format("scheme '{}': act=u8-tensor, epilogue=onnxruntime and saturate= go together "
                                 "(onnxruntime's dynamic quantization)", text));
  for (OpType op : s.ops)
    if (ort_parts && !ort_op_types().count(op))
      throw InputError(fmt::format("scheme '{}': act=u8-tensor runs in {} only; ops={} is not allowed", text,
                                   ops_string(ort_op_types()), ops_string(s.ops)));
  if (s.arithmetic == Arithmetic::litert_cpu && (ort_parts || s.activations == ActivationMode::weight_only))
    throw InputError(fmt::format("scheme '{}': arithmetic=litert-cpu computes LiteRT's hybrid kernels; it excludes "
                                 "act=none and onnxruntime's act=u8-tensor", text));
  if (s.reduce_range && s.bits != 8)
    throw InputError(fmt::format("scheme '{}': reduce-range=1 fixes the weights to [-64, 64]; bits={} conflicts",
                                 text, s.bits));
  return s;
}

std::string Scheme::to_string() const {
  const Preset* base_preset = nullptr;
  for (const Preset& p : kPresets)
    if (base == p.name) base_preset = &p;
  Scheme d = base_preset ? from_preset(*base_preset) : Scheme{};
  std::string out = base;
  if (granularity != d.granularity) out += fmt::format(",granularity={}", word_of(granularity, kGranularityWords));
  if (bits != d.bits) out += fmt::format(",bits={}", bits);
  if (activations != d.activations) out += fmt::format(",act={}", word_of(activations, kActWords));
  if (min_elements != d.min_elements) out += fmt::format(",min-elements={}", min_elements);
  if (epilogue != d.epilogue) out += fmt::format(",epilogue={}", word_of(epilogue, kEpilogueWords));
  if (ops != d.ops) out += ",ops=" + ops_string(ops);
  if (reduce_range != d.reduce_range) out += reduce_range ? ",reduce-range=1" : ",reduce-range=0";
  if (saturation != d.saturation) out += fmt::format(",saturate={}", word_of(saturation, kSaturationWords));
  if (arithmetic != d.arithmetic) out += fmt::format(",arithmetic={}", word_of(arithmetic, kArithmeticWords));
  return out;
}

}  // namespace qgate
