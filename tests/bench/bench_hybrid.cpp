// Benchmark of hybrid (dynamic-range) fully connected against the project's float fully connected kernel
// (kernels/fully_connected.h) on a classifier-head shape, K = 1024, N = 1000, M = 1, 4, 16, 64; and of the row
// quantizers, scalar vs AVX2, ns/element; 1 and 2 threads. docs/performance.md#what-bounds-them gives the machine's
// limits: int8 can be at most 2x fp32 per core; hybrid wins most at small M where weight bandwidth dominates.
//
//   ./build/bench_hybrid [--quick]
#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/bench/bench_util.h"
#include "tests/support/random.h"
#include "kernels/cpu_features.h"
#include "kernels/fully_connected.h"
#include "kernels/fully_connected_hybrid.h"
#include "kernels/parallel.h"
#include "kernels/quantize.h"

using namespace qgate::kernels;
using qgate::test::random_floats;
using qgate::bench::time_us;

int main(int argc, char** argv) {
  const double min_s = qgate::bench::min_seconds_from_args(argc, argv);
  fmt::print("kernel path: {}\n\n", kernel_path());

  const int32_t k = 1024, n = 1000;
  const auto wf = random_floats(static_cast<size_t>(n) * k, 1);
  const auto bias = random_floats(n, 2);
  // The weights as the PTQ transform would store them: per-tensor symmetric int8.
  std::vector<int8_t> wq(wf.size());
  const float w_scale = quantize_weights_symmetric_per_tensor(wf.data(), static_cast<int64_t>(wf.size()), 8, wq.data());
  const PackedInt8Weights packed_q = pack_int8_weights(wq.data(), n, k, &w_scale, 1);

  fmt::print("Fully connected K = {}, N = {}: float (kernels/fully_connected, AVX2+FMA) vs hybrid int8 "
             "(asymmetric rows, builtin epilogue), microseconds per call\n",
             k, n);
  fmt::print("{:>8} {:>4} {:>10} {:>10} {:>8} {:>12} {:>12}\n", "threads", "M", "float us", "hybrid us", "speedup",
             "float GF/s", "hybrid GOP/s");
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (int32_t m : {1, 4, 16, 64}) {
      FullyConnectedParams fp{m, k, n, Activation::none};
      const PackedMatrix packed_f = pack_fully_connected_weights(fp, wf.data());
      const auto input = random_floats(static_cast<size_t>(m) * k, 3);
      std::vector<float> out_f(static_cast<size_t>(m) * n), out_h(out_f.size());
      FullyConnectedHybridScratch scratch;
      scratch.reserve(fp);
      // TFLite's builtin kernel with asymmetric_quantize_inputs.
      const HybridParams hp{HybridInputQuantization::asymmetric_rows, HybridEpilogue::scale_product,
                            Int8ProductArithmetic::exact, true};
      const double tf = time_us([&] { fully_connected_float(fp, packed_f, input.data(), bias.data(), out_f.data()); },
                                min_s);
      const double th = time_us(
          [&] { fully_connected_hybrid(fp, hp, packed_q, input.data(), bias.data(), out_h.data(), scratch); }, min_s);
      const double ops = 2.0 * m * n * k;
      fmt::print("{:>8} {:>4} {:>10.1f} {:>10.1f} {:>7.2f}x {:>12.1f} {:>12.1f}\n", threads, m, tf, th, tf / th,
                 ops / tf * 1e-3, ops / th * 1e-3);
    }
  }
  set_num_threads(1);

  fmt::print("\nRow quantizers, one row of K floats, ns per element (1 thread)\n");
  fmt::print("{:>6} {:>12} {:>10} {:>10} {:>8}\n", "K", "mode", "scalar", "avx2", "ratio");
  for (int64_t len : {1024, 16384}) {
    const auto x = random_floats(static_cast<size_t>(len), 4);
    std::vector<int8_t> q(static_cast<size_t>(len));
    float s;
    int32_t zp;
    const bool avx2 = path_availability(SimdPath::avx2).available;
    for (int mode = 0; mode < 2; ++mode) {
      auto run = [&](SimdPath path) {
        if (mode == 0)
          quantize_row_symmetric(x.data(), len, q.data(), &s, path);
        else
          quantize_row_asymmetric(x.data(), len, q.data(), &s, &zp, path);
      };
      const double ts = time_us([&] { run(SimdPath::portable); }, min_s) * 1e3 / static_cast<double>(len);
      const double tv = avx2 ? time_us([&] { run(SimdPath::avx2); }, min_s) * 1e3 / static_cast<double>(len) : 0.0;
      fmt::print("{:>6} {:>12} {:>10.3f} {:>10.3f} {:>7.1f}x\n", len, mode == 0 ? "symmetric" : "asymmetric", ts, tv,
                 avx2 ? ts / tv : 0.0);
    }
  }
  return 0;
}
