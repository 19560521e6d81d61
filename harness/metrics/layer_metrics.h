// Layer-level error of a tensor x (float run) vs xq (quantized run) (docs/metrics.md#layer-metrics), as mergeable
// sufficient statistics in double.
//
// Determinism contract: add() first sums one sample into fresh local partials, then adds those to the running
// totals, so a total is the left-to-right sum of per-sample partials in the order they were added. Floating
// point addition is not associative, so the caller fixes that order independently of the thread count:
// split the samples into fixed chunks (e.g. 64 consecutive sample indices each), feed each chunk's samples in
// index order into its own accumulator (any thread may own a chunk), then merge the chunk accumulators in
// chunk order into an empty one. The bits are then the same for 1 or 16 threads. (Per-sample partials for
// every layer would avoid the rule but cost ~10 doubles x samples x layers of memory.)
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reports/model.h"

namespace qgate::metrics {

// The result types are the report model's (reports/model.h): this file computes them.
using reports::ErrorStats;
using reports::kRmseOverScaleFlag;
using reports::kSqnrCapDb;
using reports::SeriesErrorStats;

// Sums over every finite element pair fed// Sums over every finite element pair fed (e = x - xq).
struct ErrorSums {
  int64_t n = 0;
  int64_t nonfinite = 0;  // element pairs with a NaN or infinite x or xq: counted, left out of every sum
  double sum_x2 = 0;      // sum x^2
  double sum_e2 = 0;      // sum (x - xq)^2
  double sum_e = 0;       // sum (x - xq)
  double max_abs_e = 0;   // max |x - xq|
  double sum_x_xq = 0;    // sum x * xq
  double sum_xq2 = 0;     // sum xq^2
  double sum_abs_x = 0;   // sum |x|
  double max_abs_x = 0;   // max |x|
  double min_x = 0, max_x = 0;  // range of x (0, 0 before any element)

  // Adds another set of sums (totals += other, element-wise; maxima and the range combine).
  void merge(const ErrorSums& other);
};


// Derived statistics. `scale` is the caller's reference step, usually the activation quantization step of this
// tensor: asymmetric_step(sums) = (max(0, max x) - min(0, min x)) / 255, or symmetric_step(sums) =
// max|x| / 127. These use the range over all samples; a hybrid kernel quantizes each row with its own (smaller)
// range, so pass the per-row step when it is known. scale <= 0: no ratio, never flagged.
ErrorStats error_stats(const ErrorSums& sums, double scale = 0);
double asymmetric_step(const ErrorSums& sums);
double symmetric_step(const ErrorSums& sums);

// Error of one node output, fed one sample at a time. Not thread-safe; see the determinism contract above.
class TensorErrorAccumulator {
 public:
  // One sample's tensor pair, elements in the same order. Throws InputError when the lengths differ.
  void add(std::span<const float> x_ref, std::span<const float> x_test);
  void merge(const TensorErrorAccumulator& other) { sums_.merge(other.sums_); }
  const ErrorSums& sums() const { return sums_; }
  ErrorStats finalize(double scale = 0) const { return error_stats(sums_, scale); }

 private:
  ErrorSums sums_;
};

// Sums one pair of tensors from zero (the per-sample partial add() uses).
ErrorSums error_sums(std::span<const float> x_ref, std::span<const float> x_test);


// Error of a recurrent layer's state per time step (h_t, or c_t): one ErrorSums per step. Same determinism
// contract as TensorErrorAccumulator.
class SeriesErrorAccumulator {
 public:
  // One sample's values at step t (all batch rows and units of h_t).
  void add_step(int64_t t, std::span<const float> x_ref, std::span<const float> x_test);
  // One sample's whole sequence output: `time_steps` x `batch` rows of `units` values each, time-major
  // ([T][B][U]) or batch-major ([B][T][U]). Throws InputError when the lengths differ or do not equal
  // time_steps * batch * units.
  void add_sequence(std::span<const float> x_ref, std::span<const float> x_test, int64_t time_steps, int64_t batch,
                    int64_t units, bool time_major);
  void merge(const SeriesErrorAccumulator& other);
  const std::vector<ErrorSums>& steps() const { return steps_; }
  SeriesErrorStats finalize(double scale = 0) const;

 private:
  std::vector<ErrorSums> steps_;
};

}  // namespace qgate::metrics
