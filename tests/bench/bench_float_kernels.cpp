// Benchmark of the float convolution-family kernels on real layer shapes (MobileNet/ResNet-like layers and a
// classifier head). Prints shape, ms per call, GFLOP/s and % of the 99 GFLOP/s per-core fp32 AVX2 + FMA peak
// docs/performance.md#what-bounds-them gives for these machines, for 1 and 2 threads.
//
//   ./build/bench_float_kernels [--quick]
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
#include "kernels/conv2d.h"
#include "kernels/cpu_features.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/fully_connected.h"
#include "kernels/parallel.h"

using namespace qgate::kernels;
using qgate::test::random_floats;
using qgate::bench::time_us;

namespace {

constexpr double kPeakGflopsPerCore = 99.0;

struct Bench {
  std::string name;
  double flops;
  std::function<void()> run;
};

Conv2DParams conv_params(int h, int w, int cin, int cout, int k) {
  Conv2DParams p;
  p.in_h = h;
  p.in_w = w;
  p.in_c = cin;
  p.out_c = cout;
  p.kernel_h = p.kernel_w = k;
  p.out_h = conv_output_size(h, k, 1, 1, true);
  p.out_w = conv_output_size(w, k, 1, 1, true);
  p.pad_top = conv_pad_before(h, p.out_h, k, 1, 1, true);
  p.pad_left = conv_pad_before(w, p.out_w, k, 1, 1, true);
  p.activation = Activation::relu;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = qgate::bench::min_seconds_from_args(argc, argv);
  std::vector<Bench> benches;
  std::vector<std::vector<float>> keep;  // owners of every buffer the closures borrow
  auto buf = [&](size_t n, uint32_t seed) -> float* {
    keep.push_back(random_floats(n, seed));
    return keep.back().data();
  };
  constexpr int kSlots = 2;

  for (auto [cin, cout, k] : {std::tuple{64, 64, 3}, std::tuple{64, 128, 1}}) {
    const Conv2DParams p = conv_params(56, 56, cin, cout, k);
    auto packed = std::make_shared<PackedConv2DWeights>(
        pack_conv2d_weights(p, buf(size_t(cout) * k * k * cin, 1)));
    float* in = buf(size_t(56) * 56 * cin, 2);
    float* bias = buf(cout, 3);
    float* out = buf(size_t(56) * 56 * cout, 4);
    float* scratch = buf(size_t(conv2d_scratch_size(p) * kSlots) + 1, 5);
    benches.push_back({fmt::format("conv {}x{} 56x56x{}->{}", k, k, cin, cout),
                       2.0 * 56 * 56 * cout * k * k * cin,
                       [=] { conv2d_float(p, *packed, in, bias, out, scratch, kSlots); }});
  }
  {
    DepthwiseConv2DParams p;
    p.in_h = p.in_w = 112;
    p.in_c = 32;
    p.kernel_h = p.kernel_w = 3;
    p.out_h = p.out_w = 112;
    p.pad_top = p.pad_left = 1;
    p.activation = Activation::relu6;
    float* in = buf(size_t(112) * 112 * 32, 6);
    float* f = buf(9 * 32, 7);
    float* bias = buf(32, 8);
    float* out = buf(size_t(112) * 112 * 32, 9);
    benches.push_back({"depthwise 3x3 112x112x32", 2.0 * 112 * 112 * 32 * 9,
                       [=] { depthwise_conv2d_float(p, in, f, bias, out); }});
  }
  for (int64_t m : {1, 4, 16, 64}) {
    FullyConnectedParams p{m, 1024, 1000, Activation::none};
    auto packed = std::make_shared<PackedMatrix>(pack_fully_connected_weights(p, buf(1000 * 1024, 10)));
    float* in = buf(size_t(m) * 1024, 11);
    float* bias = buf(1000, 12);
    float* out = buf(size_t(m) * 1000, 13);
    benches.push_back({fmt::format("fc M={} K=1024 N=1000", m), 2.0 * m * 1024 * 1000,
                       [=] { fully_connected_float(p, *packed, in, bias, out); }});
  }

  fmt::print("kernel path: {}; peak {:.0f} GFLOP/s per core\n", kernel_path(), kPeakGflopsPerCore);
  fmt::print("{:<28} {:>8} {:>9} {:>7} | {:>8} {:>9} {:>7}\n", "shape", "1t ms", "GFLOP/s", "%peak", "2t ms",
             "GFLOP/s", "%peak");
  for (const Bench& b : benches) {
    double ms[2];
    for (int t = 1; t <= 2; ++t) {
      set_num_threads(t);
      ms[t - 1] = time_us(b.run, min_seconds) / 1000.0;
    }
    auto gf = [&](double m) { return b.flops / (m * 1e-3) / 1e9; };
    fmt::print("{:<28} {:>8.3f} {:>9.1f} {:>6.1f}% | {:>8.3f} {:>9.1f} {:>6.1f}%\n", b.name, ms[0], gf(ms[0]),
               100.0 * gf(ms[0]) / kPeakGflopsPerCore, ms[1], gf(ms[1]), 100.0 * gf(ms[1]) / (2 * kPeakGflopsPerCore));
  }
  return 0;
}
