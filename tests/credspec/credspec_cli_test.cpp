// gmsa credspec validate, run in-process.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gmsa/cli/cli.hpp"

namespace gmsa::cli {
namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run_cli(Args args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = run(args, Io{in, out, err});
  return {code, out.str(), err.str()};
}

const std::string kData = std::string(GMSA_TEST_DATA) + "/credspec/";

TEST(CredspecCli, ValidFile) {
  auto r = run_cli({"credspec", "validate", kData + "webapp01.json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "valid: 2 accounts (WebApp01@contoso.com, WebApp01@CONTOSO) in domain contoso.com "
            "(CONTOSO), machine account WebApp01\n");
  EXPECT_EQ(r.err, "");
}

TEST(CredspecCli, DomainlessNeverPrintsPluginInput) {
  auto r = run_cli({"credspec", "validate", kData + "domainless-object.json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "valid: 2 accounts (WebApp01@contoso.com, WebApp01@CONTOSO) in domain contoso.com "
            "(CONTOSO), machine account WebApp01, domainless\n");
  EXPECT_EQ(r.out.find("secretsmanager"), std::string::npos);
}

TEST(CredspecCli, Stdin) {
  std::ifstream f(kData + "minimal.json");
  std::stringstream ss;
  ss << f.rdbuf();
  auto r = run_cli({"credspec", "validate", "-"}, ss.str());
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "valid: 1 account (a@LAB) in domain lab (LAB), machine account a\n");
}

TEST(CredspecCli, InvalidSpecExitsOne) {
  auto r = run_cli({"credspec", "validate", "-"}, R"({"CmsPlugins":["ActiveDirectory"]})");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gmsa credspec validate: <stdin>: DomainJoinConfig: missing\n");
}

TEST(CredspecCli, PluginInputErrorsDoNotEchoTheSecret) {
  const std::string text =
      R"({"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"Sid":"S-1-5-21-1-2-3","MachineAccountName":"a","Guid":"00000000-0000-0000-0000-000000000000","DnsTreeName":"lab","DnsName":"lab","NetBiosName":"LAB"},"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"a","Scope":"LAB"}],"HostAccountConfig":{"PortableCcgVersion":"1","PluginGUID":"{859E1386-BDB4-49E8-85C7-3070B13920E1}","PluginInput":"{\"password\": hunter2}"}}})";
  auto r = run_cli({"credspec", "validate", "-"}, text);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "gmsa credspec validate: <stdin>: ActiveDirectoryConfig.HostAccountConfig.PluginInput: "
            "malformed JSON at byte offset 13 (line 1, column 14)\n");
}

TEST(CredspecCli, OversizedStdinStopsReading) {
  auto r = run_cli({"credspec", "validate", "-"}, std::string(200000, ' '));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa credspec validate: <stdin>: larger than the limit of 65536 bytes\n");
}

TEST(CredspecCli, MissingFile) {
  auto r = run_cli({"credspec", "validate", kData + "nope.json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa credspec validate: " + kData +
                       "nope.json: cannot open: No such file or directory\n");
}

TEST(CredspecCli, Directory) {
  auto r = run_cli({"credspec", "validate", kData});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa credspec validate: " + kData + ": cannot open: Is a directory\n");
}

TEST(CredspecCli, UsageAndHelp) {
  EXPECT_EQ(run_cli({"credspec"}).code, 2);
  EXPECT_EQ(run_cli({"credspec", "validate"}).code, 2);
  EXPECT_EQ(run_cli({"credspec", "new", "x"}).code, 2);
  auto bad = run_cli({"credspec", "validate", "x", "--verbose"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err.substr(0, 41), "gmsa credspec: --verbose: unknown option\n");
  auto help = run_cli({"credspec", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out.rfind("usage: gmsa credspec validate FILE\n", 0), 0u);
  auto top = run_cli({"--help"});
  EXPECT_NE(top.out.find("credspec    validate credential specs"), std::string::npos);
}

}  // namespace
}  // namespace gmsa::cli
