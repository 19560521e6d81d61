// Float vs hybrid time of one LSTM step: 256 units, input 256, batch 1 (the weight-bandwidth-bound shape where
// hybrid should win), with the weights packed as the ops pack them at prepare (kernels/hybrid_gemm.h).
//
//   ./build/bench_recurrent [--quick]
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/lstm.h"
#include "tests/bench/bench_util.h"
#include "tests/support/random.h"

using namespace qgate::kernels;

namespace {

struct Store {
  std::vector<float> f;
  std::vector<int8_t> q;
  std::vector<int32_t> sums;
  PackedMatrix fp;
  PackedInt8Weights qp;
};

double time_step_us(const LstmParams& p, const LstmWeights& w, double min_seconds) {
  LstmScratch s;
  s.resize(w, 1);
  std::vector<float> h(256, 0.0f), c(256, 0.0f), out(256);
  const std::vector<float> x = qgate::test::random_floats(256, 1);
  return qgate::bench::time_us([&] { lstm_step(p, w, 1, x.data(), nullptr, h.data(), c.data(), out.data(), 256, s); },
                               min_seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = qgate::bench::min_seconds_from_args(argc, argv);
  const int n = 256;
  std::mt19937 rng(7);
  std::vector<Store> stores(8);
  std::vector<float> bias(n, 0.01f);
  LstmWeights wf, wh;
  for (int k = 0; k < 8; ++k) {
    Store& s = stores[k];
    s.f = qgate::test::random_floats(rng, static_cast<size_t>(n) * n, -0.1f, 0.1f);
    s.q.resize(n * n);
    for (int i = 0; i < n * n; ++i) s.q[i] = static_cast<int8_t>(s.f[i] * 1270.0f);
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
  const double tf = time_step_us(sym, wf, min_seconds);
  const double ts = time_step_us(sym, wh, min_seconds);
  const double ta = time_step_us(asym, wh, min_seconds);
  std::printf("LSTM step, 256 units, input 256, batch 1 (packed GEMM kernels, weights packed at prepare)\n");
  std::printf("  float             %8.2f us\n", tf);
  std::printf("  hybrid symmetric  %8.2f us  (%.2fx float)\n", ts, tf / ts);
  std::printf("  hybrid asymmetric %8.2f us  (%.2fx float)\n", ta, tf / ta);
  return 0;
}
