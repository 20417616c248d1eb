// Helpers shared by the gkdi tests: vector files and MD4 (NT hash) through
// OpenSSL's legacy provider in a private library context.
#pragma once

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "gmsa/common/encoding.hpp"

namespace gmsa::gkdi::test {

inline nlohmann::json load_vectors(const std::string& name) {
  std::ifstream in(std::string(GMSA_TEST_DATA) + "/" + name);
  if (!in) throw std::runtime_error("cannot open test data " + name);
  return nlohmann::json::parse(in);
}

inline std::vector<std::uint8_t> hex(const std::string& s) {
  auto v = gmsa::from_hex(s);
  if (!v) throw std::runtime_error("bad hex in test data: " + s);
  return *v;
}

// MD4 lives in OpenSSL 3's legacy provider; load it into a private context
// so the default context of the process is left alone.
inline std::string md4_hex(std::span<const std::uint8_t> data) {
  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(ctx, "legacy");
  EVP_MD* md = EVP_MD_fetch(ctx, "MD4", nullptr);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  bool ok = md != nullptr && EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) == 1;
  EVP_MD_free(md);
  if (legacy) OSSL_PROVIDER_unload(legacy);
  OSSL_LIB_CTX_free(ctx);
  if (!ok) throw std::runtime_error("MD4 unavailable (OpenSSL legacy provider)");
  return gmsa::to_hex(std::span<const std::uint8_t>(out, n));
}

}  // namespace gmsa::gkdi::test
