// text:FILE[,chars|words][,start|end]: lines "label<TAB>text" turned into token ids with a --vocab file.
//
// Vocabulary: one token per line, line i (counting from 0) is token id i. Id 0 is padding, whatever line 0
// holds (conventionally "<pad>" or nothing). Tokens are taken byte for byte (a line holding one space is the
// space character); blank lines after line 0 reserve their id. A line "<unk>" makes that id the stand-in for
// anything not in the vocabulary; without one an unknown token is an error naming the line.
// Tokens: by default each UTF-8 character of the text is one token; with ",words" the text is split at ASCII
// whitespace and each word is one token. Nothing is lower-cased or normalised.
// The model input must be int32 or int64 with every dimension 1 but the last, L. Alignment "start" (default):
// the first L tokens are kept and the rest is filled with 0 (padding at the end). Alignment "end": the last L
// tokens are kept, right-aligned, with the padding in front -- what a model trained on left-padded sequences
// (reading the last step of an RNN) expects.
// The whole file is tokenized when opened (text data sets are small), so every error shows before sample 0.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/loaders.h"
#include "core/errors.h"
#include "core/files.h"
#include "core/sha256.h"

namespace qgate {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = nl + 1;
  }
  return lines;
}

// Length in bytes of the UTF-8 character starting at s[i], or 0 if the bytes there are not valid UTF-8.
size_t utf8_length(const std::string& s, size_t i) {
  const auto b = static_cast<uint8_t>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

class TextDataset final : public Dataset {
 public:
  explicit TextDataset(const LoaderContext& ctx) : ctx_(ctx) {
    const auto args = ctx.split_args(3, "text:FILE[,chars|words][,start|end]");
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "words") words_ = true;
      else if (args[i] == "chars") words_ = false;
      else if (args[i] == "end") align_end_ = true;
      else if (args[i] == "start") align_end_ = false;
      else
        throw InputError(fmt::format("{}: '{}' is not an option of text data (chars, words, start, end)",
                                     ctx.prefix, args[i]));
    }
    path_ = args[0];
    ctx.refuse_preprocess("text data is tokenized with --vocab");
    input_ = ctx.single_input();
    const std::string model_text =
        fmt::format("model input '{}' is {} {}", input_.name, shape_string(input_.shape), dtype_name(input_.dtype));
    if (!input_.shape.empty() && input_.shape.back() < 0)
      throw InputError(fmt::format("{}: {}: the token count is symbolic; give it with --input-shape {}:1,L", ctx.prefix,
                                   model_text, input_.name));
    for (int32_t& d : input_.shape)
      if (d < 0) d = 1;  // a symbolic batch: one line per sample
    const Shape& s = input_.shape;
    const bool ones_but_last = !s.empty() && std::all_of(s.begin(), s.end() - 1, [](int32_t d) { return d == 1; });
    if ((input_.dtype != DType::i32 && input_.dtype != DType::i64) || !ones_but_last || s.back() < 1) {
      throw InputError(fmt::format("{}: {}; token ids feed an int32 or int64 input of shape [1, L]", ctx.prefix,
                                   model_text));
    }
    length_ = s.back();
    if (ctx.vocab_file.empty()) {
      throw InputError(fmt::format("{}: text data needs --vocab FILE (one token per line; line number from 0 = "
                                   "token id; id 0 is padding)",
                                   ctx.prefix));
    }
    read_vocab();
    read_text();
  }

  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }

  void load(int64_t i, Sample& out) const override {
    out.id = fmt::format("line {}", line_numbers_[static_cast<size_t>(i)]);
    out.label = labels_[static_cast<size_t>(i)];
    Tensor& t = out.single_input(input_);
    const int32_t* ids = tokens_.data() + static_cast<size_t>(i) * length_;
    if (t.dtype == DType::i32) {
      std::memcpy(t.as<int32_t>(), ids, sizeof(int32_t) * length_);
    } else {
      std::copy(ids, ids + length_, t.as<int64_t>());
    }
  }

  std::vector<std::string> class_names() const override { return ctx_.class_names; }
  int64_t num_classes() const override { return num_classes_; }

  std::string describe() const override {
    return fmt::format("text {}: {} lines{}; {} tokens (vocab {}, {} ids{}), {}-aligned to {} ({} lines "
                       "truncated) -> '{}' {} {}",
                       base_name(path_), labels_.size(), ctx_.classes_text(num_classes_),
                       words_ ? "word" : "character", base_name(ctx_.vocab_file), vocab_size_,
                       unk_ >= 0 ? fmt::format(", <unk> = {}", unk_) : "", align_end_ ? "end" : "start", length_,
                       truncated_, input_.name,
                       shape_string(input_.shape), dtype_name(input_.dtype));
  }

  std::string fingerprint() const override {
    return fingerprint_.get([&] {
      return "sha256:" + sha256_hex(fmt::format(
                             "qgate text v1\ntext {}\nvocab {}\nclasses {}\ntokens {}\nlength {}\nalign {}\n",
                             text_sha256_, vocab_sha256_, ctx_.labels_sha256, words_ ? "words" : "chars", length_,
                             align_end_ ? "end" : "start"));
    });
  }

 private:
  void read_vocab() {
    const std::string bytes = read_file(ctx_.vocab_file);
    vocab_sha256_ = sha256_hex(bytes);
    auto lines = split_lines(bytes);
    vocab_size_ = static_cast<int64_t>(lines.size());
    for (size_t i = 1; i < lines.size(); ++i) {
      if (lines[i].empty()) continue;
      auto [it, fresh] = vocab_.emplace(lines[i], static_cast<int32_t>(i));
      if (!fresh) {
        throw InputError(fmt::format("{}: --vocab {}: line {} (id {}) repeats token '{}' of line {} (id {})",
                                     ctx_.prefix, ctx_.vocab_file, i + 1, i, lines[i], it->second + 1, it->second));
      }
      if (lines[i] != "<unk>" && multi_char_example_.empty() && utf8_length(lines[i], 0) != lines[i].size()) {
        multi_char_example_ = lines[i];
      }
    }
    if (vocab_.empty()) {
      throw InputError(fmt::format("{}: --vocab {} holds no tokens after line 1 (line 1 is id 0, padding)",
                                   ctx_.prefix, ctx_.vocab_file));
    }
    auto unk = vocab_.find("<unk>");
    unk_ = unk == vocab_.end() ? -1 : unk->second;
  }

  int32_t token_id(const std::string& token, int line_no) const {
    auto it = vocab_.find(token);
    if (it != vocab_.end()) return it->second;
    if (unk_ >= 0) return unk_;
    std::string hint;
    if (!words_ && !multi_char_example_.empty()) {
      hint = fmt::format(" (the vocabulary holds multi-character tokens such as '{}': for word tokens use "
                         "text:{},words)",
                         multi_char_example_, path_);
    }
    throw InputError(fmt::format("{}: line {}: {} '{}' is not in --vocab {} and it has no <unk> token{}", ctx_.prefix,
                                 line_no, words_ ? "word" : "character", token, ctx_.vocab_file, hint));
  }

  void read_text() {
    const std::string bytes = read_file(path_);
    text_sha256_ = sha256_hex(bytes);
    auto lines = split_lines(bytes);
    int64_t max_label = 0;
    std::vector<int32_t> ids;
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::string& line = lines[n];
      const int line_no = static_cast<int>(n) + 1;
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      auto tab = line.find('\t');
      if (tab == std::string::npos) {
        throw InputError(fmt::format("{}: line {}: expected 'label<TAB>text', found no tab", ctx_.prefix, line_no));
      }
      const int64_t label = ctx_.parse_label(line.substr(0, tab), fmt::format("line {}", line_no));
      const std::string text = line.substr(tab + 1);
      ids.clear();
      if (words_) {
        size_t i = 0;
        while (i < text.size()) {
          size_t b = text.find_first_not_of(" \t\v\f", i);
          if (b == std::string::npos) break;
          size_t e = text.find_first_of(" \t\v\f", b);
          if (e == std::string::npos) e = text.size();
          ids.push_back(token_id(text.substr(b, e - b), line_no));
          i = e;
        }
      } else {
        for (size_t i = 0; i < text.size();) {
          size_t len = utf8_length(text, i);
          if (len == 0) {
            throw InputError(fmt::format("{}: line {}: invalid UTF-8 at byte {} of the text", ctx_.prefix, line_no,
                                         i + 1));
          }
          ids.push_back(token_id(text.substr(i, len), line_no));
          i += len;
        }
      }
      if (static_cast<int64_t>(ids.size()) > length_) ++truncated_;
      if (align_end_) {
        const auto L = static_cast<size_t>(length_);
        if (ids.size() > L) ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(L));
        ids.insert(ids.begin(), L - ids.size(), 0);
      } else {
        ids.resize(static_cast<size_t>(length_), 0);
      }
      tokens_.insert(tokens_.end(), ids.begin(), ids.end());
      labels_.push_back(label);
      line_numbers_.push_back(line_no);
      max_label = std::max(max_label, label);
    }
    if (labels_.empty()) throw InputError(fmt::format("{}: {} holds no lines", ctx_.prefix, path_));
    num_classes_ = ctx_.num_classes(max_label);
  }

  LoaderContext ctx_;
  ModelInput input_;
  std::string path_;
  bool words_ = false;
  bool align_end_ = false;  // keep the last L tokens, padding in front
  int64_t length_ = 0;
  std::unordered_map<std::string, int32_t> vocab_;
  int64_t vocab_size_ = 0;
  int32_t unk_ = -1;
  std::string multi_char_example_;
  std::vector<int32_t> tokens_;  // length_ ids per line, padded
  std::vector<int64_t> labels_;
  std::vector<int> line_numbers_;
  int64_t truncated_ = 0;
  int64_t num_classes_ = 0;
  std::string text_sha256_, vocab_sha256_;
  LazyFingerprint fingerprint_;
};

}  // namespace

std::unique_ptr<Dataset> open_text(const LoaderContext& ctx) { return std::make_unique<TextDataset>(ctx); }

}  // namespace qgate
