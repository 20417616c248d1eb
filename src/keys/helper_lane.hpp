// One long-lived helper thread that runs a share of a PBKDF2 on another CPU
// while the caller runs its own share (private to the keys module).
//
// A thread started per derivation cost a cold lease about 0.1 ms here: 20-40
// us in pthread_create, and 50-70 us between the worker's exit and the
// caller's return from pthread_join (the caller slept in the join, and its
// idle vCPU had to be woken). The helper is started once and parked on a
// futex; the caller wakes it, runs its own share, then spins briefly for the
// helper's (the two shares are the same work, started microseconds apart)
// before it would sleep. A task the helper has not started yet when the
// caller is done is taken back and run by the caller, so a helper that gets
// no CPU never delays a derivation by more than running it inline would.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <mutex>

namespace gmsa::keys::detail {

class HelperLane {
 public:
  using Task = void (*)(void*);

  // The process's helper, started on first use; nullptr if it cannot be
  // started, and in a child process after fork (the helper thread is not
  // there).
  static HelperLane* get();

  // Hands task(arg) to the helper, pinned to the CPUs other than the
  // caller's. False if the caller may run on one CPU only, or another caller
  // is using the helper: run the task yourself.
  bool try_post(Task task, void* arg);

  // Returns once the posted task has run, on the helper or (if it had not
  // started) here. Every try_post that returned true needs one finish().
  void finish();

  HelperLane(const HelperLane&) = delete;
  HelperLane& operator=(const HelperLane&) = delete;

 private:
  HelperLane() = default;
  void run();
  bool start();

  enum State : int { kIdle, kPosted, kRunning, kDone, kTakenBack };
  std::atomic<int> state_{kIdle};
  std::mutex owner_;  // held from try_post to finish by the one caller
  Task task_ = nullptr;
  void* arg_ = nullptr;
  pthread_t thread_{};  // the helper, for its CPU affinity
  pid_t pid_ = 0;       // the process it runs in (a forked child has no helper)
  int pinned_to_ = -1;  // the caller CPU the helper's affinity excludes
};

}  // namespace gmsa::keys::detail
