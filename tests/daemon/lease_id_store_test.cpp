#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "fake_tickets.hpp"
#include "gmsa/daemon/fs.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon {
namespace {

TEST(LeaseId, NewIdsAre20LowerHexFromTheRandomSource) {
  OpenSslRandom r;
  std::string a = new_lease_id(r), b = new_lease_id(r);
  EXPECT_EQ(a.size(), 20u);
  EXPECT_TRUE(validate_lease_id(a).ok());
  EXPECT_NE(a, b);
  struct Counting final : Random {
    void fill(std::span<std::uint8_t> out) override {
      for (auto& x : out) x = 0xAB;
    }
  } fixed;
  EXPECT_EQ(new_lease_id(fixed), "abababababababababab");
}

TEST(LeaseId, RejectsEverythingElse) {
  for (const std::string& bad : std::vector<std::string>{
           "", "../x", "0123456789abcdef012", "0123456789abcdef01234", "0123456789ABCDEF0123",
           "0123456789abcdef012g", "0123456789abcdef012/", "../../../../etc/pass",
           std::string("0123456789abcdef012\0", 20)}) {
    auto st = validate_lease_id(bad);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().what(), "lease_id: must be 20 lower-case hex characters");
  }
  EXPECT_TRUE(validate_lease_id("0123456789abcdef0123").ok());
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = gmsa::testing::make_temp_dir("storetest"); }
  void TearDown() override { gmsa::testing::remove_tree(dir_); }
  std::string dir_;
};

LeaseRecord sample() {
  LeaseRecord r;
  r.id = "00112233445566778899";
  r.kind = LeaseKind::kDomainless;
  r.created_unix = 1900000000;
  r.owner = FileOwner{1000, 1001, 0440};
  r.accounts = {{"WebApp01", "contoso.test"}, {"Batch02", "contoso.test"}};
  r.user = "alice";
  r.user_domain = "contoso.test";
  return r;
}

TEST_F(StoreTest, EncodeDecodeRoundTripAndExactFormat) {
  LeaseRecord r = sample();
  auto back = decode_lease(encode_lease(r));
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(*back, r);
  EXPECT_EQ(encode_lease(r),
            "{\n  \"accounts\": [\n    {\n      \"account\": \"WebApp01\",\n      \"domain\": "
            "\"contoso.test\"\n    },\n    {\n      \"account\": \"Batch02\",\n      \"domain\": "
            "\"contoso.test\"\n    }\n  ],\n  \"created\": 1900000000,\n  \"id\": "
            "\"00112233445566778899\",\n  \"kind\": \"domainless\",\n  \"owner\": {\n    \"gid\": "
            "1001,\n    \"mode\": 288,\n    \"uid\": 1000\n  },\n  \"user\": {\n    \"domain\": "
            "\"contoso.test\",\n    \"name\": \"alice\"\n  },\n  \"version\": 2\n}\n");
}

TEST_F(StoreTest, Version2CarriesTheBoundProcessAndVersion1StillReads) {
  LeaseRecord r = sample();
  r.process = BoundProcess{4242, 123456789};
  std::string text = encode_lease(r);
  EXPECT_NE(
      text.find("  \"process\": {\n    \"pid\": 4242,\n    \"start_time\": 123456789\n  },\n"),
      std::string::npos)
      << text;
  auto back = decode_lease(text);
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(*back, r);
  // A record written by the previous release.
  const std::string v1 =
      R"({"version":1,"id":"00112233445566778899","kind":"domain-joined","created":5,)"
      R"("owner":{"mode":384},"accounts":[{"account":"WebApp01","domain":"contoso.test"}]})";
  auto old = decode_lease(v1);
  ASSERT_TRUE(old.ok()) << old.error().what();
  EXPECT_EQ(old->process, std::nullopt);
  EXPECT_EQ(old->accounts, (std::vector<LeaseAccountRecord>{{"WebApp01", "contoso.test"}}));
  std::string v2 = v1;
  v2.replace(v2.find("\"version\":1"), 11, "\"version\":2");
  auto bad = [&](const std::string& process) {
    auto d = decode_lease(v2.substr(0, v2.size() - 1) + R"(,"process":)" + process + "}");
    return d ? std::string("ok") : d.error().what();
  };
  EXPECT_EQ(bad(R"({"pid":7,"start_time":9})"), "ok");
  EXPECT_EQ(bad(R"({"pid":0,"start_time":9})"), "process.pid: must be a positive process id");
  EXPECT_EQ(bad(R"({"pid":4294967297,"start_time":9})"),
            "process.pid: must be a positive process id");
  EXPECT_EQ(bad(R"({"pid":7})"), "process.start_time: missing");
  EXPECT_EQ(bad(R"({"pid":"7","start_time":9})"), "process.pid: wrong type");
  EXPECT_EQ(bad("[]"), "process: not an object");
  auto v1_with =
      decode_lease(v1.substr(0, v1.size() - 1) + R"(,"process":{"pid":7,"start_time":9}})");
  ASSERT_FALSE(v1_with.ok());
  EXPECT_EQ(v1_with.error().what(), "process: not allowed in version 1");
}

TEST_F(StoreTest, DecodeErrorsNameTheField) {
  EXPECT_EQ(decode_lease("[]").error().what(), "not a JSON object");
  EXPECT_EQ(decode_lease(R"({"version":3})").error().what(), "version: unsupported version 3");
  EXPECT_EQ(decode_lease(R"({"version":1,"id":"../x"})").error().what(),
            "lease_id: must be 20 lower-case hex characters");
  EXPECT_EQ(decode_lease(R"({"version":1,"id":"00112233445566778899","kind":"x"})").error().what(),
            "kind: unknown kind 'x'");
}

TEST_F(StoreTest, AtomicWriteHasFinalModeAndLeavesNoTemp) {
  std::string p = dir_ + "/f";
  ASSERT_TRUE(
      write_file_atomic(p, std::string_view("one"), fs::state_dir_attrs({}, {}, 0640, true), "f"));
  ASSERT_TRUE(
      write_file_atomic(p, std::string_view("two"), fs::state_dir_attrs({}, {}, 0640, false), "f"));
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(*fs::read_file(p), "two");
  auto removed = fs::remove_tree(dir_);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->size(), 1u);  // only "f": no temporary file left behind
  ::mkdir(dir_.c_str(), 0700);
}

TEST(FsModes, DirectoryModeFollowsFileMode) {
  EXPECT_EQ(fs::dir_mode_for(0600), 0700u);
  EXPECT_EQ(fs::dir_mode_for(0640), 0750u);
  EXPECT_EQ(fs::dir_mode_for(0644), 0755u);
  EXPECT_EQ(fs::dir_mode_for(0440), 0750u);
}

}  // namespace
}  // namespace gmsa::daemon
