// `gmsa lab` argument handling, in-process (no servers are started).
#include <gtest/gtest.h>

#include <sstream>

#include "gmsa/cli/cli.hpp"

namespace gmsa::cli {
namespace {

struct Out {
  int code;
  std::string out, err;
};

Out run_lab(const Args& args) {
  std::istringstream in;
  std::ostringstream out, err;
  int code = run(args, Io{in, out, err});
  return {code, out.str(), err.str()};
}

TEST(LabCli, BadRotationIsAUsageError) {
  auto r = run_lab({"lab", "up", "--dir", "/tmp/x", "--rotation", "soon"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err,
            "gmsa lab up: --rotation: must be a positive duration such as 20s, 5m, 2h or 1d\n");
}

TEST(LabCli, RelativeDirIsRefused) {
  auto r = run_lab({"lab", "down", "--dir", "lab"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err, "gmsa lab down: --dir: must be an absolute path\n");
}

TEST(LabCli, UnknownVerbAndOptions) {
  auto r = run_lab({"lab", "explode"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err.rfind("gmsa lab: unknown verb 'explode'\n", 0), 0u);
  r = run_lab({"lab", "down", "--rotation", "5m"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err.rfind("gmsa lab down: --rotation: unknown option\n", 0), 0u);
}

TEST(LabCli, EnvWithoutALabSaysSo) {
  auto r = run_lab({"lab", "env", "--dir", "/nonexistent/gmsa-lab"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "gmsa lab: lab env: no lab in /nonexistent/gmsa-lab (run gmsa lab up)\n");
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace gmsa::cli
