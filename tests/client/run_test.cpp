// gmsa run's decisions without podman or a daemon: the argument-vector
// rewrite, and lease-then-exec over a fake ProcessRunner.
#include "gmsa/client/run.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "fake_daemon.hpp"

namespace gmsa::client {
namespace {

using testing::FakeDaemon;

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

// exec() never returns when it works: the fake models that by throwing.
struct Replaced {
  Strings argv;
};

class FakeRunner : public ProcessRunner {
 public:
  Result<BoundProcess> self() override {
    if (!self_error.empty()) return Error{"bound_process.pid", self_error};
    return BoundProcess{4242, 987654};
  }
  Error exec(const std::vector<std::string>& argv) override {
    if (exec_error.empty()) throw Replaced{argv};
    return Error{argv[0], exec_error};
  }
  std::string self_error;
  std::string exec_error;
};

RunOptions options() {
  RunOptions o;
  o.lease.credspecs = {"{spec}"};
  o.command = {"podman", "run", "img"};
  return o;
}

// Runs it; the argv podman was exec'd with, or nothing when it returned.
std::optional<Strings> exec_of(FakeDaemon& d, FakeRunner& r, const RunOptions& o, std::ostream& err,
                               int* code) {
  try {
    *code = run_with_lease(d, r, o, err);
  } catch (const Replaced& x) {
    return x.argv;
  }
  return std::nullopt;
}

TEST(RunWithLease, BindsTheLeaseToItselfThenBecomesPodman) {
  FakeDaemon d;
  FakeRunner r;
  std::ostringstream err;
  int code = -1;
  auto argv = exec_of(d, r, options(), err, &code);
  ASSERT_TRUE(argv.has_value()) << err.str();
  EXPECT_EQ(code, -1);
  EXPECT_EQ(*argv,
            (Strings{"podman", "run", "-v",
                     "/s/krbdir/0123456789abcdef0123/WEBAPP01:/var/credentials-fetcher/krbdir:ro",
                     "-e", "KRB5CCNAME=FILE:/var/credentials-fetcher/krbdir/krb5cc", "img"}));
  EXPECT_EQ(d.process, (BoundProcess{4242, 987654}));
  EXPECT_TRUE(d.deleted.empty());  // the daemon deletes it when podman exits
  EXPECT_EQ(err.str(),
            "gmsa run: lease 0123456789abcdef0123 (WEBAPP01) mounted at "
            "/var/credentials-fetcher/krbdir, bound to pid 4242\n");
}

TEST(RunWithLease, UidGoesToTheOwnerAndTheContainer) {
  FakeDaemon d;
  FakeRunner r;
  auto o = options();
  o.uid = 1000;
  o.lease.owner = FileOwner{1000u, std::nullopt, std::nullopt};
  std::ostringstream err;
  int code = -1;
  auto argv = exec_of(d, r, o, err, &code);
  ASSERT_TRUE(argv.has_value()) << err.str();
  EXPECT_EQ((Strings{(*argv)[6], (*argv)[7]}), (Strings{"--user", "1000"}));
  ASSERT_TRUE(d.owner.has_value());
  EXPECT_EQ(d.owner->uid, 1000u);
  EXPECT_EQ(d.process, (BoundProcess{4242, 987654}));
}

TEST(RunWithLease, ExecFailureDeletesTheLease) {
  FakeDaemon d;
  FakeRunner r;
  r.exec_error = "cannot run: No such file or directory";
  std::ostringstream err;
  int code = -1;
  EXPECT_FALSE(exec_of(d, r, options(), err, &code).has_value());
  EXPECT_EQ(code, 1);
  EXPECT_EQ(d.deleted, Strings{"0123456789abcdef0123"});
  EXPECT_EQ(err.str(),
            "gmsa run: lease 0123456789abcdef0123 (WEBAPP01) mounted at "
            "/var/credentials-fetcher/krbdir, bound to pid 4242\n"
            "gmsa run: podman: cannot run: No such file or directory\n");
}

TEST(RunWithLease, NoLeaseNoContainer) {
  FakeDaemon d;
  d.add_error = "credspec_contents[0]: domain 'x.test' is not served here";
  FakeRunner r;
  std::ostringstream err;
  int code = -1;
  EXPECT_FALSE(exec_of(d, r, options(), err, &code).has_value());
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(d.deleted.empty());
  EXPECT_EQ(err.str(),
            "gmsa run: no lease: gmsa-brokerd: credspec_contents[0]: domain 'x.test' is not served "
            "here\n");
}

TEST(RunWithLease, CannotNameItselfAsksForNoLease) {
  FakeDaemon d;
  FakeRunner r;
  r.self_error = "no process 4242";
  std::ostringstream err;
  int code = -1;
  EXPECT_FALSE(exec_of(d, r, options(), err, &code).has_value());
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(d.requests.empty());
  EXPECT_EQ(err.str(), "gmsa run: bound_process.pid: no process 4242\n");
}

TEST(RunWithLease, BadCommandAsksForNoLease) {
  FakeDaemon d;
  FakeRunner r;
  auto o = options();
  o.command = {"sh", "-c", "podman run img"};
  std::ostringstream err;
  int code = -1;
  EXPECT_FALSE(exec_of(d, r, o, err, &code).has_value());
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(d.requests.empty());
  EXPECT_EQ(err.str(), "gmsa run: command: must start with podman (got 'sh')\n");
}

TEST(RealRunner, SelfIsThisProcessWithItsProcStartTime) {
  auto self = make_process_runner()->self();
  ASSERT_TRUE(self.ok()) << self.error().what();
  EXPECT_EQ(self->pid, static_cast<std::uint32_t>(::getpid()));
  std::ifstream f("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int n = 3; n <= 22; ++n) fields >> field;
  EXPECT_EQ(std::to_string(self->start_time), field);
}

TEST(RealRunner, ExecKeepsThePidAndAddsTheEnvironment) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto runner = make_process_runner({"GMSA_RUN_TEST=yes"});
    std::string me = std::to_string(::getpid());
    runner->exec({"sh", "-c", "[ \"$GMSA_RUN_TEST\" = yes ] && [ $$ = " + me + " ] && exit 5"});
    ::_exit(99);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 5);
}

TEST(RealRunner, MissingProgramIsAnError) {
  auto e = make_process_runner()->exec({"/nonexistent/podman", "run"});
  EXPECT_EQ(e.what(), "/nonexistent/podman: cannot run: No such file or directory");
}

}  // namespace
}  // namespace gmsa::client
