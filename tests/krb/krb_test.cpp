#include "gmsa/krb/krb.hpp"

#include <gtest/gtest.h>
#include <krb5/krb5.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "fake_tickets.hpp"

namespace gmsa::krb {
namespace {

using namespace std::chrono_literals;

class KrbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = gmsa::testing::make_temp_dir("krbtest");
    auto c = Context::open(gmsa::testing::write_krb5_conf(dir_, "CONTOSO.TEST"));
    ASSERT_TRUE(c.ok()) << c.error().what();
    ctx_.emplace(std::move(c).value());
  }
  void TearDown() override { gmsa::testing::remove_tree(dir_); }

  std::string dir_;
  std::optional<Context> ctx_;
  SystemTime start_ = SystemTime{} + std::chrono::seconds(1'900'000'000);
};

TEST(KrbContext, RequiresAnExplicitConfigPath) {
  auto c = Context::open("");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().what(), "krb5_conf: a krb5.conf path is required");
}

TEST_F(KrbTest, ReadsTheDefaultRealmFromTheGivenFileOnly) {
  char* realm = nullptr;
  ASSERT_EQ(krb5_get_default_realm(ctx_->get(), &realm), 0);
  EXPECT_STREQ(realm, "CONTOSO.TEST");
  krb5_free_default_realm(ctx_->get(), realm);
}

TEST(KrbRealm, RealmOfPrincipal) {
  EXPECT_EQ(realm_of("WEBAPP01$@CONTOSO.TEST"), "CONTOSO.TEST");
  EXPECT_EQ(realm_of("host/a@b@R"), "R");
  EXPECT_EQ(realm_of("noreal"), "");
}

TEST_F(KrbTest, FileCcacheRoundTripWithFinalModeAndNoTempLeft) {
  Credentials tgt = gmsa::testing::fake_tgt(*ctx_, "WEBAPP01$@CONTOSO.TEST", start_, start_ + 10h);
  std::string path = dir_ + "/krb5cc";
  ASSERT_TRUE(write_ccache_file(*ctx_, path, tgt, FileOwnership{std::nullopt, std::nullopt, 0440}));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0440u);
  auto back = read_ccache_file(*ctx_, path);
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(back->client, "WEBAPP01$@CONTOSO.TEST");
  EXPECT_EQ(back->server, "krbtgt/CONTOSO.TEST@CONTOSO.TEST");
  EXPECT_EQ(back->end_time, start_ + 10h);
  EXPECT_TRUE(back->marshalled.equals(tgt.marshalled.span()));
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 2);  // krb5.conf + krb5cc
}

TEST_F(KrbTest, RewritingReplacesTheCacheAtomically) {
  std::string path = dir_ + "/krb5cc";
  auto a = gmsa::testing::fake_tgt(*ctx_, "A$@CONTOSO.TEST", start_, start_ + 1h);
  auto b = gmsa::testing::fake_tgt(*ctx_, "A$@CONTOSO.TEST", start_ + 1h, start_ + 11h);
  ASSERT_TRUE(write_ccache_file(*ctx_, path, a, {}));
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  ASSERT_TRUE(write_ccache_file(*ctx_, path, b, {}));
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new file renamed into place
  EXPECT_EQ(read_ccache_file(*ctx_, path)->end_time, start_ + 11h);
}

TEST_F(KrbTest, WriteIntoMissingDirectoryFailsCleanly) {
  auto tgt = gmsa::testing::fake_tgt(*ctx_, "A$@CONTOSO.TEST", start_, start_ + 1h);
  auto st = write_ccache_file(*ctx_, dir_ + "/missing/krb5cc", tgt, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "ccache");
  EXPECT_NE(st.error().message.find("cannot create " + dir_ + "/missing/krb5cc.tmp."),
            std::string::npos);
}

TEST_F(KrbTest, MemoryCcacheHoldsTheTgtUntilDestroyed) {
  auto tgt = gmsa::testing::fake_tgt(*ctx_, "host$@CONTOSO.TEST", start_, start_ + 1h);
  std::string name;
  {
    auto cc = MemoryCcache::create(*ctx_, tgt);
    ASSERT_TRUE(cc.ok()) << cc.error().what();
    name = cc->name();
    EXPECT_EQ(name.rfind("MEMORY:", 0), 0u);
    auto found = find_credentials(*ctx_, name);
    ASSERT_TRUE(found.ok()) << found.error().what();
    EXPECT_EQ(found->client, "host$@CONTOSO.TEST");
  }
  EXPECT_FALSE(find_credentials(*ctx_, name).ok());
}

TEST_F(KrbTest, KeytabHoldsCurrentAndPreviousKeysWithKvno) {
  std::string path = dir_ + "/krb5.keytab";
  std::vector<KeytabKey> keys;
  keys.push_back({5, 18, SecretBytes(32)});
  keys.push_back({5, 17, SecretBytes(16)});
  keys.push_back({4, 18, SecretBytes(32)});
  keys[0].key[0] = 0xAA;
  ASSERT_TRUE(write_keytab_file(*ctx_, path, "WEBAPP01$@CONTOSO.TEST", keys,
                                FileOwnership{std::nullopt, std::nullopt, 0400}));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  krb5_keytab kt = nullptr;
  std::string name = "FILE:" + path;
  ASSERT_EQ(krb5_kt_resolve(ctx_->get(), name.c_str(), &kt), 0);
  krb5_kt_cursor cur;
  ASSERT_EQ(krb5_kt_start_seq_get(ctx_->get(), kt, &cur), 0);
  krb5_keytab_entry e;
  std::vector<std::pair<unsigned, int>> seen;
  while (krb5_kt_next_entry(ctx_->get(), kt, &e, &cur) == 0) {
    seen.emplace_back(e.vno, e.key.enctype);
    if (seen.size() == 1) {
      EXPECT_EQ(e.key.contents[0], 0xAA);
    }
    krb5_free_keytab_entry_contents(ctx_->get(), &e);
  }
  krb5_kt_end_seq_get(ctx_->get(), kt, &cur);
  krb5_kt_close(ctx_->get(), kt);
  std::vector<std::pair<unsigned, int>> want{{5, 18}, {5, 17}, {4, 18}};
  EXPECT_EQ(seen, want);
}

TEST_F(KrbTest, PasswordTgtAgainstUnreachableKdcIsAnError) {
  auto r = tgt_from_password(*ctx_, "WEBAPP01$@CONTOSO.TEST", SecretBytes::from_string("pw"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "password");
  EXPECT_EQ(r.error().message.find("pw"), std::string::npos);
}

}  // namespace
}  // namespace gmsa::krb

namespace gmsa::krb {
namespace {

std::vector<std::uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The image must be exactly what libkrb5's own FILE ccache code writes for
// krb5_cc_initialize(client) + krb5_cc_store_cred, for one- and
// two-component principals (user and krbtgt/REALM service).
TEST_F(KrbTest, CcacheImageIsByteForByteWhatLibkrb5Writes) {
  for (const char* client : {"WEBAPP01$@CONTOSO.TEST", "http/web.contoso.test@CONTOSO.TEST"}) {
    Credentials tgt = gmsa::testing::fake_tgt(*ctx_, client, start_, start_ + 10h);
    std::string ref_path = dir_ + "/ref";
    ::unlink(ref_path.c_str());
    {
      krb5_ccache cc = nullptr;
      ASSERT_EQ(krb5_cc_resolve(ctx_->get(), ("FILE:" + ref_path).c_str(), &cc), 0);
      krb5_data d{KV5M_DATA, static_cast<unsigned int>(tgt.marshalled.size()),
                  const_cast<char*>(reinterpret_cast<const char*>(tgt.marshalled.data()))};
      krb5_creds* c = nullptr;
      ASSERT_EQ(krb5_unmarshal_credentials(ctx_->get(), &d, &c), 0);
      ASSERT_EQ(krb5_cc_initialize(ctx_->get(), cc, c->client), 0);
      ASSERT_EQ(krb5_cc_store_cred(ctx_->get(), cc, c), 0);
      krb5_free_creds(ctx_->get(), c);
      krb5_cc_close(ctx_->get(), cc);
    }
    auto image = ccache_image(tgt);
    ASSERT_TRUE(image.ok()) << image.error().what();
    std::vector<std::uint8_t> ours(image->data(), image->data() + image->size());
    EXPECT_EQ(ours, file_bytes(ref_path)) << client;
    std::string path = dir_ + "/krb5cc";
    ASSERT_TRUE(write_ccache_image(path, *image, {}));
    EXPECT_EQ(file_bytes(path), ours);
    auto back = read_ccache_file(*ctx_, path);
    ASSERT_TRUE(back.ok()) << back.error().what();
    EXPECT_EQ(back->client, client);
  }
}

TEST_F(KrbTest, CcacheImageRefusesTruncatedCredentials) {
  Credentials tgt = gmsa::testing::fake_tgt(*ctx_, "WEBAPP01$@CONTOSO.TEST", start_, start_ + 1h);
  for (std::size_t n : {std::size_t{0}, std::size_t{7}, std::size_t{20}}) {
    Credentials cut = tgt;
    cut.marshalled = SecretBytes(tgt.marshalled.data(), n);
    auto r = ccache_image(cut);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().what(), "credentials: malformed marshalled credentials");
  }
}

}  // namespace
}  // namespace gmsa::krb

namespace gmsa::krb {
namespace {

TEST_F(KrbTest, KeysTgtNeedsKeysAndReportsAnUnreachableKdc) {
  auto none = tgt_from_keys(*ctx_, "WEBAPP01$@CONTOSO.TEST", {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().what(), "keys: no keys for WEBAPP01$@CONTOSO.TEST");
  std::vector<KeytabKey> keys;
  keys.push_back({1, 18, SecretBytes(32)});
  keys.push_back({1, 17, SecretBytes(16)});
  auto r = tgt_from_keys(*ctx_, "WEBAPP01$@CONTOSO.TEST", keys);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "keys");
  EXPECT_EQ(r.error().message.rfind("initial ticket for WEBAPP01$@CONTOSO.TEST: ", 0), 0u)
      << r.error().message;
}

}  // namespace
}  // namespace gmsa::krb
