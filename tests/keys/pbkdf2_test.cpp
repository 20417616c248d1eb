// PBKDF2-HMAC-SHA1 against RFC 6070's vectors and, for every output length up
// to six blocks, against OpenSSL's PKCS5_PBKDF2_HMAC.
#include "gmsa/keys/pbkdf2.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sched.h>

#include <string>
#include <vector>

#include "gmsa/common/encoding.hpp"

namespace gmsa::keys {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string derive_hex(const std::string& password, const std::string& salt,
                       std::uint32_t iterations, std::size_t length) {
  std::vector<std::uint8_t> out(length);
  auto st = pbkdf2_hmac_sha1(bytes(password), bytes(salt), iterations, out);
  EXPECT_TRUE(st.ok()) << st.error().what();
  return to_hex(out);
}

std::string openssl_hex(const std::string& password, const std::string& salt,
                        std::uint32_t iterations, std::size_t length) {
  std::vector<std::uint8_t> want(length);
  EXPECT_EQ(
      PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt).data(),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha1(),
                        static_cast<int>(length), want.data()),
      1);
  return to_hex(want);
}

TEST(Pbkdf2, Rfc6070Vectors) {
  EXPECT_EQ(derive_hex("password", "salt", 1, 20), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  EXPECT_EQ(derive_hex("password", "salt", 2, 20), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  EXPECT_EQ(derive_hex("password", "salt", 4096, 20), "4b007901b765489abead49d926f721d065a429c1");
  // Two blocks, the second truncated to 5 bytes.
  EXPECT_EQ(
      derive_hex("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25),
      "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
  EXPECT_EQ(derive_hex(std::string("pass\0word", 9), std::string("sa\0lt", 5), 4096, 16),
            "56fa6aa75548099dcc37d7f03425e0c3");
}

TEST(Pbkdf2, Rfc3962AesTkeysAreBlockPrefixes) {
  // RFC 3962 appendix B, iteration count 1: the 128-bit tkey is the first half
  // of the 256-bit one.
  const std::string salt = "ATHENA.MIT.EDUraeburn";
  EXPECT_EQ(derive_hex("password", salt, 1, 16), "cdedb5281bb2f801565a1122b2563515");
  EXPECT_EQ(derive_hex("password", salt, 1, 32),
            "cdedb5281bb2f801565a1122b25635150ad1f7a04bb9f3a333ecc0e2e1f70837");
}

TEST(Pbkdf2, EveryLengthUpToSixBlocksMatchesOpenSsl) {
  // A 200-byte password is hashed to form the HMAC key (longer than SHA-1's
  // 64-byte block), as a gMSA's 240-byte UTF-8 password is.
  const std::string password(200, '\xc3');
  const std::string salt = "CONTOSO.TESThostwebapp01.contoso.test";
  for (std::size_t len = 1; len <= 120; ++len) {
    SCOPED_TRACE(len);
    EXPECT_EQ(derive_hex(password, salt, 3, len), openssl_hex(password, salt, 3, len));
  }
}

// The HMAC key is the password zero-padded to SHA-1's 64-byte block, or its
// hash when longer: every length around that edge, with iteration counts
// that take the compression loop through 0, 1 and many rounds.
TEST(Pbkdf2, PasswordLengthsAroundTheBlockSizeMatchOpenSsl) {
  const std::string salt = "CONTOSO.TESThostwebapp01.contoso.test";
  for (std::size_t plen : {0, 1, 20, 55, 63, 64, 65, 128, 240, 512}) {
    const std::string password(plen, static_cast<char>('a' + plen % 26));
    for (std::uint32_t iterations : {1u, 2u, 3u, 1000u}) {
      SCOPED_TRACE(std::to_string(plen) + " bytes, " + std::to_string(iterations));
      EXPECT_EQ(derive_hex(password, salt, iterations, 32),
                openssl_hex(password, salt, iterations, 32));
    }
  }
}

// Confined to one CPU there is no other CPU to start a worker on: the caller
// computes every block, with the same result.
TEST(Pbkdf2, OneUsableCpuGivesTheSameResult) {
  cpu_set_t old;
  ASSERT_EQ(::sched_getaffinity(0, sizeof old, &old), 0);
  const std::string two_blocks =
      derive_hex("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(::sched_getcpu(), &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  const std::string alone =
      derive_hex("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25);
  ASSERT_EQ(::sched_setaffinity(0, sizeof old, &old), 0);
  EXPECT_EQ(alone, two_blocks);
  EXPECT_EQ(alone, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
}

TEST(Pbkdf2, BadArgumentsNameTheField) {
  std::vector<std::uint8_t> out(16, 0xaa);
  auto st = pbkdf2_hmac_sha1(bytes("p"), bytes("s"), 0, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "iterations");
  EXPECT_EQ(out, std::vector<std::uint8_t>(16, 0xaa));  // untouched
  std::vector<std::uint8_t> none;
  st = pbkdf2_hmac_sha1(bytes("p"), bytes("s"), 1, none);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "out");
}

}  // namespace
}  // namespace gmsa::keys
