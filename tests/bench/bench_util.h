// What every benchmark binary shares: a median-of-batches timer and the --quick flag (seeded inputs come from
// tests/support/random.h, as in the unit tests).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <vector>

namespace qgate::bench {

// Median over batches of calls, in microseconds per call. Batches are doubled until one takes >= 10 ms, so the
// clock's resolution does not matter; the median of >= 5 batches (and >= min_seconds in all) resists a busy
// neighbour better than the mean.
inline double time_us(const std::function<void()>& fn, double min_seconds) {
  using clock = std::chrono::steady_clock;
  fn();  // warm up caches and the thread pool
  std::vector<double> samples;
  const auto start_all = clock::now();
  int reps = 1;
  while (true) {
    const auto t0 = clock::now();
    for (int i = 0; i < reps; ++i) fn();
    const double s = std::chrono::duration<double>(clock::now() - t0).count();
    if (s < 0.01) {
      reps *= 2;
      continue;
    }
    samples.push_back(s * 1e6 / reps);
    if (std::chrono::duration<double>(clock::now() - start_all).count() > min_seconds && samples.size() >= 5) break;
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// `--quick` as the first argument: shorter timing (0.1 s per figure instead of 0.5 s).
inline double min_seconds_from_args(int argc, char** argv) {
  return argc > 1 && std::strcmp(argv[1], "--quick") == 0 ? 0.1 : 0.5;
}

}  // namespace qgate::bench
