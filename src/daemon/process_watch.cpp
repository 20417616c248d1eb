#include "gmsa/daemon/process_watch.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "gmsa/daemon/fs.hpp"

namespace gmsa::daemon {

Result<std::uint64_t> process_start_time(std::int32_t pid) {
  auto text = fs::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!text) return make_error("bound_process.pid", "no process " + std::to_string(pid));
  // "pid (comm) state ppid ...": comm may hold spaces and ')', so count from the last ')'.
  auto paren = text->rfind(')');
  if (paren == std::string::npos) return make_error("bound_process.pid", "unreadable /proc stat");
  std::istringstream fields(text->substr(paren + 1));
  std::string field;
  for (int n = 3; n <= 22 && fields >> field; ++n) {
    if (n == 22) {
      try {
        return static_cast<std::uint64_t>(std::stoull(field));
      } catch (const std::exception&) {
        break;
      }
    }
  }
  return make_error("bound_process.pid", "unreadable /proc stat");
}

namespace {

class PidfdEvents final : public ProcessEvents {
 public:
  PidfdEvents()
      : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;  // handles start at 1
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
  }
  ~PidfdEvents() override {
    for (auto& [h, fd] : fds_) ::close(fd);
    ::close(wake_);
    ::close(epoll_);
  }

  Result<std::uint64_t> open(const BoundProcess& p) override {
    if (p.pid <= 0) return make_error("bound_process.pid", "must be a positive process id");
    long fd = ::syscall(SYS_pidfd_open, p.pid, 0);
    if (fd < 0) {
      if (errno == ESRCH)
        return make_error("bound_process.pid", "no process " + std::to_string(p.pid));
      return make_error("bound_process", std::string("pidfd_open: ") + std::strerror(errno));
    }
    // Read after pidfd_open: if the pid was reused in between, the start time differs.
    auto start = process_start_time(p.pid);
    if (!start || *start != p.start_time) {
      ::close(static_cast<int>(fd));
      if (!start) return start.error();
      return make_error("bound_process.start_time", "process " + std::to_string(p.pid) +
                                                        " started at " + std::to_string(*start) +
                                                        ", not " + std::to_string(p.start_time));
    }
    std::lock_guard<std::mutex> lock(mu_);
    fds_[next_] = static_cast<int>(fd);
    return next_++;
  }

  void watch(std::uint64_t h) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = fds_.find(h);
    if (it == fds_.end()) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = h;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, it->second, &ev);
  }

  void close(std::uint64_t h) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = fds_.find(h);
    if (it == fds_.end()) return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second, nullptr);
    ::close(it->second);
    fds_.erase(it);
  }

  std::vector<std::uint64_t> wait() override {
    epoll_event evs[64];
    int n;
    do {
      n = ::epoll_wait(epoll_, evs, 64, -1);
    } while (n < 0 && errno == EINTR);
    std::vector<std::uint64_t> out;
    for (int i = 0; i < n; ++i) {
      // A copy: epoll_event is packed, its u64 not aligned for a reference.
      const std::uint64_t h = evs[i].data.u64;
      if (h != 0) {
        out.push_back(h);
        continue;
      }
      std::uint64_t count = 0;
      [[maybe_unused]] auto r = ::read(wake_, &count, sizeof count);
    }
    return out;
  }

  void interrupt() override {
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(wake_, &one, sizeof one);
  }

 private:
  int epoll_;
  int wake_;
  std::mutex mu_;
  std::map<std::uint64_t, int> fds_;
  std::uint64_t next_ = 1;
};

}  // namespace

std::unique_ptr<ProcessEvents> make_pidfd_events() { return std::make_unique<PidfdEvents>(); }

ProcessWatcher::ProcessWatcher(std::unique_ptr<ProcessEvents> events, OnExit on_exit)
    : events_(std::move(events)), on_exit_(std::move(on_exit)) {}

ProcessWatcher::~ProcessWatcher() {
  stop();
  for (const auto& [h, b] : by_handle_) events_->close(h);
}

Result<std::uint64_t> ProcessWatcher::pin(const BoundProcess& p) { return events_->open(p); }

void ProcessWatcher::bind(std::uint64_t pin, const std::string& lease_id, const BoundProcess& p) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    by_handle_[pin] = Bound{lease_id, p};
    by_lease_[lease_id] = pin;
  }
  events_->watch(pin);
}

void ProcessWatcher::drop(std::uint64_t pin) { events_->close(pin); }

void ProcessWatcher::unbind(const std::string& lease_id) {
  std::uint64_t h = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_lease_.find(lease_id);
    if (it == by_lease_.end()) return;
    h = it->second;
    by_handle_.erase(h);
    by_lease_.erase(it);
  }
  events_->close(h);
}

std::size_t ProcessWatcher::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_lease_.size();
}

bool ProcessWatcher::run_once() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
  }
  auto ready = events_->wait();
  std::vector<Bound> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;  // leases stay; restore() checks them at the next start
    for (auto h : ready) {
      auto it = by_handle_.find(h);
      if (it == by_handle_.end()) continue;  // unbound meanwhile
      ended.push_back(std::move(it->second));
      by_lease_.erase(ended.back().lease_id);
      by_handle_.erase(it);
    }
  }
  for (auto h : ready) events_->close(h);
  for (const auto& b : ended) on_exit_(b.lease_id, b.process);
  return true;
}

void ProcessWatcher::start() {
  thread_ = std::thread([this] {
    while (run_once()) {
    }
  });
}

void ProcessWatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  events_->interrupt();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gmsa::daemon
