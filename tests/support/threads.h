// The kernel thread pool's size for one scope of a test, and the check that results do not depend on it.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "kernels/parallel.h"

namespace qgate::test {

// Sets the kernel thread count for one scope, then restores the machine default.
struct ThreadCount {
  explicit ThreadCount(int n) { kernels::set_num_threads(n); }
  ~ThreadCount() { kernels::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }
};

// `run(threads)` (one kernel call, returning its output) gives the same output with 1 and with 2 threads; returns
// whether it did.
template <typename Run>
bool check_same_for_1_and_2_threads(Run run) {
  decltype(run(1)) one, two;
  {
    ThreadCount t(1);
    one = run(1);
  }
  {
    ThreadCount t(2);
    two = run(2);
  }
  REQUIRE(one.size() == two.size());
  const bool same = std::memcmp(one.data(), two.data(), one.size() * sizeof(one[0])) == 0;
  CHECK(same);
  return same;
}

}  // namespace qgate::test
