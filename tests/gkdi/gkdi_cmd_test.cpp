// `gmsa gkdi` run in-process against the published password vector.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gmsa/cli/cli.hpp"

namespace gmsa::cli {
namespace {

const char* kRootKeyHex =
    "902bc244751f7cfb1bbafff7586585d467496953da553fd3decae08421b6c0ab5f60637541655b8be90fa319e24041"
    "875eccd465e253ceba238e1d475c80f64b";

struct Run {
  int code;
  std::string out, err;
};

Run run_cli(const Args& args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = run(args, Io{in, out, err});
  return {code, out.str(), err.str()};
}

Args password_args(std::initializer_list<std::string> extra) {
  Args a{"gkdi",          "password",
         "--root-key-id", "0670b5ed-f2aa-9a86-dd0e-49cfc2130533",
         "--sid",         "S-1-5-21-1040335485-253814736-2627409954-1145"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

TEST(GkdiCmd, PasswordFromTimesMatchesVectorWithKeyOnStdin) {
  auto r = run_cli(password_args({"--root-key-data", "-", "--created", "133211195280000000",
                                  "--time", "133404554396754922", "--interval-days", "30",
                                  "--domain", "contoso.test", "--forest", "contoso.test"}),
                   std::string(kRootKeyHex) + "\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "gkid: 361,27,7\n"
            "key-start: 133392600000000000 (2023-09-15T14:00:00Z)\n"
            "next-change: 133418520000000000 (2023-10-15T14:00:00Z)\n"
            "msDS-ManagedPasswordId: 01000000"
            "4b44534b02000000690100001b00000007000000"
            "edb57006aaf2869add0e49cfc2130533000000001a0000001a000000"
            "63006f006e0074006f0073006f002e0074006500730074000000"
            "63006f006e0074006f0073006f002e0074006500730074000000\n"
            "nt-hash: e510057c721830f0b27482833cff4986\n");
  EXPECT_EQ(
      r.err,
      "note: the NT hash is password-equivalent (it authenticates as the gMSA); it is printed "
      "so results can be checked against test vectors\n");
}

TEST(GkdiCmd, PasswordFromGkidWithKeyFileAndIsoTimes) {
  const std::string path = ::testing::TempDir() + "gkdi_root_key.hex";
  std::ofstream(path) << kRootKeyHex << "\n";
  auto by_gkid = run_cli(
      password_args({"--root-key-data", "@" + path, "--gkid", "361,27,7", "--show-secret"}));
  ASSERT_EQ(by_gkid.code, 0) << by_gkid.err;
  EXPECT_NE(by_gkid.out.find("nt-hash: e510057c721830f0b27482833cff4986\n"), std::string::npos);
  const auto pw = by_gkid.out.find("password-utf16le: ");
  ASSERT_NE(pw, std::string::npos);
  EXPECT_EQ(by_gkid.out.size() - pw, std::string("password-utf16le: ").size() + 512 + 1);
  // 2023-02-17T14:58:48Z = 133211195280000000; the effective time to the 100 ns tick.
  auto by_iso =
      run_cli(password_args({"--root-key-data", "@" + path, "--created", "2023-02-17T14:58:48Z",
                             "--time", "2023-09-29T10:03:59.6754922Z"}));
  ASSERT_EQ(by_iso.code, 0) << by_iso.err;
  EXPECT_EQ(by_iso.out.rfind("gkid: 361,27,7\n", 0), 0u);
  EXPECT_EQ(by_iso.out.find("password-utf16le"), std::string::npos);
  EXPECT_NE(by_iso.out.find("nt-hash: e510057c721830f0b27482833cff4986\n"), std::string::npos);
}

TEST(GkdiCmd, InlineRootKeyWarns) {
  auto r = run_cli(password_args({"--root-key-data", kRootKeyHex, "--gkid", "361,27,7"}));
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.err.rfind("warning: --root-key-data given on the command line is visible to other "
                        "users (ps, shell history); use @FILE or -\n",
                        0),
            0u);
}

TEST(GkdiCmd, BadInputNamesTheFieldAndNeverEchoesTheKey) {
  auto err = [](const Args& a, const std::string& in = "") {
    auto r = run_cli(a, in);
    return std::to_string(r.code) + " " + r.err;
  };
  EXPECT_EQ(err(password_args({"--root-key-data", "-", "--gkid", "1,2"}), kRootKeyHex),
            "2 gmsa gkdi: --gkid: expected L0,L1,L2 (three integers)\n");
  EXPECT_EQ(err(password_args({"--root-key-data", "-", "--gkid", "1,32,0"}), kRootKeyHex),
            "1 gmsa gkdi: gkid.l1: must be 0..31, got 32\n");
  EXPECT_EQ(
      err(password_args({"--root-key-data", "-", "--gkid", "1,2,3", "--time", "5"}), kRootKeyHex),
      "2 gmsa gkdi: --gkid: cannot be combined with --time\n");
  EXPECT_EQ(err(password_args({"--root-key-data", "-"}), kRootKeyHex),
            "2 gmsa gkdi: --gkid: give --gkid L0,L1,L2, or --time with --created\n");
  EXPECT_EQ(err(password_args({"--root-key-data", "-", "--time", "yesterday", "--created", "1"})),
            "2 gmsa gkdi: --time: expected NT time (100 ns units since 1601) or ISO 8601 UTC like "
            "2024-01-31T12:00:00Z\n");
  EXPECT_EQ(err(password_args(
                {"--root-key-data", "-", "--time", "1", "--created", "1", "--interval-days", "0"})),
            "2 gmsa gkdi: --interval-days: must be an integer 1..2147483647\n");
  EXPECT_EQ(err(password_args({"--root-key-data", "-", "--gkid", "1,2,3"}), "secretzz"),
            "2 gmsa gkdi: --root-key-data: is not valid hex\n");
  EXPECT_EQ(err(password_args({"--root-key-data", "@/nonexistent/k", "--gkid", "1,2,3"})),
            "2 gmsa gkdi: --root-key-data: cannot read file '/nonexistent/k'\n");
  EXPECT_EQ(err(password_args({"--root-key-data", "-", "--gkid", "1,2,3", "--kdf-hash", "MD5"}),
                kRootKeyHex),
            "1 gmsa gkdi: root_key.kdf_hash: unknown KDF hash 'MD5' (expected SHA1, SHA256, SHA384 "
            "or SHA512)\n");
  EXPECT_EQ(err({"gkdi", "password", "--sid", "S-1-5-21-1-2-3"}),
            "2 gmsa gkdi: --root-key-id: is required\n");
  EXPECT_EQ(err({"gkdi", "frobnicate"}).substr(0, 47),
            "2 gmsa gkdi: unknown subcommand 'frobnicate'\nus");
}

TEST(GkdiCmd, ScheduleInsideAndOutsideTheLeadWindow) {
  // Change at cycle 370031 + 72 = 370103 -> 133237080000000000.
  auto mid = run_cli({"gkdi", "schedule", "--created", "133211195280000000", "--interval-days",
                      "30", "--time", "133211195280000000"});
  ASSERT_EQ(mid.code, 0) << mid.err;
  EXPECT_EQ(mid.out,
            "created: 133211195280000000 (2023-02-17T14:58:48Z)\n"
            "period: 72 key cycles of 10 h (30 days)\n"
            "time: 133211195280000000 (2023-02-17T14:58:48Z)\n"
            "key-in-force: 361,11,15\n"
            "next-change: 133237080000000000 (2023-03-19T14:00:00Z)\n"
            "in-lead-window: no\n"
            "current: 361,11,15\n"
            "previous: none\n"
            "query-interval: 25884720000000 (719h1m12s)\n"
            "unchanged-interval: 25881720000000 (718h56m12s)\n");
  auto lead = run_cli({"gkdi", "schedule", "--created", "133211195280000000", "--interval-days",
                       "30", "--time", "2023-03-19T13:58:00Z"});
  ASSERT_EQ(lead.code, 0) << lead.err;
  EXPECT_NE(lead.out.find("key-in-force: 361,11,15\nnext-change: 133237080000000000 "
                          "(2023-03-19T14:00:00Z)\nin-lead-window: yes\ncurrent: 361,13,23\n"
                          "previous: 361,11,15\nquery-interval: 1200000000 (0h2m0s)\n"
                          "unchanged-interval: 25918200000000 (719h57m0s)\n"),
            std::string::npos)
      << lead.out;
}

}  // namespace
}  // namespace gmsa::cli
