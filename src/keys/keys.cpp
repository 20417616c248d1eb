// Kerberos AES keys (RFC 3962 through libkrb5) and the AD salt rule.
#include "gmsa/keys/keys.hpp"

#include <krb5/krb5.h>
#include <openssl/evp.h>

#include <cctype>
#include <string>

#include "gmsa/common/encoding.hpp"

namespace gmsa::keys {
namespace {

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string ascii_upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

std::string_view strip_dollar(std::string_view account) {
  if (!account.empty() && account.back() == '$') account.remove_suffix(1);
  return account;
}

std::string krb5_message(krb5_context ctx, krb5_error_code code) {
  const char* m = krb5_get_error_message(ctx, code);
  std::string s = m != nullptr ? m : "unknown error";
  krb5_free_error_message(ctx, m);
  return s;
}

}  // namespace

std::string ad_salt(std::string_view dns_domain, std::string_view account) {
  return ascii_upper(dns_domain) + "host" + ascii_lower(strip_dollar(account)) + "." +
         ascii_lower(dns_domain);
}

Result<SecretBytes> aes_string_to_key(Enctype enctype, const SecretBytes& utf8_password,
                                      std::string_view salt) {
  if (enctype != Enctype::kAes128CtsHmacSha196 && enctype != Enctype::kAes256CtsHmacSha196) {
    return Error{"enctype", "must be aes128-cts-hmac-sha1-96 (17) or aes256-cts-hmac-sha1-96 (18)"};
  }
  krb5_context ctx = nullptr;
  // A secure context ignores KRB5_CONFIG: string-to-key needs no configuration.
  if (krb5_error_code rc = krb5_init_secure_context(&ctx); rc != 0) {
    return Error{"krb5", "cannot create a krb5 context (error " + std::to_string(rc) + ")"};
  }
  krb5_data password{};
  password.magic = KV5M_DATA;
  password.length = static_cast<unsigned int>(utf8_password.size());
  password.data = const_cast<char*>(reinterpret_cast<const char*>(utf8_password.data()));
  krb5_data salt_data{};
  salt_data.magic = KV5M_DATA;
  salt_data.length = static_cast<unsigned int>(salt.size());
  salt_data.data = const_cast<char*>(salt.data());
  krb5_keyblock key{};
  // NULL parameters = the RFC 3962 default of 4096 PBKDF2 iterations.
  krb5_error_code rc =
      krb5_c_string_to_key(ctx, static_cast<krb5_enctype>(enctype), &password, &salt_data, &key);
  if (rc != 0) {
    std::string message = krb5_message(ctx, rc);
    krb5_free_context(ctx);
    return Error{"krb5", "string-to-key failed: " + message};
  }
  SecretBytes out(key.contents, key.length);
  krb5_free_keyblock_contents(ctx, &key);  // zeroes the key before freeing it
  krb5_free_context(ctx);
  return out;
}

std::string fingerprint(const SecretBytes& key) {
  std::uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha256(), nullptr) != 1 || len < 4) {
    return "sha256:unavailable";
  }
  return "sha256:" + to_hex(std::span<const std::uint8_t>(digest, 4));
}

Result<DerivedKeys> derive(std::span<const std::uint8_t> utf16le_password,
                           std::string_view dns_domain, std::string_view account) {
  if (dns_domain.empty()) return Error{"dns_domain", "must not be empty"};
  if (strip_dollar(account).empty()) return Error{"account", "must not be empty"};
  auto utf8 = utf16le_to_utf8(utf16le_password);
  if (!utf8) return utf8.error();
  auto nt = nt_hash(utf16le_password);
  if (!nt) return nt.error();
  const std::string salt = ad_salt(dns_domain, account);
  auto aes = aes_keys(*utf8, salt);
  if (!aes) return aes.error();
  return DerivedKeys{std::move(*utf8), std::move(*nt), std::move(aes->aes128),
                     std::move(aes->aes256)};
}

}  // namespace gmsa::keys
