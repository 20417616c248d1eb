// RFC 3962 string-to-key for both AES enctypes with one PBKDF2 run (pbkdf2.hpp)
// and DK with OpenSSL's AES.
//   tkey = PBKDF2-HMAC-SHA1(password, salt, 4096, keylength)
//   key  = DK(tkey, "kerberos") = AES-encrypt(tkey, n-fold("kerberos", 128)),
//          chained once more for the second half of a 256-bit key.
// PBKDF2 output blocks do not depend on the requested length, so the 16-byte
// AES128 tkey is the first 16 bytes of the 32-byte AES256 tkey.
#include <openssl/evp.h>

#include <array>
#include <cstring>

#include "gmsa/keys/keys.hpp"
#include "gmsa/keys/pbkdf2.hpp"

namespace gmsa::keys {
namespace {

// n-fold("kerberos", 128 bits) (RFC 3961 section 5.1; RFC 3962 uses it as DK's constant).
constexpr std::array<std::uint8_t, 16> kKerberosNfold = {
    0x6b, 0x65, 0x72, 0x62, 0x65, 0x72, 0x6f, 0x73, 0x7b, 0x9b, 0x5b, 0x2b, 0x93, 0x13, 0x2b, 0x93};

// DK(tkey, "kerberos") for a 16- or 32-byte tkey: AES-ECB of the constant,
// then of the previous block (one block per 16 bytes of key).
Result<SecretBytes> derive_key(const std::uint8_t* tkey, std::size_t len) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (c == nullptr) return make_error("openssl", "cannot allocate a cipher context");
  SecretBytes out(len);
  const EVP_CIPHER* cipher = len == 32 ? EVP_aes_256_ecb() : EVP_aes_128_ecb();
  bool ok = EVP_EncryptInit_ex(c, cipher, nullptr, tkey, nullptr) == 1 &&
            EVP_CIPHER_CTX_set_padding(c, 0) == 1;
  const std::uint8_t* in = kKerberosNfold.data();
  for (std::size_t off = 0; ok && off < len; off += 16) {
    int n = 0;
    ok = EVP_EncryptUpdate(c, out.data() + off, &n, in, 16) == 1 && n == 16;
    in = out.data() + off;
  }
  EVP_CIPHER_CTX_free(c);
  if (!ok) return make_error("openssl", "AES key derivation failed");
  return out;
}

}  // namespace

Result<AesKeys> aes_keys(const SecretBytes& utf8_password, std::string_view salt) {
  SecretBytes tkey(32);
  const auto salt_bytes = std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size());
  if (auto st = pbkdf2_hmac_sha1(utf8_password.span(), salt_bytes, 4096,
                                 std::span<std::uint8_t>(tkey.data(), tkey.size()));
      !st) {
    return st.error();
  }
  auto k128 = derive_key(tkey.data(), 16);
  if (!k128) return k128.error();
  auto k256 = derive_key(tkey.data(), 32);
  if (!k256) return k256.error();
  return AesKeys{std::move(k128).value(), std::move(k256).value()};
}

}  // namespace gmsa::keys
