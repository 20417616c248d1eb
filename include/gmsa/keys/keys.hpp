// From a gMSA's UTF-16LE password to its Kerberos keys (shared gmsa-formats.md section 2).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::keys {

// UTF-16LE -> UTF-8; each unpaired surrogate becomes U+FFFD (EF BF BD).
// An odd trailing byte is an error.
Result<SecretBytes> utf16le_to_utf8(std::span<const std::uint8_t> utf16le);

// MD4 over the raw UTF-16LE bytes (the RC4-HMAC key). MD4 comes from OpenSSL's
// "legacy" provider, loaded into a private library context; an Error (field
// "nt_hash") if that provider is not installed.
Result<SecretBytes> nt_hash(std::span<const std::uint8_t> utf16le);

// AD salt for a computer or gMSA account: "CONTOSO.COMhostwebapp01.contoso.com".
// account may carry the trailing '$'.
std::string ad_salt(std::string_view dns_domain, std::string_view account);

enum class Enctype : std::int32_t {
  kAes128CtsHmacSha196 = 17,
  kAes256CtsHmacSha196 = 18,
  kRc4Hmac = 23,
};

// RFC 3962 string-to-key through libkrb5 (4096 iterations).
Result<SecretBytes> aes_string_to_key(Enctype enctype, const SecretBytes& utf8_password,
                                      std::string_view salt);

// Both RFC 3962 AES keys at the cost of one: one PBKDF2 (pbkdf2.hpp; the
// AES128 intermediate key is a prefix of the AES256 one) and DK with AES-ECB.
// Same results as aes_string_to_key, a fraction of libkrb5's time for one key.
struct AesKeys {
  SecretBytes aes128;
  SecretBytes aes256;
};
Result<AesKeys> aes_keys(const SecretBytes& utf8_password, std::string_view salt);

struct DerivedKeys {
  SecretBytes utf8_password;
  SecretBytes nt_hash;
  SecretBytes aes128;
  SecretBytes aes256;
};

Result<DerivedKeys> derive(std::span<const std::uint8_t> utf16le_password,
                           std::string_view dns_domain, std::string_view account);

// "sha256:" + the first 8 hex digits of SHA-256(key): identifies a key in
// output and logs without revealing it.
std::string fingerprint(const SecretBytes& key);

}  // namespace gmsa::keys
