// gmsa task check, run in-process.
#include <gtest/gtest.h>

#include <sstream>

#include "gmsa/cli/cli.hpp"

namespace gmsa::cli {
namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run_cli(Args args) {
  std::istringstream in;
  std::ostringstream out, err;
  int code = run(args, Io{in, out, err});
  return {code, out.str(), err.str()};
}

const std::string kDir = std::string(GMSA_TEST_DATA) + "/taskdef/";

TEST(TaskCli, CleanDefinitionExitsZero) {
  auto r = run_cli({"task", "check", kDir + "linux-file-ok.taskdef.json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "1 container on linux, 1 credential spec checked: 0 errors, 0 warnings\n");
  EXPECT_EQ(r.err, "");
}

TEST(TaskCli, WarningsAloneExitZero) {
  EXPECT_EQ(run_cli({"task", "check", kDir + "ssm-arn.taskdef.json"}).code, 0);
}

TEST(TaskCli, ErrorsExitOneAndPlatformFlagApplies) {
  auto r = run_cli(
      {"task", "check", kDir + "win2019-no-hostname.taskdef.json", "--platform", "windows-2016"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out,
            "warning runtimePlatform.operatingSystemFamily: is WINDOWS_SERVER_2019_CORE but "
            "--platform windows-2016 was given; checking for windows-2016\n"
            "error [web] containerDefinitions[0].hostname: missing; on Windows Server 2016 it must "
            "equal the gMSA account name 'WebApp01'\n"
            "1 container on windows-2016, 1 credential spec checked: 1 error, 1 warning\n");
}

TEST(TaskCli, Json) {
  auto r = run_cli({"task", "check", "--json", kDir + "dso-domainless.taskdef.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, R"({
  "platform": "linux",
  "containers": 1,
  "specsChecked": 0,
  "errors": 1,
  "warnings": 0,
  "findings": [
    {
      "severity": "error",
      "container": "web",
      "field": "containerDefinitions[0].dockerSecurityOptions[0]",
      "message": "credentialspecdomainless: is only accepted in credentialSpecs"
    }
  ]
}
)");
}

TEST(TaskCli, UsageErrors) {
  auto bad = run_cli({"task", "check", kDir + "s3-arn.taskdef.json", "--platform", "windows"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(
      bad.err,
      "gmsa task: --platform: must be one of linux, windows-2016, windows-2019, windows-2022\n");
  EXPECT_EQ(run_cli({"task"}).code, 2);
  EXPECT_EQ(run_cli({"task", "check"}).code, 2);
  EXPECT_EQ(run_cli({"task", "lint", "x"}).code, 2);
  auto help = run_cli({"task", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out.rfind("usage: gmsa task check TASKDEF.json", 0), 0u);
}

TEST(TaskCli, MissingFile) {
  auto r = run_cli({"task", "check", kDir + "nope.taskdef.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa task check: " + kDir +
                       "nope.taskdef.json: cannot open: No such file or directory\n");
}

}  // namespace
}  // namespace gmsa::cli
