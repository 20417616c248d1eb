// SP800-108 counter-mode HMAC KDF as MS-GKDI uses it, via OpenSSL 3's
// EVP_KDF "KBKDF". Internal to gmsa_gkdi.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::gkdi::detail {

// OpenSSL digest name for a KDS root key hash name (SHA1, SHA256, SHA384,
// SHA512); an Error naming `field` for anything else.
Result<std::string> openssl_digest(std::string_view kdf_hash, const std::string& field);

// block i (from 1) = HMAC(key, BE32(i) || label || 0x00 || context || BE32(out_len * 8)),
// output = the first out_len bytes of block 1 || block 2 || ...
Result<SecretBytes> kbkdf_hmac(const std::string& digest, std::span<const std::uint8_t> key,
                               std::span<const std::uint8_t> label,
                               std::span<const std::uint8_t> context, std::size_t out_len);

}  // namespace gmsa::gkdi::detail
