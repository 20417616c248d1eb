// Leases bound to a process (docs/daemon.md): the lease is deleted the moment
// that process exits. A process is named by its pid plus its start time
// (field 22 of /proc/<pid>/stat), so a reused pid never matches. The kernel
// side (pidfd_open + epoll) is behind ProcessEvents; ProcessWatcher's
// bookkeeping is unit-tested with a fake.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon {

// Field 22 of /proc/<pid>/stat (clock ticks after boot). Error field
// "bound_process.pid" when there is no such process.
Result<std::uint64_t> process_start_time(std::int32_t pid);

class ProcessEvents {
 public:
  virtual ~ProcessEvents() = default;
  // A handle (never reused) on the process when it runs, or has exited but is
  // not reaped yet, with exactly that start time. Errors name
  // "bound_process.pid" (no such process) or "bound_process.start_time".
  virtual Result<std::uint64_t> open(const BoundProcess& p) = 0;
  virtual void watch(std::uint64_t handle) = 0;  // wait() reports it once it exits
  virtual void close(std::uint64_t handle) = 0;
  // Blocks until a watched process has exited (its handles) or interrupt().
  virtual std::vector<std::uint64_t> wait() = 0;
  virtual void interrupt() = 0;
};

// pidfd_open(2) handles in one epoll set, woken by an eventfd.
std::unique_ptr<ProcessEvents> make_pidfd_events();

class ProcessWatcher {
 public:
  using OnExit = std::function<void(const std::string& lease_id, const BoundProcess& p)>;
  // on_exit runs on the watcher's thread with no lock of the watcher held.
  ProcessWatcher(std::unique_ptr<ProcessEvents> events, OnExit on_exit);
  ~ProcessWatcher();  // stop()

  // Checks the process and holds on to it (a pid reused later cannot be
  // mistaken for it); the pin is then bound to a lease or dropped.
  Result<std::uint64_t> pin(const BoundProcess& p);
  void bind(std::uint64_t pin, const std::string& lease_id, const BoundProcess& p);
  void drop(std::uint64_t pin);
  // The lease was deleted otherwise: stop watching its process.
  void unbind(const std::string& lease_id);
  std::size_t size() const;

  // One wait: calls on_exit for each bound process that ended. Returns false
  // once stop() was called.
  bool run_once();
  void start();  // run_once() on a thread until stop()
  void stop();

 private:
  struct Bound {
    std::string lease_id;
    BoundProcess process;
  };
  std::unique_ptr<ProcessEvents> events_;
  OnExit on_exit_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, Bound> by_handle_;
  std::map<std::string, std::uint64_t> by_lease_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gmsa::daemon
