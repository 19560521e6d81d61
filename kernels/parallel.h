// A small fixed thread pool for kernels. Work is split into contiguous index ranges; each index is computed by
// exactly one thread with the same arithmetic as a serial run, so results never depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>

namespace qgate::kernels {

// Number of threads kernels may use (default: hardware concurrency). Set once, before running.
void set_num_threads(int n);
int num_threads();

// Calls fn(begin, end) over [0, n) split into chunks of at least `grain` indices. Runs inline when n is small,
// when only one thread is configured, or when called from inside another parallel_for.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace qgate::kernels
