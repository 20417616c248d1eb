// gmsa run's decisions without podman or a daemon: the argument-vector
// rewrite, and the supervision loop over a scripted ProcessRunner.
#include "gmsa/client/run.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <deque>
#include <sstream>

namespace gmsa::client {
namespace {

using Strings = std::vector<std::string>;

TEST(InsertIdentity, GoesRightAfterPodmanRun) {
  auto r = insert_identity({"podman", "run", "--rm", "img", "psql", "-c", "x"}, "/var/k/L/WEBAPP01",
                           std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r,
            (Strings{"podman", "run", "-v", "/var/k/L/WEBAPP01:/var/credentials-fetcher/krbdir:ro",
                     "-e", "KRB5CCNAME=FILE:/var/credentials-fetcher/krbdir/krb5cc", "--rm", "img",
                     "psql", "-c", "x"}));
}

TEST(InsertIdentity, AfterGlobalOptionsAndWithUser) {
  auto r = insert_identity({"/usr/bin/podman", "--runtime", "/usr/sbin/runc", "run", "img"}, "/d",
                           1000u);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r, (Strings{"/usr/bin/podman", "--runtime", "/usr/sbin/runc", "run", "-v",
                         "/d:/var/credentials-fetcher/krbdir:ro", "-e",
                         "KRB5CCNAME=FILE:/var/credentials-fetcher/krbdir/krb5cc", "--user", "1000",
                         "img"}));
}

TEST(InsertIdentity, RefusesOtherCommands) {
  struct Case {
    Strings cmd;
    std::string dir;
    std::string error;
  };
  const Case cases[] = {
      {{}, "/d", "command: missing: give it after --, e.g. -- podman run IMAGE"},
      {{"docker", "run", "x"}, "/d", "command: must start with podman (got 'docker')"},
      {{"podman", "exec", "x"},
       "/d",
       "command: must be 'podman [global options] run ...' (got 'exec')"},
      {{"podman", "--log-level", "debug"},
       "/d",
       "command: must be 'podman [global options] run ...'"},
      {{"podman", "run", "x"},
       "relative",
       "lease directory: must be an absolute path without ':' or ','"},
      {{"podman", "run", "x"},
       "/a:b",
       "lease directory: must be an absolute path without ':' or ','"},
  };
  for (const auto& c : cases) {
    auto r = insert_identity(c.cmd, c.dir, std::nullopt);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().what(), c.error);
  }
}

TEST(ExitCode, LikeAShell) {
  EXPECT_EQ(exit_code_of(0), 0);
  EXPECT_EQ(exit_code_of(3 << 8), 3);
  EXPECT_EQ(exit_code_of(SIGTERM), 128 + SIGTERM);
  EXPECT_EQ(exit_code_of(SIGKILL), 137);
}

class FakeDaemon : public Daemon {
 public:
  Result<Lease> add_lease(const LeaseRequest& r) override {
    requests.push_back(r.credspecs);
    owner = r.owner;
    if (!add_error.empty()) return Error{"gmsa-brokerd", add_error};
    Lease l;
    l.id = "0123456789abcdef0123";
    l.accounts.push_back({"WEBAPP01", "contoso.test", "/s/krbdir/0123456789abcdef0123/WEBAPP01",
                          "/s/krbdir/0123456789abcdef0123/WEBAPP01/krb5cc", 0, "ok", ""});
    return l;
  }
  Result<std::vector<std::string>> delete_lease(const std::string& id) override {
    deleted.push_back(id);
    return std::vector<std::string>{};
  }
  Result<std::vector<Lease>> list_leases() override { return std::vector<Lease>{}; }
  Result<Lease> get_lease(const std::string&) override { return Error{"", "unused"}; }
  Result<DaemonStatus> status() override { return DaemonStatus{}; }
  Result<std::string> health() override { return std::string("OK"); }

  std::string add_error;
  std::vector<std::vector<std::string>> requests;
  std::optional<FileOwner> owner;
  std::vector<std::string> deleted;
};

class FakeRunner : public ProcessRunner {
 public:
  Result<pid_t> spawn(const std::vector<std::string>& argv) override {
    spawned = argv;
    if (!spawn_error.empty()) return Error{argv[0], spawn_error};
    return pid_t{4242};
  }
  Result<Event> next_event() override {
    if (events.empty()) return Error{"wait", "no more events"};
    Event e = events.front();
    events.pop_front();
    return e;
  }
  void forward(int s) override { forwarded.push_back(s); }

  std::string spawn_error;
  std::deque<Event> events;
  Strings spawned;
  std::vector<int> forwarded;
};

using Kind = ProcessRunner::Event::Kind;

RunOptions options() {
  RunOptions o;
  o.lease.credspecs = {"{spec}"};
  o.command = {"podman", "run", "img"};
  return o;
}

TEST(RunWithLease, ReturnsTheContainersStatusAndDeletesTheLease) {
  FakeDaemon d;
  FakeRunner r;
  r.events = {{Kind::kExited, 7 << 8}};
  std::ostringstream err;
  EXPECT_EQ(run_with_lease(d, r, options(), err), 7);
  EXPECT_EQ(r.spawned[2], "-v");
  EXPECT_EQ(r.spawned[3],
            "/s/krbdir/0123456789abcdef0123/WEBAPP01:/var/credentials-fetcher/krbdir:ro");
  EXPECT_EQ(d.deleted, Strings{"0123456789abcdef0123"});
  EXPECT_EQ(
      err.str(),
      "gmsa run: lease 0123456789abcdef0123 (WEBAPP01) mounted at /var/credentials-fetcher/krbdir\n"
      "gmsa run: lease 0123456789abcdef0123 deleted\n");
}

TEST(RunWithLease, ForwardsSignalsThenDeletesWhenTheChildEnds) {
  FakeDaemon d;
  FakeRunner r;
  r.events = {{Kind::kSignal, SIGINT}, {Kind::kSignal, SIGTERM}, {Kind::kExited, SIGTERM}};
  std::ostringstream err;
  EXPECT_EQ(run_with_lease(d, r, options(), err), 143);
  EXPECT_EQ(r.forwarded, (std::vector<int>{SIGINT, SIGTERM}));
  EXPECT_EQ(d.deleted.size(), 1u);
}

TEST(RunWithLease, TerminalSignalsReachTheChildOnceNotTwice) {
  FakeDaemon d;
  FakeRunner r;
  r.events = {
      {Kind::kSignal, SIGINT, true}, {Kind::kSignal, SIGTERM, false}, {Kind::kExited, SIGINT}};
  std::ostringstream err;
  EXPECT_EQ(run_with_lease(d, r, options(), err), 130);
  EXPECT_EQ(r.forwarded, std::vector<int>{SIGTERM});
  EXPECT_EQ(d.deleted.size(), 1u);
}

TEST(RunWithLease, LostWaitKillsTheChildAndStillDeletes) {
  FakeDaemon d;
  FakeRunner r;  // no events: next_event fails
  std::ostringstream err;
  EXPECT_EQ(run_with_lease(d, r, options(), err), 1);
  EXPECT_EQ(r.forwarded, std::vector<int>{SIGKILL});
  EXPECT_EQ(d.deleted.size(), 1u);
}

TEST(RunWithLease, SpawnFailureDeletesTheLease) {
  FakeDaemon d;
  FakeRunner r;
  r.spawn_error = "cannot run: No such file or directory";
  std::ostringstream err;
  EXPECT_EQ(run_with_lease(d, r, options(), err), 1);
  EXPECT_EQ(d.deleted.size(), 1u);
  EXPECT_NE(err.str().find("gmsa run: podman: cannot run: No such file or directory\n"),
            std::string::npos);
}

TEST(RunWithLease, NoLeaseNoContainer) {
  FakeDaemon d;
  d.add_error = "credspec_contents[0]: domain 'x.test' is not served here";
  FakeRunner r;
  std::ostringstream err;
  EXPECT_EQ(run_with_lease(d, r, options(), err), 1);
  EXPECT_TRUE(r.spawned.empty());
  EXPECT_TRUE(d.deleted.empty());
  EXPECT_EQ(err.str(),
            "gmsa run: no lease: gmsa-brokerd: credspec_contents[0]: domain 'x.test' is not served "
            "here\n");
}

TEST(RunWithLease, BadCommandAsksForNoLease) {
  FakeDaemon d;
  FakeRunner r;
  auto o = options();
  o.command = {"sh", "-c", "podman run img"};
  std::ostringstream err;
  EXPECT_EQ(run_with_lease(d, r, o, err), 2);
  EXPECT_TRUE(d.requests.empty());
  EXPECT_EQ(err.str(), "gmsa run: command: must start with podman (got 'sh')\n");
}

TEST(RealRunner, ExitStatusAndForwardedSignal) {
  auto runner = make_process_runner();
  ASSERT_TRUE(runner->spawn({"/bin/sh", "-c", "exit 5"}).ok());
  auto e = runner->next_event();
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, Kind::kExited);
  EXPECT_EQ(exit_code_of(e->value), 5);

  ASSERT_TRUE(runner->spawn({"sleep", "30"}).ok());  // PATH lookup, no shell
  ::raise(SIGTERM);                                  // blocked: becomes an event
  e = runner->next_event();
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->kind, Kind::kSignal);
  EXPECT_EQ(e->value, SIGTERM);
  runner->forward(SIGTERM);
  e = runner->next_event();
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(exit_code_of(e->value), 143);
}

TEST(RealRunner, MissingProgramIsAnError) {
  auto runner = make_process_runner();
  auto pid = runner->spawn({"/nonexistent/podman", "run"});
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().what(), "/nonexistent/podman: cannot run: No such file or directory");
}

}  // namespace
}  // namespace gmsa::client
