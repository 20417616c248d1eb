// A scripted ProcessEvents for unit tests: processes are pid -> start time
// entries the test starts and ends; wait() blocks like the real one. The
// state is shared so a test can drive it after handing the events over.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "gmsa/daemon/process_watch.hpp"

namespace gmsa::daemon::testing {

class FakeProcessEvents : public daemon::ProcessEvents {
 public:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::int32_t, std::uint64_t> running;  // pid -> start time
    std::map<std::uint64_t, std::int32_t> open;     // handle -> pid
    std::set<std::uint64_t> watched;
    bool interrupted = false;
    bool blocked = false;  // a wait() is blocked with nothing to report
    std::uint64_t next = 1;

    void start(std::int32_t pid, std::uint64_t start_time) {
      std::lock_guard<std::mutex> lock(mu);
      running[pid] = start_time;
    }
    void end(std::int32_t pid) {
      std::lock_guard<std::mutex> lock(mu);
      running.erase(pid);
      cv.notify_all();
    }
    // Until the watcher thread waits again with nothing left to report: every
    // process that ended has been handled.
    void settle() {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return blocked && ready().empty(); });
    }
    std::vector<std::uint64_t> ready() const {
      std::vector<std::uint64_t> out;
      for (auto h : watched)
        if (running.count(open.at(h)) == 0) out.push_back(h);
      return out;
    }
  };

  explicit FakeProcessEvents(std::shared_ptr<State> s) : s_(std::move(s)) {}

  Result<std::uint64_t> open(const daemon::BoundProcess& p) override {
    std::lock_guard<std::mutex> lock(s_->mu);
    auto it = s_->running.find(p.pid);
    if (it == s_->running.end())
      return Error{"bound_process.pid", "no process " + std::to_string(p.pid)};
    if (it->second != p.start_time)
      return Error{"bound_process.start_time", "process " + std::to_string(p.pid) + " started at " +
                                                   std::to_string(it->second) + ", not " +
                                                   std::to_string(p.start_time)};
    s_->open[s_->next] = p.pid;
    return s_->next++;
  }
  void watch(std::uint64_t h) override {
    std::lock_guard<std::mutex> lock(s_->mu);
    if (s_->open.count(h) != 0) s_->watched.insert(h);
    s_->cv.notify_all();
  }
  void close(std::uint64_t h) override {
    std::lock_guard<std::mutex> lock(s_->mu);
    s_->open.erase(h);
    s_->watched.erase(h);
  }
  std::vector<std::uint64_t> wait() override {
    std::unique_lock<std::mutex> lock(s_->mu);
    s_->cv.wait(lock, [&] {
      bool go = s_->interrupted || !s_->ready().empty();
      s_->blocked = !go;
      if (s_->blocked) s_->cv.notify_all();
      return go;
    });
    s_->interrupted = false;
    return s_->ready();
  }
  void interrupt() override {
    std::lock_guard<std::mutex> lock(s_->mu);
    s_->interrupted = true;
    s_->cv.notify_all();
  }

 private:
  std::shared_ptr<State> s_;
};

}  // namespace gmsa::daemon::testing
