// Runs last (linked last): up is idempotent, repairs a half-up lab, and down
// leaves nothing behind.
#include <gtest/gtest.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "gmsa/lab/process.hpp"
#include "lab_env.hpp"

namespace gmsa::labtest {
namespace {

std::vector<lab::PidRecord> recorded() {
  std::vector<lab::PidRecord> out;
  for (const char* s : {"krb5kdc", "slapd", "dnsmasq", "postgres", "controller"}) {
    auto r = lab::read_pid_file(lab().dir + "/run/" + s + ".pidrec");
    if (r) out.push_back(*r);
  }
  return out;
}

TEST(ZLifecycle, SecondUpIsANoOpThatReportsTheRunningLab) {
  if (!lab().up) GTEST_SKIP() << "lab not up";
  auto before = recorded();
  ASSERT_EQ(before.size(), 5u);
  auto r = gmsa_cli({"lab", "up", "--dir", lab().dir, "--rotation", "30s"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "lab already running in " + lab().dir + "\n");
  EXPECT_EQ(recorded(), before);
}

TEST(ZLifecycle, ASecondLabDirCannotTakeTheNamespace) {
  if (!lab().up) GTEST_SKIP() << "lab not up";
  auto before = recorded();
  const std::string other = lab().dir + "/other-lab";
  auto r = gmsa_cli({"lab", "up", "--dir", other});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("namespace gmsa-lab belongs to the lab in " + lab().dir),
            std::string::npos)
      << r.output;
  r = gmsa_cli({"lab", "down", "--dir", other});
  EXPECT_EQ(r.status, 0) << r.output;
  for (const auto& p : before) EXPECT_TRUE(lab::alive(p)) << p.pid;
  EXPECT_EQ(gmsa_cli({"lab", "status", "--dir", lab().dir}).status, 0);
}

TEST(ZLifecycle, UpRepairsALabWhoseServerCrashed) {
  if (!lab().up) GTEST_SKIP() << "lab not up";
  auto before = recorded();
  ASSERT_EQ(before.size(), 5u);
  ::kill(before[1].pid, SIGKILL);  // slapd
  auto st = gmsa_cli({"lab", "status", "--dir", lab().dir});
  for (int i = 0; i < 100 && st.status == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    st = gmsa_cli({"lab", "status", "--dir", lab().dir});
  }
  EXPECT_EQ(st.status, 1);
  auto r = gmsa_cli({"lab", "up", "--dir", lab().dir, "--rotation", "30s"});
  ASSERT_EQ(r.status, 0) << r.output;
  for (const auto& old : before) EXPECT_FALSE(lab::alive(old));
  EXPECT_EQ(gmsa_cli({"lab", "status", "--dir", lab().dir}).status, 0);
}

TEST(ZLifecycle, DownLeavesNoProcessNamespaceVethOrMount) {
  if (!lab().up) GTEST_SKIP() << "lab not up";
  auto before = recorded();
  ASSERT_EQ(before.size(), 5u);
  auto r = gmsa_cli({"lab", "down", "--dir", lab().dir});
  ASSERT_EQ(r.status, 0) << r.output;
  for (const auto& p : before) EXPECT_FALSE(lab::alive(p)) << p.pid;
  struct stat st {};
  EXPECT_NE(::stat("/run/netns/gmsa-lab", &st), 0);
  EXPECT_EQ(if_nametoindex("gmsalab0"), 0u);
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line)) {
    EXPECT_EQ(line.find("gmsa-lab"), std::string::npos) << line;
  }
  // A second down is harmless.
  EXPECT_EQ(gmsa_cli({"lab", "down", "--dir", lab().dir}).status, 0);
  lab().up = false;
}

}  // namespace
}  // namespace gmsa::labtest
