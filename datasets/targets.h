// Targets of model outputs besides the class label: `--targets OUTPUT=SPEC` (docs/cli.md#targets).
//
//   npy:FILE.npy       one row per sample ([N, ...], N = the data set's samples). Float rows are values (regression
//                      values or landmark coordinates, multilabel 0/1); integer rows are values and ids (multilabel
//                      0/1, an embedding's group [N], masks [N,H,W] of class ids, symbol sequences [N,L] padded
//                      with negative ids).
//   png:DIR            segmentation masks: for the image the data names "a/b.jpg", DIR/a/b.png.
//   png:LIST           segmentation masks: lines "IMAGE MASK" (the image as the data names it, the mask path relative
//                      to LIST's folder; the mask is the last field, so image paths may hold spaces).
//                      Masks are 8- or 16-bit single-channel PNGs whose values are class ids (255: not scored), the
//                      size of their image. Each goes through the image's geometry (resize and center crop, with
//                      nearest-neighbour interpolation), then, when the output's map is smaller or larger than the
//                      model input, is resized to the output's height and width with nearest neighbour.
//   text:FILE[,VOCAB]  transcripts for sequence outputs, line i (from 0) for sample i. With VOCAB (one symbol per
//                      line, line j is symbol id j), each UTF-8 character is a symbol; without, a line holds the ids
//                      as integers separated by spaces.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/spec.h"

namespace qgate {

// What a source holds: float values per sample, integer ids per sample (NPY of integers), masks, or transcripts.
enum class TargetForm { values, integers, mask, transcript };

class TargetSource {
 public:
  virtual ~TargetSource();
  virtual TargetForm form() const = 0;
  // NPY: the values of one row; 0 for masks and transcripts (they vary or depend on the output).
  virtual int64_t values_per_sample() const = 0;
  // NPY: every value is 0 or 1 (multilabel targets).
  virtual bool binary() const { return false; }
  // Sample `index`'s target into `out` (buffers reused). `sample` is the loaded sample (its id and source size name
  // the image a mask belongs to). Thread-safe; throws InputError naming the file and the sample.
  virtual void load(int64_t index, const Sample& sample, Target& out) const = 0;
  virtual std::string describe() const = 0;
};

struct TargetOptions {
  std::string spec;            // npy:..., png:..., text:...
  std::string output;          // the output it feeds, for errors
  int64_t samples = 0;         // the data set's sample count (NPY rows and transcript lines must cover it)
  // Masks: the output's map height and width (0: keep the size the image geometry gives).
  int map_height = 0, map_width = 0;
};

// Opens a target source; checks what can be checked before any sample (row counts, dtypes, files listed, the
// vocabulary). Throws InputError ("--targets OUTPUT=SPEC: ...") naming the file, line or field and the rule.
std::unique_ptr<TargetSource> open_targets(const TargetOptions& options, const DataOptions& data,
                                           const std::vector<ModelInput>& inputs);

}  // namespace qgate
