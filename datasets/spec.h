// Opening a data set from `--data KIND:ARGS` and the options that go with it.
//
//   idx:IMAGES[,LABELS]   IDX files (MNIST, Fashion-MNIST), plain or gzip (detected by content, not name).
//                         Unsigned-byte images [N, rows, cols] (magic 0x00000803), labels [N] (0x00000801);
//                         both kept in memory decompressed (60000 28x28 images: 47 MB). No LABELS: unlabeled.
//   folder:DIR            DIR/<class>/<image>; classes from --labels (one name per line) or sorted folder names.
//                         Image files by extension (.jpg .jpeg .png .bmp .pgm .ppm .tif .webp ...), hidden files
//                         skipped; samples sorted by class folder then file name. Decoded one sample at a time.
//   list:FILE[,ROOT]      lines "relative/path label" (label an index, or a name from --labels; the label is the
//                         last field, so paths may hold spaces); paths relative to ROOT, by default FILE's
//                         directory. Blank lines and lines starting with '#' skipped. Every file is stat()ed when
//                         opened, so a missing one fails before sample 0.
//   npy:X.npy[,Y.npy]     X is [N, <model input dims without batch>] (size-1 dimensions may be dropped or added)
//                         in the model input's dtype, fed as stored (no preprocessing); Y holds N integer labels
//                         (int32, int64, uint8 or int8). Both arrays are read whole.
//   text:FILE[,chars|words]  lines "label<TAB>text" (blank lines skipped; sample ids "line 17", counted from 1).
//                         --vocab: one token per line, line i counted from 0 is token id i; id 0 is padding
//                         whatever line 0 holds; tokens are taken byte for byte (a line holding one space is the
//                         space token); a "<unk>" line stands in for unknown tokens, else an unknown token is an
//                         error naming the line. chars (default): each UTF-8 character is a token; words: the text
//                         split at ASCII whitespace. Nothing is lower-cased. The model input is int32 or int64,
//                         every dimension 1 but the last, L: the first L tokens, then 0s. Tokenized when opened.
// Labels must be in [0, classes): classes = the --labels line count, else max label + 1.
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
