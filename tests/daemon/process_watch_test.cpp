// Leases bound to a process: ProcessWatcher's bookkeeping with a scripted
// ProcessEvents, and the real pidfd events against child processes.
#include "gmsa/daemon/process_watch.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_process_events.hpp"

namespace gmsa::daemon {
namespace {

using gmsa::daemon::testing::FakeProcessEvents;

struct Ended {
  std::string lease_id;
  BoundProcess process;
  bool operator==(const Ended&) const = default;
};

class WatcherTest : public ::testing::Test {
 protected:
  WatcherTest()
      : state_(std::make_shared<FakeProcessEvents::State>()),
        watcher_(std::make_unique<FakeProcessEvents>(state_),
                 [this](const std::string& id, const BoundProcess& p) {
                   std::lock_guard<std::mutex> lock(mu_);
                   ended_.push_back({id, p});
                 }) {
    state_->start(10, 500);
    state_->start(11, 600);
  }
  std::vector<Ended> ended() {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }
  std::size_t open_handles() {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->open.size();
  }

  std::shared_ptr<FakeProcessEvents::State> state_;
  std::mutex mu_;
  std::vector<Ended> ended_;
  ProcessWatcher watcher_;
};

TEST_F(WatcherTest, PinChecksThePidAndItsStartTime) {
  auto gone = watcher_.pin({77, 1});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().what(), "bound_process.pid: no process 77");
  auto reused = watcher_.pin({10, 499});
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().what(), "bound_process.start_time: process 10 started at 500, not 499");
  auto ok = watcher_.pin({10, 500});
  ASSERT_TRUE(ok.ok()) << ok.error().what();
  EXPECT_EQ(open_handles(), 1u);
  watcher_.drop(*ok);  // never bound: let go
  EXPECT_EQ(open_handles(), 0u);
  EXPECT_EQ(watcher_.size(), 0u);
}

TEST_F(WatcherTest, AnExitEndsExactlyTheLeasesOfThatProcess) {
  watcher_.bind(*watcher_.pin({10, 500}), "aaaaaaaaaaaaaaaaaaaa", {10, 500});
  watcher_.bind(*watcher_.pin({11, 600}), "bbbbbbbbbbbbbbbbbbbb", {11, 600});
  watcher_.bind(*watcher_.pin({11, 600}), "cccccccccccccccccccc", {11, 600});
  EXPECT_EQ(watcher_.size(), 3u);
  state_->end(10);
  ASSERT_TRUE(watcher_.run_once());
  EXPECT_EQ(ended(), (std::vector<Ended>{{"aaaaaaaaaaaaaaaaaaaa", {10, 500}}}));
  EXPECT_EQ(watcher_.size(), 2u);
  EXPECT_EQ(open_handles(), 2u);
  state_->end(11);
  ASSERT_TRUE(watcher_.run_once());
  EXPECT_EQ(ended(), (std::vector<Ended>{{"aaaaaaaaaaaaaaaaaaaa", {10, 500}},
                                         {"bbbbbbbbbbbbbbbbbbbb", {11, 600}},
                                         {"cccccccccccccccccccc", {11, 600}}}));
  EXPECT_EQ(watcher_.size(), 0u);
  EXPECT_EQ(open_handles(), 0u);
}

TEST_F(WatcherTest, AnUnboundLeaseIsNotReportedAndItsHandleIsClosed) {
  watcher_.bind(*watcher_.pin({10, 500}), "aaaaaaaaaaaaaaaaaaaa", {10, 500});
  watcher_.unbind("aaaaaaaaaaaaaaaaaaaa");
  watcher_.unbind("aaaaaaaaaaaaaaaaaaaa");  // twice: nothing happens
  EXPECT_EQ(watcher_.size(), 0u);
  EXPECT_EQ(open_handles(), 0u);
  watcher_.start();
  state_->end(10);
  state_->settle();
  watcher_.stop();
  EXPECT_TRUE(ended().empty());
  EXPECT_FALSE(watcher_.run_once());  // stopped
}

TEST_F(WatcherTest, TheThreadReportsAProcessThatEndedBeforeItWasBound) {
  watcher_.start();
  auto pin = watcher_.pin({10, 500});
  ASSERT_TRUE(pin.ok());
  state_->end(10);  // between the check and the bind
  watcher_.bind(*pin, "aaaaaaaaaaaaaaaaaaaa", {10, 500});
  state_->settle();
  EXPECT_EQ(ended(), (std::vector<Ended>{{"aaaaaaaaaaaaaaaaaaaa", {10, 500}}}));
  watcher_.stop();
}

// A child that waits until told, so the test controls its life.
struct Child {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;
  Child() {
    int down[2], up[2];
    EXPECT_EQ(::pipe(down), 0);
    EXPECT_EQ(::pipe(up), 0);
    pid = ::fork();
    if (pid == 0) {
      char cmd = 0;
      while (::read(down[0], &cmd, 1) == 1) {
        // ") x y" in the name: /proc/<pid>/stat's comm field holds spaces and ')'.
        if (cmd == 'n') ::prctl(PR_SET_NAME, "a) b (c d", 0, 0, 0);
        [[maybe_unused]] auto w = ::write(up[1], &cmd, 1);
      }
      ::_exit(0);
    }
    ::close(down[0]);
    ::close(up[1]);
    to_child = down[1];
    from_child = up[0];
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  void ask(char cmd) const {
    ASSERT_EQ(::write(to_child, &cmd, 1), 1);
    char back = 0;
    ASSERT_EQ(::read(from_child, &back, 1), 1);
  }
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    ::close(to_child);
    ::close(from_child);
  }
};

TEST(ProcessStartTime, ReadsField22EvenWithParenthesesInTheName) {
  Child c;
  auto before = process_start_time(c.pid);
  ASSERT_TRUE(before.ok()) << before.error().what();
  c.ask('n');
  auto after = process_start_time(c.pid);
  ASSERT_TRUE(after.ok()) << after.error().what();
  EXPECT_EQ(*after, *before);
  EXPECT_GT(*after, 0u);
  EXPECT_EQ(process_start_time(0).error().what(), "bound_process.pid: no process 0");
}

TEST(PidfdEvents, ReportsTheExitOfAWatchedProcess) {
  auto events = make_pidfd_events();
  Child c;
  auto start = process_start_time(c.pid);
  ASSERT_TRUE(start.ok());
  auto wrong = events->open({c.pid, *start + 1});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().what(), "bound_process.start_time: process " + std::to_string(c.pid) +
                                      " started at " + std::to_string(*start) + ", not " +
                                      std::to_string(*start + 1));
  auto bad = events->open({-3, 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().what(), "bound_process.pid: must be a positive process id");
  auto h = events->open({c.pid, *start});
  ASSERT_TRUE(h.ok()) << h.error().what();
  events->watch(*h);
  events->interrupt();
  EXPECT_TRUE(events->wait().empty());  // woken, nothing ended
  ::kill(c.pid, SIGKILL);               // a zombie now: already "exited" for a pidfd
  EXPECT_EQ(events->wait(), std::vector<std::uint64_t>{*h});
  ::waitpid(c.pid, nullptr, 0);
  c.pid = -1;
  events->close(*h);
}

TEST(PidfdEvents, AReapedProcessCannotBeOpened) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
  auto events = make_pidfd_events();
  auto h = events->open({pid, 1});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().what(), "bound_process.pid: no process " + std::to_string(pid));
}

}  // namespace
}  // namespace gmsa::daemon
