// Blob decode alone, each key step, and decode + full key derivation.
#include <benchmark/benchmark.h>

#include <vector>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/common/encoding.hpp"
#include "gmsa/keys/keys.hpp"

namespace {

// A synthetic DC-layout blob with a previous password (548 bytes).
std::vector<std::uint8_t> sample_blob() {
  gmsa::blob::ManagedPassword p;
  p.current = gmsa::SecretBytes(256);
  p.previous = gmsa::SecretBytes(256);
  for (std::size_t i = 0; i < 256; i += 2) {
    // Mix of BMP characters and unpaired surrogates, as real passwords have.
    std::uint16_t u = static_cast<std::uint16_t>(0x9e37 * (i + 1));
    p.current[i] = static_cast<std::uint8_t>(u & 0xff);
    p.current[i + 1] = static_cast<std::uint8_t>(u >> 8);
    (*p.previous)[i] = static_cast<std::uint8_t>(u >> 8);
    (*p.previous)[i + 1] = static_cast<std::uint8_t>(u & 0xff);
  }
  p.query_interval_100ns = 650878408659;
  p.unchanged_interval_100ns = 647878408659;
  auto e = gmsa::blob::encode(p);
  return {e->data(), e->data() + e->size()};
}

void BM_BlobDecode(benchmark::State& state) {
  auto blob = sample_blob();
  for (auto _ : state) {
    auto p = gmsa::blob::parse(blob);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_BlobDecode);

void BM_Utf16ToUtf8(benchmark::State& state) {
  auto p = gmsa::blob::parse(sample_blob());
  for (auto _ : state) benchmark::DoNotOptimize(gmsa::keys::utf16le_to_utf8(p->current.span()));
}
BENCHMARK(BM_Utf16ToUtf8);

void BM_NtHash(benchmark::State& state) {
  auto p = gmsa::blob::parse(sample_blob());
  for (auto _ : state) benchmark::DoNotOptimize(gmsa::keys::nt_hash(p->current.span()));
}
BENCHMARK(BM_NtHash);

void BM_Aes256StringToKey(benchmark::State& state) {
  auto p = gmsa::blob::parse(sample_blob());
  auto utf8 = gmsa::keys::utf16le_to_utf8(p->current.span());
  const std::string salt = gmsa::keys::ad_salt("windomain.local", "super_gmsa$");
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        gmsa::keys::aes_string_to_key(gmsa::keys::Enctype::kAes256CtsHmacSha196, *utf8, salt));
  }
}
BENCHMARK(BM_Aes256StringToKey)->Unit(benchmark::kMicrosecond);

// What the daemon does per refresh: decode, then UTF-8 + NT hash + AES128 + AES256.
void BM_DecodeAndDeriveCurrent(benchmark::State& state) {
  auto blob = sample_blob();
  for (auto _ : state) {
    auto p = gmsa::blob::parse(blob);
    auto keys = gmsa::keys::derive(p->current.span(), "windomain.local", "super_gmsa$");
    benchmark::DoNotOptimize(keys);
  }
}
BENCHMARK(BM_DecodeAndDeriveCurrent)->Unit(benchmark::kMicrosecond);

}  // namespace
