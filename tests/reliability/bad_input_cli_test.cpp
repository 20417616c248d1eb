// Bad input to the CLI, run in-process: exact exit code and stderr, nothing on
// stdout, no change to the test directory (which holds the daemon's state).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "bad_input_env.hpp"
#include "gmsa/cli/cli.hpp"
#include "tree_hash.hpp"

namespace gmsa::reliability {
namespace {

struct CliCase {
  const char* name;
  std::vector<std::string> args;  // "@" is replaced by the test directory
  std::string stdin_text;
  int exit_code;
  std::string err;  // "@" replaced as well; a trailing "<usage>" = the verb's usage text follows
};
void PrintTo(const CliCase& c, std::ostream* os) { *os << c.name; }

std::string at(std::string s) {
  for (auto p = s.find('@'); p != std::string::npos; p = s.find('@', p + env->dir.size())) {
    s.replace(p, 1, env->dir);
  }
  return s;
}

void write(const std::string& rel, const std::string& text) {
  std::ofstream(env->dir + "/outside/" + rel, std::ios::binary) << text;
}

class CliRejected : public ::testing::TestWithParam<CliCase> {
 protected:
  static void SetUpTestSuite() {
    ASSERT_NE(env, nullptr);
    write("open.json", "{");
    write("utf8.json", "{\"CmsPlugins\":[\"Active\xff\"]}");
    write("deep.json", std::string(50000, '[') + std::string(50000, ']'));
    write("blob.b64", "AQAAAA==");
  }
};

TEST_P(CliRejected, ExactErrorAndNothingChanged) {
  const CliCase& c = GetParam();
  std::vector<std::string> args;
  for (const auto& a : c.args) args.push_back(at(a));
  auto before = snapshot(env->dir);
  std::istringstream in(c.stdin_text);
  std::ostringstream out, err;
  EXPECT_EQ(cli::run(args, cli::Io{in, out, err}), c.exit_code);
  const std::string want = at(c.err), tail = "<usage>";
  if (want.size() >= tail.size() && want.ends_with(tail)) {
    const std::string head = want.substr(0, want.size() - tail.size());
    EXPECT_EQ(err.str().substr(0, head.size()), head);
    EXPECT_EQ(err.str().substr(head.size(), 11), "usage: gmsa") << err.str();
  } else {
    EXPECT_EQ(err.str(), want);
  }
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(diff(before, snapshot(env->dir)), "");
}

const CliCase kCases[] = {
    {"SpecMissingFile",
     {"credspec", "validate", "@/outside/none.json"},
     "",
     1,
     "gmsa credspec validate: @/outside/none.json: cannot open: No such file or directory\n"},
    {"SpecDirectory",
     {"credspec", "validate", "@/state"},
     "",
     1,
     "gmsa credspec validate: @/state: cannot open: Is a directory\n"},
    {"SpecTruncated",
     {"credspec", "validate", "@/outside/open.json"},
     "",
     1,
     "gmsa credspec validate: @/outside/open.json: malformed JSON at byte offset 1 (line 1, column "
     "2)\n"},
    {"SpecInvalidUtf8",
     {"credspec", "validate", "@/outside/utf8.json"},
     "",
     1,
     "gmsa credspec validate: @/outside/utf8.json: invalid UTF-8 at byte offset 22\n"},
    {"SpecDeepNesting",
     {"credspec", "validate", "@/outside/deep.json"},
     "",
     1,
     "gmsa credspec validate: @/outside/deep.json: larger than the limit of 65536 bytes\n"},
    {"SpecTraversalToCanary",
     {"credspec", "validate", "@/state/../outside/canary"},
     "",
     1,
     "gmsa credspec validate: @/state/../outside/canary: malformed JSON at byte offset 0 (line 1, "
     "column 1)\n"},
    {"SpecStdinGarbage",
     {"credspec", "validate", "-"},
     "\x00\x01garbage",
     1,
     "gmsa credspec validate: <stdin>: malformed JSON at byte offset 0 (line 1, column 1)\n"},
    {"SpecNoFile", {"credspec", "validate"}, "", 2, "<usage>"},
    {"BlobNotBase64",
     {"blob", "decode", "-", "--format", "base64"},
     "not base64!!",
     1,
     "gmsa blob decode: input: not valid base64\n"},
    {"BlobTruncated",
     {"blob", "decode", "@/outside/blob.b64"},
     "",
     1,
     "gmsa blob decode: blob: shorter than the 16-byte header (4 bytes)\n"},
    {"BlobBadFormat",
     {"blob", "decode", "-", "--format", "hex"},
     "",
     2,
     "gmsa blob decode: --format: must be base64, binary or auto\n<usage>"},
    {"TaskMissingFile",
     {"task", "check", "@/outside/none.json"},
     "",
     1,
     "gmsa task check: @/outside/none.json: cannot open: No such file or directory\n"},
    {"LabRelativeDir",
     {"lab", "down", "--dir", "../outside"},
     "",
     2,
     "gmsa lab down: --dir: must be an absolute path\n"},
    {"LeaseDeleteTraversalId",
     {"lease", "delete", "../../outside/canary", "--socket", "@/s/cf.sock"},
     "",
     1,
     "gmsa lease delete: gmsa-brokerd: lease_id: must be 20 lower-case hex characters\n"},
    {"LeaseAddTruncatedSpec",
     {"lease", "add", "--credspec", "@/outside/open.json", "--socket", "@/s/cf.sock"},
     "",
     1,
     "gmsa lease add: gmsa-brokerd: credspec_contents[0]: malformed JSON at byte offset 1 (line 1, "
     "column 2)\n"},
    {"LeaseAddSetuidMode",
     {"lease", "add", "--credspec", "@/outside/open.json", "--mode", "4755", "--socket",
      "@/s/cf.sock"},
     "",
     2,
     "gmsa lease add: --mode: must be octal permission bits (<= 0777)\n"},
    {"UnknownVerb", {"lease-drop-all"}, "", 2, "gmsa: unknown command 'lease-drop-all'\n<usage>"},
};

std::string case_name(const ::testing::TestParamInfo<CliCase>& p) { return p.param.name; }

INSTANTIATE_TEST_SUITE_P(All, CliRejected, ::testing::ValuesIn(kCases), case_name);

}  // namespace
}  // namespace gmsa::reliability
