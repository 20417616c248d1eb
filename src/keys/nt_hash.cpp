// NT hash = MD4(UTF-16LE password). OpenSSL 3 keeps MD4 in the "legacy"
// provider; it is loaded into a private OSSL_LIB_CTX so the process-wide
// default context (and its FIPS/default provider choice) is untouched.
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <memory>
#include <mutex>

#include "gmsa/keys/keys.hpp"

namespace gmsa::keys {
namespace {

struct Md4Provider {
  OSSL_LIB_CTX* ctx = nullptr;
  OSSL_PROVIDER* legacy = nullptr;
  EVP_MD* md4 = nullptr;  // fetched once; EVP_MD is reference-counted and thread-safe to use
};

// Loaded once for the life of the process (never freed: other threads may be hashing).
const Md4Provider& md4_provider() {
  static const Md4Provider provider = [] {
    Md4Provider p;
    p.ctx = OSSL_LIB_CTX_new();
    if (p.ctx == nullptr) return p;
    p.legacy = OSSL_PROVIDER_load(p.ctx, "legacy");
    if (p.legacy != nullptr) p.md4 = EVP_MD_fetch(p.ctx, "MD4", nullptr);
    return p;
  }();
  return provider;
}

}  // namespace

Result<SecretBytes> nt_hash(std::span<const std::uint8_t> utf16le) {
  const Md4Provider& p = md4_provider();
  if (p.ctx == nullptr) return Error{"nt_hash", "cannot create an OpenSSL library context"};
  if (p.legacy == nullptr) {
    return Error{"nt_hash",
                 "OpenSSL legacy provider (legacy.so, needed for MD4) could not be loaded"};
  }
  if (p.md4 == nullptr) return Error{"nt_hash", "MD4 is not available from the legacy provider"};
  SecretBytes out(16);
  unsigned int len = 0;
  if (EVP_Digest(utf16le.data(), utf16le.size(), out.data(), &len, p.md4, nullptr) != 1 ||
      len != 16) {
    return Error{"nt_hash", "MD4 digest failed"};
  }
  return out;
}

}  // namespace gmsa::keys
