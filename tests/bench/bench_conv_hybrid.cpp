// Benchmark of hybrid (dynamic-range) convolutions against the project's float kernels on MobileNet-like layers:
// CONV_2D 3x3 56x56x64 -> 64 (SAME, stride 1) and DEPTHWISE_CONV_2D 3x3 112x112x32 (SAME, stride 1), batch 1,
// 1 and 2 threads. Hybrid times include quantizing the input image (the whole per-call cost).
// docs/performance.md#what-bounds-them: int8 can be at most 2x fp32 per core on these machines.
//
//   ./build/bench_conv_hybrid [--quick]
#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "tests/bench/bench_util.h"
#include "tests/support/random.h"
#include "kernels/conv2d.h"
#include "kernels/conv2d_hybrid.h"
#include "kernels/cpu_features.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/depthwise_conv2d_hybrid.h"
#include "kernels/parallel.h"
#include "kernels/quantize.h"

using namespace qgate::kernels;
using qgate::test::random_floats;
using qgate::bench::time_us;

int main(int argc, char** argv) {
  const double min_s = qgate::bench::min_seconds_from_args(argc, argv);
  fmt::print("kernel path: {}\n\n", kernel_path());

  // ---- CONV_2D 3x3 56x56x64 -> 64 ----
  Conv2DParams p;
  p.in_h = p.in_w = 56;
  p.in_c = 64;
  p.out_c = 64;
  p.kernel_h = p.kernel_w = 3;
  p.out_h = p.out_w = 56;
  p.pad_top = p.pad_left = 1;
  const int64_t k = 9 * 64;
  const auto input = random_floats(56 * 56 * 64, 1);
  const auto wf = random_floats(static_cast<size_t>(64 * k), 2);
  const auto bias = random_floats(64, 3);
  std::vector<float> out(56 * 56 * 64);
  const PackedConv2DWeights packed_f = pack_conv2d_weights(p, wf.data());
  const QuantizedWeights qw = quantize_weights_symmetric(wf.data(), std::vector<int64_t>{64, 3, 3, 64}, 0, 8);
  const PackedConv2DInt8Weights packed_q = pack_conv2d_int8_weights(p, qw.values.data(), qw.scales.data(), 64);
  const double gops = 2.0 * 56 * 56 * 64 * k * 1e-9;

  struct Mode {
    const char* name;
    HybridParams h;
  };
  const Mode modes[] = {
      {"hybrid per-tensor (sym)", {HybridInputQuantization::symmetric_rows, HybridEpilogue::scale_product}},
      {"hybrid per-channel (asym)", {HybridInputQuantization::asymmetric_rows, HybridEpilogue::scale_product}},
      {"hybrid xnnpack qd8", {HybridInputQuantization::asymmetric_rows, HybridEpilogue::input_scale_first}},
  };
  fmt::print("CONV_2D 3x3 56x56x64 -> 64, SAME, batch 1 ({:.2f} G multiply-adds x2): microseconds per call\n",
             gops / 2);
  fmt::print("{:>8} {:<28} {:>10} {:>10} {:>10}\n", "threads", "kernel", "us", "GOP/s", "vs float");
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    std::vector<float> scratch(static_cast<size_t>(conv2d_scratch_size(p) * threads));
    const double tf = time_us([&] { conv2d_float(p, packed_f, input.data(), bias.data(), out.data(), scratch.data(), threads); }, min_s);
    fmt::print("{:>8} {:<28} {:>10.0f} {:>10.1f} {:>10}\n", threads, "float", tf, gops / (tf * 1e-6), "1.00x");
    for (const Mode& m : modes) {
      Conv2DHybridScratch hs;
      hs.reserve(p, threads);
      const double th = time_us([&] { conv2d_hybrid(p, m.h, packed_q, input.data(), bias.data(), out.data(), hs); }, min_s);
      fmt::print("{:>8} {:<28} {:>10.0f} {:>10.1f} {:>9.2f}x\n", threads, m.name, th, gops / (th * 1e-6), tf / th);
    }
  }

  // ---- DEPTHWISE_CONV_2D 3x3 112x112x32 ----
  DepthwiseConv2DParams d;
  d.in_h = d.in_w = d.out_h = d.out_w = 112;
  d.in_c = 32;
  d.kernel_h = d.kernel_w = 3;
  d.pad_top = d.pad_left = 1;
  const auto dinput = random_floats(112 * 112 * 32, 4);
  const auto dwf = random_floats(9 * 32, 5);
  std::vector<float> dout(112 * 112 * 32);
  const QuantizedWeights dqw = quantize_weights_symmetric(dwf.data(), std::vector<int64_t>{1, 3, 3, 32}, 3, 8);
  const double dgops = 2.0 * 112 * 112 * 32 * 9 * 1e-9;
  fmt::print("\nDEPTHWISE_CONV_2D 3x3 112x112x32, SAME, batch 1: microseconds per call\n");
  fmt::print("{:>8} {:<28} {:>10} {:>10} {:>10}\n", "threads", "kernel", "us", "GOP/s", "vs float");
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    const double tf = time_us([&] { depthwise_conv2d_float(d, dinput.data(), dwf.data(), bias.data(), dout.data()); }, min_s);
    fmt::print("{:>8} {:<28} {:>10.0f} {:>10.1f} {:>10}\n", threads, "float", tf, dgops / (tf * 1e-6), "1.00x");
    DepthwiseConv2DHybridScratch hs;
    hs.reserve(d);
    const PackedDepthwiseConv2DInt8Weights packed_dw = pack_depthwise_conv2d_int8_weights(d, dqw.values.data(),
                                                                                          dqw.scales.data(), 32);
    const HybridParams dh{HybridInputQuantization::asymmetric_rows, HybridEpilogue::input_scale_first};
    const double th = time_us([&] {
      depthwise_conv2d_hybrid(d, dh, packed_dw, dinput.data(), bias.data(), dout.data(), hs);
    }, min_s);
    fmt::print("{:>8} {:<28} {:>10.0f} {:>10.1f} {:>9.2f}x\n", threads, "hybrid (asym)", th, dgops / (th * 1e-6), tf / th);
    float s;
    int32_t zp;
    std::vector<int8_t> q(dinput.size());
    const double tq = time_us([&] { quantize_row_asymmetric(dinput.data(), static_cast<int64_t>(dinput.size()), q.data(), &s, &zp); }, min_s);
    fmt::print("{:>8} {:<28} {:>10.0f}\n", threads, "  of which image quantize", tq);
  }
  return 0;
}
