#include "helper_lane.hpp"

#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace gmsa::keys::detail {
namespace {

// How long finish() spins for a running helper before it sleeps. The two
// shares are the same work, so the helper normally ends within its start-up
// delay (30-60 us here) of the caller; past this it has likely lost its CPU.
constexpr auto kSpin = std::chrono::microseconds(300);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

bool HelperLane::start() {
  try {
    std::thread t([this] { run(); });
    thread_ = t.native_handle();
    t.detach();  // it lives as long as the process, parked when idle
  } catch (const std::system_error&) {
    return false;
  }
  pid_ = ::getpid();
  return true;
}

HelperLane* HelperLane::get() {
  // Never destroyed: the detached helper uses it until the process ends.
  static HelperLane* const lane = [] {
    auto* l = new HelperLane();
    if (!l->start()) {
      delete l;
      return static_cast<HelperLane*>(nullptr);
    }
    return l;
  }();
  if (lane == nullptr || ::getpid() != lane->pid_) return nullptr;
  return lane;
}

void HelperLane::run() {
  for (;;) {
    int s = state_.load(std::memory_order_acquire);
    if (s != kPosted) {
      state_.wait(s, std::memory_order_acquire);
      continue;
    }
    // Fails if the caller took the task back meanwhile.
    if (!state_.compare_exchange_strong(s, kRunning, std::memory_order_acq_rel)) continue;
    task_(arg_);
    state_.store(kDone, std::memory_order_release);
    state_.notify_one();
  }
}

bool HelperLane::try_post(Task task, void* arg) {
  cpu_set_t others;
  CPU_ZERO(&others);
  if (::sched_getaffinity(0, sizeof others, &others) != 0) return false;
  const int here = ::sched_getcpu();
  if (here >= 0 && here < CPU_SETSIZE) CPU_CLR(here, &others);
  if (CPU_COUNT(&others) == 0) return false;  // confined to one CPU: nothing to gain
  if (!owner_.try_lock()) return false;
  // Left to itself the scheduler often wakes the helper on the waker's own
  // CPU (the other vCPU idles in halt-poll), where it would only run once
  // the caller is done. Re-pinned only when the caller moved.
  if (here != pinned_to_) {
    if (::pthread_setaffinity_np(thread_, sizeof others, &others) != 0) {
      owner_.unlock();
      return false;
    }
    pinned_to_ = here;
  }
  task_ = task;
  arg_ = arg;
  state_.store(kPosted, std::memory_order_release);
  state_.notify_one();
  return true;
}

void HelperLane::finish() {
  const auto spin_until = std::chrono::steady_clock::now() + kSpin;
  unsigned spins = 0;
  for (;;) {
    int s = state_.load(std::memory_order_acquire);
    if (s == kDone) break;
    if (s == kPosted && state_.compare_exchange_strong(s, kTakenBack, std::memory_order_acq_rel)) {
      task_(arg_);  // the helper never started it
      break;
    }
    if (++spins % 64 != 0 || std::chrono::steady_clock::now() < spin_until) {
      cpu_relax();
      continue;
    }
    state_.wait(s, std::memory_order_acquire);
  }
  state_.store(kIdle, std::memory_order_release);
  owner_.unlock();
}

}  // namespace gmsa::keys::detail
