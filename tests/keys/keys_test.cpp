// NT hash, AD salt and AES keys against the shared vectors.
#include "gmsa/keys/keys.hpp"

#include <gtest/gtest.h>
#include <openssl/provider.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/common/encoding.hpp"

namespace gmsa::keys {
namespace {

nlohmann::json vectors() {
  std::ifstream f(std::string(GMSA_TEST_DATA) + "/managed-password-blobs.json");
  return nlohmann::json::parse(f).at("vectors");
}

std::vector<std::uint8_t> utf16(std::string_view ascii) {
  std::vector<std::uint8_t> b;
  for (char c : ascii) b.insert(b.end(), {static_cast<std::uint8_t>(c), 0});
  return b;
}

TEST(AdSalt, FollowsTheAdRule) {
  EXPECT_EQ(ad_salt("contoso.com", "WEBAPP01$"), "CONTOSO.COMhostwebapp01.contoso.com");
  EXPECT_EQ(ad_salt("contoso.com", "WEBAPP01"), "CONTOSO.COMhostwebapp01.contoso.com");
  EXPECT_EQ(ad_salt("Contoso.Com", "WebApp01$"), "CONTOSO.COMhostwebapp01.contoso.com");
  EXPECT_EQ(ad_salt("windomain.local", "super_gmsa$"),
            "WINDOMAIN.LOCALhostsuper_gmsa.windomain.local");
  // Only one trailing '$' is the account marker.
  EXPECT_EQ(ad_salt("a.b", "x$$"), "A.Bhostx$.a.b");
}

TEST(NtHash, KnownValues) {
  auto empty = nt_hash({});
  ASSERT_TRUE(empty.ok()) << empty.error().what();
  EXPECT_EQ(to_hex(empty->span()), "31d6cfe0d16ae931b73c59d7e0c089c0");
  auto password = nt_hash(utf16("password"));
  ASSERT_TRUE(password.ok());
  EXPECT_EQ(to_hex(password->span()), "8846f7eaee8fb117ad06bdd830b7586c");
}

TEST(NtHash, LeavesTheGlobalOpenSslContextAlone) {
  const int before = OSSL_PROVIDER_available(nullptr, "legacy");
  ASSERT_TRUE(nt_hash(utf16("x")).ok());
  EXPECT_EQ(OSSL_PROVIDER_available(nullptr, "legacy"), before);
}

// The legacy provider is loaded once per process, so the failure is checked in
// a re-executed child (threadsafe death-test style) where nothing is loaded
// yet and OPENSSL_MODULES points at a directory without legacy.so.
void hash_without_legacy_provider() {
  setenv("OPENSSL_MODULES", "/nonexistent-openssl-modules", 1);
  auto r = nt_hash(utf16("x"));
  std::fprintf(stderr, "%s\n", r.ok() ? "hashed" : r.error().what().c_str());
  std::exit(r.ok() ? 0 : 3);
}

TEST(NtHashDeathTest, MissingLegacyProviderIsAClearError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(hash_without_legacy_provider(), testing::ExitedWithCode(3),
              "nt_hash: OpenSSL legacy provider \\(legacy.so, needed for MD4\\) could not be "
              "loaded");
}

TEST(Keys, EveryVectorGivesItsUtf8NtHashAndAesKeys) {
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    auto blob = blob::parse(*from_hex(v.at("blob").get<std::string>()));
    ASSERT_TRUE(blob.ok());
    const std::string salt = v.at("salt");
    EXPECT_EQ(ad_salt("windomain.local", "super_gmsa$"), salt);

    struct Case {
      const SecretBytes* password;
      std::string prefix;
    };
    std::vector<Case> cases{{&blob->current, "current_"}};
    if (blob->previous) cases.push_back({&*blob->previous, "previous_"});
    for (const auto& c : cases) {
      SCOPED_TRACE(c.prefix);
      auto utf8 = utf16le_to_utf8(c.password->span());
      ASSERT_TRUE(utf8.ok());
      EXPECT_EQ(to_hex(utf8->span()), v.at(c.prefix + "utf8").get<std::string>());
      EXPECT_EQ(to_hex(nt_hash(c.password->span())->span()),
                v.at(c.prefix + "nt_hash").get<std::string>());
      auto aes256 = aes_string_to_key(Enctype::kAes256CtsHmacSha196, *utf8, salt);
      ASSERT_TRUE(aes256.ok()) << aes256.error().what();
      EXPECT_EQ(to_hex(aes256->span()), v.at(c.prefix + "aes256").get<std::string>());
      auto aes128 = aes_string_to_key(Enctype::kAes128CtsHmacSha196, *utf8, salt);
      ASSERT_TRUE(aes128.ok());
      ASSERT_EQ(aes128->size(), 16u);
      if (v.contains(c.prefix + "aes128")) {
        EXPECT_EQ(to_hex(aes128->span()), v.at(c.prefix + "aes128").get<std::string>());
      }
    }
  }
}

TEST(Keys, DeriveBundlesEverything) {
  auto v = vectors().at(1);
  auto blob = blob::parse(*from_hex(v.at("blob").get<std::string>()));
  ASSERT_TRUE(blob.ok());
  auto keys = derive(blob->current.span(), "WINDOMAIN.local", "SUPER_GMSA$");
  ASSERT_TRUE(keys.ok()) << keys.error().what();
  EXPECT_EQ(to_hex(keys->utf8_password.span()), v.at("current_utf8").get<std::string>());
  EXPECT_EQ(to_hex(keys->nt_hash.span()), v.at("current_nt_hash").get<std::string>());
  EXPECT_EQ(to_hex(keys->aes128.span()), v.at("current_aes128").get<std::string>());
  EXPECT_EQ(to_hex(keys->aes256.span()), v.at("current_aes256").get<std::string>());
}

TEST(Keys, SaltMattersForAesButNotForTheNtHash) {
  auto v = vectors().at(0);
  auto blob = blob::parse(*from_hex(v.at("blob").get<std::string>()));
  auto other = derive(blob->current.span(), "windomain.local", "other_gmsa$");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(to_hex(other->nt_hash.span()), v.at("current_nt_hash").get<std::string>());
  EXPECT_NE(to_hex(other->aes256.span()), v.at("current_aes256").get<std::string>());
}

TEST(Keys, BadInputIsAnError) {
  std::vector<std::uint8_t> pw = utf16("secret");
  EXPECT_EQ(derive(pw, "", "a$").error().what(), "dns_domain: must not be empty");
  EXPECT_EQ(derive(pw, "contoso.com", "").error().what(), "account: must not be empty");
  EXPECT_EQ(derive(pw, "contoso.com", "$").error().what(), "account: must not be empty");
  pw.push_back(0x41);
  EXPECT_EQ(derive(pw, "contoso.com", "a$").error().what(),
            "password: UTF-16LE input has an odd number of bytes (13)");
  EXPECT_EQ(aes_string_to_key(Enctype::kRc4Hmac, SecretBytes::from_string("x"), "s").error().what(),
            "enctype: must be aes128-cts-hmac-sha1-96 (17) or aes256-cts-hmac-sha1-96 (18)");
}

}  // namespace
}  // namespace gmsa::keys

namespace gmsa::keys {
namespace {

// One PBKDF2 run gives both AES keys: the vectors' values, and the
// same bytes libkrb5's string-to-key gives, for every vector password and
// for passwords of other lengths (short, HMAC block-sized, long).
TEST(Keys, AesKeysWithOnePbkdf2MatchTheVectorsAndLibkrb5) {
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    auto blob = blob::parse(*from_hex(v.at("blob").get<std::string>()));
    ASSERT_TRUE(blob.ok());
    auto utf8 = utf16le_to_utf8(blob->current.span());
    ASSERT_TRUE(utf8.ok());
    auto k = aes_keys(*utf8, v.at("salt").get<std::string>());
    ASSERT_TRUE(k.ok()) << k.error().what();
    EXPECT_EQ(to_hex(k->aes256.span()), v.at("current_aes256").get<std::string>());
    if (v.contains("current_aes128")) {
      EXPECT_EQ(to_hex(k->aes128.span()), v.at("current_aes128").get<std::string>());
    }
  }
  for (std::size_t len : {1u, 8u, 64u, 65u, 300u}) {
    SecretBytes pw(len);
    for (std::size_t i = 0; i < len; ++i) pw[i] = static_cast<std::uint8_t>('!' + (i * 7) % 90);
    const std::string salt = ad_salt("contoso.test", "WebApp01$");
    auto k = aes_keys(pw, salt);
    ASSERT_TRUE(k.ok());
    auto want256 = aes_string_to_key(Enctype::kAes256CtsHmacSha196, pw, salt);
    auto want128 = aes_string_to_key(Enctype::kAes128CtsHmacSha196, pw, salt);
    ASSERT_TRUE(want256.ok() && want128.ok());
    EXPECT_EQ(to_hex(k->aes256.span()), to_hex(want256->span())) << len;
    EXPECT_EQ(to_hex(k->aes128.span()), to_hex(want128->span())) << len;
  }
}

}  // namespace
}  // namespace gmsa::keys
