#include "kdf.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

namespace gmsa::gkdi::detail {
namespace {

struct KdfFree {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// OSSL_PARAM wants non-const pointers even for inputs it only reads.
void* mut(const void* p) { return const_cast<void*>(p); }

}  // namespace

Result<std::string> openssl_digest(std::string_view kdf_hash, const std::string& field) {
  if (kdf_hash == "SHA1") return std::string("SHA1");
  if (kdf_hash == "SHA256") return std::string("SHA2-256");
  if (kdf_hash == "SHA384") return std::string("SHA2-384");
  if (kdf_hash == "SHA512") return std::string("SHA2-512");
  return Error{field, "unknown KDF hash '" + std::string(kdf_hash) +
                          "' (expected SHA1, SHA256, SHA384 or SHA512)"};
}

Result<SecretBytes> kbkdf_hmac(const std::string& digest, std::span<const std::uint8_t> key,
                               std::span<const std::uint8_t> label,
                               std::span<const std::uint8_t> context, std::size_t out_len) {
  if (key.empty()) return Error{"root_key.data", "is empty"};
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "KBKDF", nullptr));
  if (!kdf) return Error{"kdf", "OpenSSL KBKDF unavailable: " + openssl_error()};
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return Error{"kdf", "EVP_KDF_CTX_new failed: " + openssl_error()};

  // OpenSSL's KBKDF names the SP800-108 Label "salt" and the Context "info".
  // Counter r = 32 bits (BE32(i)), a 0x00 separator and BE32(L in bits) are
  // its defaults; use-l and use-separator are spelt out anyway.
  int use_l = 1, use_separator = 1;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>("counter"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, const_cast<char*>("HMAC"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest.c_str()), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, mut(key.data()), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mut(label.data()), label.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, mut(context.data()), context.size()),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &use_l),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_SEPARATOR, &use_separator),
      OSSL_PARAM_construct_end(),
  };
  SecretBytes out(out_len);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
    return Error{"kdf", "KBKDF derive failed: " + openssl_error()};
  return out;
}

}  // namespace gmsa::gkdi::detail
