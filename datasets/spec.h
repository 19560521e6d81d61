// Opening a data set from `--data KIND:ARGS` and the options that go with it.
//
//   idx:IMAGES[,LABELS]   IDX files (MNIST, Fashion-MNIST), plain or gzip (detected by content, not name).
//   folder:DIR            DIR/<class>/<image>; classes from --labels (one name per line) or sorted folder names.
//   list:FILE[,ROOT]      lines "relative/path label" (label an index, or a name from --labels); paths relative
//                         to ROOT, by default FILE's directory. Blank lines and lines starting with '#' skipped.
//   npy:X.npy[,Y.npy]     X is [N, <model input dims without batch>] (or [N, 1, ...]) in the model input's dtype,
//                         fed as stored; Y holds N integer labels.
//   text:FILE[,chars|words]  lines "label<TAB>text", tokenized with --vocab (see datasets/text_dataset.cpp's
//                         contract in describe(): characters by default, whitespace-separated words with ",words").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/preprocess.h"

namespace qgate {

struct DataOptions {
  std::string spec;             // --data KIND:ARGS
  std::string labels_file;      // --labels: class names, one per line; line i (from 0) names class i
  std::string vocab_file;       // --vocab: text tokens, one per line; line i (from 0) is token id i, 0 = padding
  std::string preprocess_json;  // --preprocess P.json (fields as in datasets/preprocess.h)
  Preprocess preprocess;        // from flags; fields set here override the JSON file's
};

// Opens the data set and checks it against the model's inputs before any sample is loaded: sample count,
// labels in range, the preprocessing producing exactly each input's dtype and shape (for image files whose
// sizes vary and no resize or crop fixes them, the size is checked per sample). Every loader feeds a model with
// exactly one input. Throws InputError ("data KIND:ARGS: ...") naming the file, field, sample or line and the
// rule, with the flag that would fix it where one would.
std::unique_ptr<Dataset> open_dataset(const DataOptions& options, const std::vector<ModelInput>& inputs);

// Class names from a --labels file: one per line, surrounding whitespace trimmed, trailing blank lines ignored;
// a blank line inside or a repeated name is an error naming the line. `source` names the text in errors.
std::vector<std::string> parse_class_names(const std::string& text, const std::string& source);

}  // namespace qgate
