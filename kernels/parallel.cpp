#include "kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace qgate::kernels {

namespace {

thread_local bool t_inside = false;

class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }

  // Runs task(0 .. chunks-1); returns when every chunk is done and no worker still holds the region.
  void run(int64_t chunks, const std::function<void(int64_t)>& task) {
    std::lock_guard run_lock(run_mu_);  // one parallel region at a time
    Region region{&task, chunks, {0}};
    {
      std::lock_guard lock(mu_);
      region_ = &region;
      ++generation_;
    }
    cv_.notify_all();
    work(region);
    std::unique_lock lock(mu_);
    region_ = nullptr;  // no new joiners
    done_cv_.wait(lock, [&] { return active_ == 0; });
  }

 private:
  struct Region {
    const std::function<void(int64_t)>* task;
    int64_t chunks;
    std::atomic<int64_t> next;
  };

  static void work(Region& r) {
    t_inside = true;
    for (;;) {
      int64_t i = r.next.fetch_add(1);
      if (i >= r.chunks) break;
      (*r.task)(i);
    }
    t_inside = false;
  }

  void loop() {
    uint64_t seen = 0;
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      Region* r = region_;
      if (!r) continue;
      ++active_;
      lock.unlock();
      work(*r);
      lock.lock();
      if (--active_ == 0) done_cv_.notify_all();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex run_mu_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  Region* region_ = nullptr;
  int active_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

int g_threads = 0;
std::unique_ptr<Pool> g_pool;
std::mutex g_pool_mu;

Pool* pool() {
  std::lock_guard lock(g_pool_mu);
  if (!g_pool) g_pool = std::make_unique<Pool>(num_threads());
  return g_pool.get();
}

}  // namespace

void set_num_threads(int n) {
  std::lock_guard lock(g_pool_mu);
  g_threads = std::max(1, n);
  g_pool.reset();
}

int num_threads() {
  if (g_threads <= 0) g_threads = std::max(1u, std::thread::hardware_concurrency());
  return g_threads;
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int threads = num_threads();
  if (threads == 1 || t_inside || n <= grain) {
    fn(0, n);
    return;
  }
  // A few chunks per thread balance uneven work without changing which index computes what.
  int64_t chunks = std::min<int64_t>((n + grain - 1) / grain, int64_t{threads} * 4);
  int64_t step = (n + chunks - 1) / chunks;
  chunks = (n + step - 1) / step;
  std::function<void(int64_t)> task = [&](int64_t c) {
    int64_t b = c * step;
    fn(b, std::min(n, b + step));
  };
  pool()->run(chunks, task);
}

}  // namespace qgate::kernels
