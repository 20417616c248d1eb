// Task definitions under tests/data/taskdef/, each with its exact findings.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::taskdef {
namespace {

const std::string kDir = std::string(GMSA_TEST_DATA) + "/taskdef";

std::string load(const std::string& name) {
  std::ifstream f(kDir + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_TRUE(f.good()) << name;
  return ss.str();
}

Report check_file(const std::string& name, std::optional<Platform> platform = std::nullopt) {
  DirectorySpecStore store(kDir, 64 * 1024);
  CheckOptions options;
  options.platform = platform;
  return check(load(name + ".taskdef.json"), store, options);
}

struct Case {
  const char* file;
  std::optional<Platform> platform;
  std::string text;  // format_text(): every finding, then the summary
};

// Readable names in ctest output instead of a byte dump.
void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

class TaskdefCheck : public ::testing::TestWithParam<Case> {};

TEST_P(TaskdefCheck, ExactFindings) {
  EXPECT_EQ(format_text(check_file(GetParam().file, GetParam().platform)), GetParam().text);
}

const std::string c0 = "containerDefinitions[0].";
const std::string c1 = "containerDefinitions[1].";
const std::string c2 = "containerDefinitions[2].";
const std::string c3 = "containerDefinitions[3].";
const std::string kNotOffline =
    ": cannot be fetched offline; the credential spec was not checked\n";

const Case kCases[] = {
    {"linux-file-ok",
     {},
     "1 container on linux, 1 credential spec checked: 0 errors, 0 warnings\n"},
    {"linux-domainless-ok",
     {},
     "2 containers on linux, 1 credential spec checked: 0 errors, 0 warnings\n"},
    {"nested-folder-ok",
     {},
     "1 container on linux, 1 credential spec checked: 0 errors, 0 warnings\n"},
    {"domainless-without-host",
     {},
     "error [web] " + c0 +
         "credentialSpecs[0]: file://webapp01.json: credentialspecdomainless: needs "
         "ActiveDirectoryConfig.HostAccountConfig in the spec\n"
         "1 container on linux, 1 credential spec checked: 1 error, 0 warnings\n"},
    {"two-credential-specs",
     {},
     "error [web] " + c0 + "credentialSpecs: has 2 entries; ECS allows at most one\n" +
         "warning [web] " + c0 + "credentialSpecs[1]: S3 ARN" + kNotOffline +
         "1 container on linux, 1 credential spec checked: 1 error, 1 warning\n"},
    {"s3-arn",
     {},
     "warning [web] " + c0 + "credentialSpecs[0]: S3 ARN" + kNotOffline +
         "1 container on linux, 0 credential specs checked: 0 errors, 1 warning\n"},
    {"ssm-arn",
     {},
     "warning [web] " + c0 + "credentialSpecs[0]: SSM parameter ARN" + kNotOffline +
         "1 container on linux, 0 credential specs checked: 0 errors, 1 warning\n"},
    {"malformed-arns",
     {},
     "error [a] " + c0 +
         "credentialSpecs[0]: malformed S3 ARN: expected arn:aws:s3:::BUCKET/KEY\n" + "error [b] " +
         c1 +
         "credentialSpecs[0]: malformed SSM ARN: expected "
         "arn:aws:ssm:REGION:ACCOUNT:parameter/NAME\n" +
         "error [c] " + c2 +
         "credentialSpecs[0]: unsupported ARN service 'secretsmanager': expected s3 or ssm\n" +
         "error [d] " + c3 + "credentialSpecs[0]: unknown ARN partition 'azure'\n" +
         "4 containers on linux, 0 credential specs checked: 4 errors, 0 warnings\n"},
    {"unknown-forms",
     {},
     "error [a] " + c0 +
         "credentialSpecs[0]: unknown form: expected credentialspec: or "
         "credentialspecdomainless:\n" +
         "error [b] " + c1 +
         "dockerSecurityOptions[0]: unknown form: ECS writes credentialspec: with a ':' "
         "(Docker's '=' form is not accepted)\n" +
         "error [c] " + c2 +
         "credentialSpecs[0]: unknown location: expected file://NAME, arn:aws:s3:::BUCKET/KEY "
         "or arn:aws:ssm:REGION:ACCOUNT:parameter/NAME\n" +
         "error [d] " + c3 + "credentialSpecs[0]: file:// has no file name\n" +
         "4 containers on linux, 0 credential specs checked: 4 errors, 0 warnings\n"},
    {"traversal",
     {},
     "error [a] " + c0 +
         "credentialSpecs[0]: file://../credspec/webapp01.json: '..' is refused: the spec must "
         "be inside the task definition's folder\n" +
         "error [b] " + c1 +
         "credentialSpecs[0]: file:///etc/passwd: absolute path outside the task definition's "
         "folder is refused\n" +
         "error [c] " + c2 +
         "dockerSecurityOptions[0]: file://specs\\..\\..\\webapp01.json: '..' is refused: the "
         "spec must be inside the task definition's folder\n" +
         "3 containers on linux, 0 credential specs checked: 3 errors, 0 warnings\n"},
    {"missing-file",
     {},
     "error [web] " + c0 +
         "credentialSpecs[0]: file://nope.json: cannot read: No such file or directory\n"
         "1 container on linux, 0 credential specs checked: 1 error, 0 warnings\n"},
    {"invalid-spec",
     {},
     "error [web] " + c0 +
         "credentialSpecs[0]: file://broken-spec.json: invalid credential spec: "
         "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: contains '/'\n"
         "1 container on linux, 0 credential specs checked: 1 error, 0 warnings\n"},
    {"precedence",
     {},
     "warning [web] " + c0 +
         "dockerSecurityOptions[1]: ignored: credentialSpecs takes precedence over "
         "dockerSecurityOptions\n"
         "1 container on linux, 1 credential spec checked: 0 errors, 1 warning\n"},
    {"dso-multiple",
     {},
     "error [web] " + c0 +
         "dockerSecurityOptions: has 2 credentialspec entries; at most one is allowed\n"
         "1 container on linux, 2 credential specs checked: 1 error, 0 warnings\n"},
    {"dso-domainless",
     {},
     "error [web] " + c0 +
         "dockerSecurityOptions[0]: credentialspecdomainless: is only accepted in credentialSpecs\n"
         "1 container on linux, 0 credential specs checked: 1 error, 0 warnings\n"},
    {"win2016-hostname-ok",
     {},
     "1 container on windows-2016, 1 credential spec checked: 0 errors, 0 warnings\n"},
    {"win2016-hostname-wrong",
     {},
     "error [web] " + c0 +
         "hostname: 'web' must equal the gMSA account name 'WebApp01' on Windows Server 2016\n" +
         "error [api] " + c1 +
         "hostname: missing; on Windows Server 2016 it must equal the gMSA account name "
         "'WebApp01'\n"
         "3 containers on windows-2016, 2 credential specs checked: 2 errors, 0 warnings\n"},
    {"win2016-domainless",
     {},
     "error [web] " + c0 +
         "credentialSpecs[0]: domainless gMSA (credentialspecdomainless:) is not supported on "
         "Windows Server 2016\n"
         "1 container on windows-2016, 1 credential spec checked: 1 error, 0 warnings\n"},
    {"win2016-arn",
     {},
     "warning [web] " + c0 + "dockerSecurityOptions[0]: SSM parameter ARN" + kNotOffline +
         "warning [web] " + c0 +
         "hostname: not compared with the gMSA account name: the credential spec could not be "
         "loaded\n"
         "1 container on windows-2016, 0 credential specs checked: 0 errors, 2 warnings\n"},
    {"win2019-no-hostname",
     {},
     "1 container on windows-2019, 1 credential spec checked: 0 errors, 0 warnings\n"},
    {"win2019-no-hostname", Platform::kWindows2016,
     "warning runtimePlatform.operatingSystemFamily: is WINDOWS_SERVER_2019_CORE but --platform "
     "windows-2016 was given; checking for windows-2016\n"
     "error [web] " +
         c0 +
         "hostname: missing; on Windows Server 2016 it must equal the gMSA account name "
         "'WebApp01'\n"
         "1 container on windows-2016, 1 credential spec checked: 1 error, 1 warning\n"},
    {"win2016-hostname-wrong", Platform::kWindows2022,
     "warning runtimePlatform.operatingSystemFamily: is WINDOWS_SERVER_2016_FULL but --platform "
     "windows-2022 was given; checking for windows-2022\n"
     "3 containers on windows-2022, 2 credential specs checked: 0 errors, 1 warning\n"},
    {"unknown-os-family",
     {},
     "error runtimePlatform.operatingSystemFamily: unknown operating system family "
     "'WINDOWS_SERVER_2012_FULL'\n"
     "1 container on linux, 1 credential spec checked: 1 error, 0 warnings\n"},
    {"fargate",
     {},
     "error [web] " + c0 +
         "credentialSpecs[0]: Fargate supports only domainless gMSA (credentialspecdomainless:)\n" +
         "warning [web] " + c0 + "credentialSpecs[0]: S3 ARN" + kNotOffline + "error [api] " + c1 +
         "credentialSpecs[0]: Fargate cannot read file:// credential specs; use an S3 or SSM ARN\n"
         "2 containers on linux, 1 credential spec checked: 2 errors, 1 warning\n"},
    {"no-credspec",
     {},
     "warning containerDefinitions: no container references a credential spec\n"
     "2 containers on linux, 0 credential specs checked: 0 errors, 1 warning\n"},
    {"structure",
     {},
     "error containerDefinitions[0]: must be an object\n"
     "error containerDefinitions[1].name: missing\n"
     "error [api] " +
         c2 + "credentialSpecs: must be an array of strings\n" + "error [job] " + c3 +
         "credentialSpecs[0]: must be a string\n" + "error [job] " + c3 +
         "dockerSecurityOptions[0]: must be a string\n" +
         "4 containers on linux, 2 credential specs checked: 5 errors, 0 warnings\n"},
    {"no-containers",
     {},
     "error containerDefinitions: must have at least one entry\n"
     "0 containers on linux, 0 credential specs checked: 1 error, 0 warnings\n"},
    {"describe-output",
     {},
     "error [web] taskDefinition.containerDefinitions[0].hostname: 'other' must equal the gMSA "
     "account name 'WebApp01' on Windows Server 2016\n"
     "1 container on windows-2016, 1 credential spec checked: 1 error, 0 warnings\n"},
    {"malformed",
     {},
     "error malformed JSON at byte offset 73 (line 4, column 20)\n"
     "0 containers on linux, 0 credential specs checked: 1 error, 0 warnings\n"},
};

INSTANTIATE_TEST_SUITE_P(Files, TaskdefCheck, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) {
                           std::string n = param_info.param.file;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           if (param_info.param.platform)
                             n += "_as_" +
                                  std::to_string(static_cast<int>(*param_info.param.platform));
                           return n;
                         });

TEST(TaskdefReport, StructuredFindingsAndExitRule) {
  Report r = check_file("win2016-hostname-wrong");
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0], (Finding{Severity::kError, "web", c0 + "hostname",
                                    "'web' must equal the gMSA account name 'WebApp01' on "
                                    "Windows Server 2016"}));
  EXPECT_TRUE(r.has_errors());
  EXPECT_FALSE(check_file("s3-arn").has_errors());  // warnings alone pass
  EXPECT_EQ(r.platform, Platform::kWindows2016);
  EXPECT_EQ(r.containers, 3u);
}

TEST(TaskdefReport, Json) {
  EXPECT_EQ(format_json(check_file("s3-arn")), R"({
  "platform": "linux",
  "containers": 1,
  "specsChecked": 0,
  "errors": 0,
  "warnings": 1,
  "findings": [
    {
      "severity": "warning",
      "container": "web",
      "field": "containerDefinitions[0].credentialSpecs[0]",
      "message": "S3 ARN: cannot be fetched offline; the credential spec was not checked"
    }
  ]
}
)");
}

// Documents too large or too deep never reach the rules.
TEST(TaskdefLimits, SizeAndDepth) {
  DirectorySpecStore store(kDir, 64 * 1024);
  CheckOptions small;
  small.max_bytes = 10;
  const std::string text = load("s3-arn.taskdef.json");
  Report too_big = check(text, store, small);
  ASSERT_EQ(too_big.findings.size(), 1u);
  EXPECT_EQ(too_big.findings[0].message,
            "input is " + std::to_string(text.size()) + " bytes; the limit is 10");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CheckOptions big;
  big.max_bytes = deep.size();
  Report r = check(deep, store, big);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].message, "nested deeper than 32 levels");
}

TEST(TaskdefLimits, NotAnObject) {
  DirectorySpecStore store(kDir, 64 * 1024);
  EXPECT_EQ(format_text(check("[1]", store)),
            "error task definition must be a JSON object\n"
            "0 containers on linux, 0 credential specs checked: 1 error, 0 warnings\n");
}

}  // namespace
}  // namespace gmsa::taskdef
