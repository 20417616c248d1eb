// gmsa run|lease|status|credspec new: messages when the daemon is down and
// for bad command lines (in-process, no daemon, no podman).
#include "gmsa/cli/cli.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gmsa::cli {
namespace {

struct Out {
  int code;
  std::string out, err;
};

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

Out cli(const Args& args) {
  std::istringstream in;
  std::ostringstream out, err;
  int code = run(args, {in, out, err});
  return {code, out.str(), err.str()};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gmsa-client-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    spec_ = dir_ + "/spec.json";
    std::ofstream(spec_) << "{}";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, spec_;
};

TEST_F(CliTest, DaemonNotRunningNoSocket) {
  const std::string sock = dir_ + "/missing.sock";
  struct Case {
    Args args;
    std::string err;
  };
  const Case cases[] = {
      {{"status", "--socket", sock},
       "gmsa status: gmsa-brokerd is not running: no socket at " + sock + "\n"},
      {{"lease", "list", "--socket", sock},
       "gmsa lease list: gmsa-brokerd is not running: no socket at " + sock + "\n"},
      {{"lease", "delete", "0123456789abcdef0123", "--socket", sock},
       "gmsa lease delete: gmsa-brokerd is not running: no socket at " + sock + "\n"},
      {{"lease", "add", "--credspec", spec_, "--socket", sock},
       "gmsa lease add: gmsa-brokerd is not running: no socket at " + sock + "\n"},
      {{"run", "--credspec", spec_, "--socket", sock, "--", "podman", "run", "img"},
       "gmsa run: gmsa-brokerd is not running: no socket at " + sock + "\n"},
  };
  for (const auto& c : cases) {
    auto r = cli(c.args);
    EXPECT_EQ(r.code, 1) << c.args[0];
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(CliTest, DaemonNotRunningStaleSocket) {
  // A socket file nobody listens on (a daemon that died without cleaning up).
  const std::string sock = dir_ + "/stale.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", sock.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::close(fd);
  auto r = cli({"status", "--socket", sock});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa status: gmsa-brokerd is not running: nothing accepts connections on " +
                       sock + "\n");
}

TEST_F(CliTest, RunUsageErrors) {
  struct Case {
    Args args;
    std::string first_line;
  };
  const Case cases[] = {
      {{"run", "--", "podman", "run", "img"}, "gmsa run: --credspec: is required"},
      {{"run", "--credspec", spec_, "--uid", "-1", "--", "podman", "run", "i"},
       "gmsa run: --uid: must be a decimal user id (0..4294967294)"},
      {{"run", "--credspec", spec_, "--", "docker", "run", "i"},
       "gmsa run: command: must start with podman (got 'docker')"},
      {{"run", "--credspec", spec_},
       "gmsa run: command: missing: give it after --, e.g. -- podman run IMAGE"},
      {{"run", "--credspec", spec_, "podman", "run"},
       "gmsa run: unexpected argument 'podman' (the container command goes after --)"},
      {{"run", "--bogus", "--", "podman", "run"}, "gmsa run: --bogus: unknown option"},
  };
  for (const auto& c : cases) {
    auto r = cli(c.args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.substr(0, r.err.find('\n')), c.first_line);
  }
}

TEST_F(CliTest, DomainlessSecretErrorsNameTheFileNotTheSecret) {
  const std::string secret = dir_ + "/user.json";
  std::ofstream(secret) << R"({"username":"reader","password":"hunter2-SECRET"})";
  auto r =
      cli({"run", "--credspec", spec_, "--domainless-secret", secret, "--", "podman", "run", "i"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "gmsa run: --domainless-secret: " + secret + ": domainName missing or not a string\n");
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
}

TEST_F(CliTest, LeaseAndStatusUsage) {
  EXPECT_EQ(cli({"lease"}).code, 2);
  EXPECT_EQ(cli({"lease", "show"}).code, 2);
  EXPECT_EQ(first_line(cli({"lease", "add"}).err), "gmsa lease add: --credspec: is required");
  EXPECT_EQ(cli({"lease", "add", "--credspec", "x", "--mode", "999"}).err,
            "gmsa lease add: --mode: must be octal permission bits (<= 0777)\n");
  EXPECT_EQ(first_line(cli({"status", "extra"}).err), "gmsa status: unexpected argument 'extra'");
}

TEST_F(CliTest, CredspecNewUsageAndNoOverwrite) {
  EXPECT_EQ(first_line(cli({"credspec", "new"}).err), "gmsa credspec new: --account: is required");
  EXPECT_EQ(first_line(cli({"credspec", "new", "--account", "a/b"}).err),
            "gmsa credspec new: --account: contains '/'");
  EXPECT_EQ(first_line(cli({"credspec", "new", "--account", "WEBAPP01"}).err),
            "gmsa credspec new: --domain: is required (or --lab-dir)");
  EXPECT_EQ(first_line(cli({"credspec", "new", "--account", "W", "--lab-dir", dir_}).err),
            "gmsa credspec new: --lab-dir: no lab.json in " + dir_ + " (run gmsa lab up)");
  EXPECT_EQ(cli({"credspec", "new", "--account", "W"}).code, 2);
  // An existing output file is refused before any network work.
  auto r = cli({"credspec", "new", "--account", "WEBAPP01", "--domain", "contoso.test", "--dc",
                "dc1.contoso.test=127.0.0.1:1", "--krb5-conf", "/dev/null", "--ccache", "FILE:/x",
                "-o", spec_});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa credspec new: " + spec_ + ": exists (use --force to replace it)\n");
  std::ifstream f(spec_);
  std::string content((std::istreambuf_iterator<char>(f)), {});
  EXPECT_EQ(content, "{}");
}

}  // namespace
}  // namespace gmsa::cli
