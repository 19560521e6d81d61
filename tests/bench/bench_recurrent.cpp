// Float vs hybrid time of one LSTM step: 256 units, input 256, batch 1 (the weight-bandwidth-bound shape where
// hybrid should win). The kernels here use the scalar stand-in quantizer and int8 dot (kernels/recurrent_common.h),
// so the hybrid figure is a baseline for the fast kernels/hybrid_gemm.h to beat.
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/lstm.h"

using namespace qgate::kernels;

namespace {

struct Store {
  std::vector<float> f;
  std::vector<int8_t> q;
  std::vector<int32_t> sums;
  PackedMatrix fp;
  PackedInt8Weights qp;
};

double time_steps(const LstmParams& p, const LstmWeights& w, int iters) {
  LstmScratch s;
  s.resize(w, 1);
  std::vector<float> x(256), h(256, 0.0f), c(256, 0.0f), out(256);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (float& v : x) v = d(rng);
  for (int i = 0; i < 10; ++i) lstm_step(p, w, 1, x.data(), nullptr, h.data(), c.data(), out.data(), 256, s);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) lstm_step(p, w, 1, x.data(), nullptr, h.data(), c.data(), out.data(), 256, s);
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / iters;
}

}  // namespace

int main() {
  const int n = 256;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-0.1f, 0.1f);
  std::vector<Store> stores(8);
  std::vector<float> bias(n, 0.01f);
  LstmWeights wf, wh;
  for (int k = 0; k < 8; ++k) {
    Store& s = stores[k];
    s.f.resize(n * n);
    s.q.resize(n * n);
    for (int i = 0; i < n * n; ++i) {
      s.f[i] = d(rng);
      s.q[i] = static_cast<int8_t>(s.f[i] * 1270.0f);
    }
    s.sums = int8_row_sums(s.q.data(), n, n);
    // Packed forms, as the ops bind them at prepare.
    s.fp = gemm_pack(s.f.data(), n, n, n, 1);
    const float sw = 0.1f / 127.0f;
    s.qp = pack_int8_weights(s.q.data(), n, n, &sw, 1);
    RecurrentMatrix mf;
    mf.f32 = s.f.data();
    mf.f32_packed = &s.fp;
    mf.rows = mf.cols = n;
    RecurrentMatrix mh;
    mh.i8 = s.q.data();
    mh.scale = sw;
    mh.row_sums = s.sums.data();
    mh.i8_packed = &s.qp;
    mh.rows = mh.cols = n;
    (k < 4 ? wf.input_to[k] : wf.recurrent_to[k - 4]) = mf;
    (k < 4 ? wh.input_to[k] : wh.recurrent_to[k - 4]) = mh;
  }
  for (int g = 0; g < 4; ++g) wf.bias[g] = wh.bias[g] = bias.data();
  LstmParams sym, asym;
  asym.asymmetric_inputs = true;
  const int iters = 2000;
  const double tf = time_steps(sym, wf, iters);
  const double ts = time_steps(sym, wh, iters);
  const double ta = time_steps(asym, wh, iters);
  std::printf("LSTM step, 256 units, input 256, batch 1 (packed GEMM kernels, weights packed at prepare)\n");
  std::printf("  float             %8.2f us\n", tf);
  std::printf("  hybrid symmetric  %8.2f us  (%.2fx float)\n", ts, tf / ts);
  std::printf("  hybrid asymmetric %8.2f us  (%.2fx float)\n", ta, tf / ta);
  return 0;
}
