// Blob decode alone, each key step, the PBKDF2 pieces, and decode + full key
// derivation.
#include <benchmark/benchmark.h>

#include <vector>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/common/encoding.hpp"
#include "gmsa/keys/keys.hpp"
#include "gmsa/keys/pbkdf2.hpp"
#include "sha1_chain.hpp"

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

// One 4096-iteration chain (U_2..U_4096 of one output block) on each
// implementation of src/keys/sha1_chain.hpp.
void Chain(benchmark::State& state, bool sha_ni) {
  namespace d = gmsa::keys::detail;
  if (sha_ni && !d::have_sha_ni()) {
    state.SkipWithError("this CPU has no SHA extensions");
    return;
  }
  const d::KeyedStates k{{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0},
                         {0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210, 0xf0e1d2c3}};
  d::Digest u{}, t{};
  for (auto _ : state) {
    if (sha_ni) {
      d::iterate_sha_ni(k, u, t, 4096);
    } else {
      d::iterate_portable(k, u, t, 4096);
    }
    benchmark::DoNotOptimize(t);
  }
}
void BM_Pbkdf2ChainPortable(benchmark::State& s) { Chain(s, false); }
void BM_Pbkdf2ChainShaNi(benchmark::State& s) { Chain(s, true); }
BENCHMARK(BM_Pbkdf2ChainPortable)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Pbkdf2ChainShaNi)->Unit(benchmark::kMicrosecond);

// The AES256 tkey: two chains, the second on the helper thread.
void BM_Pbkdf2Aes256Tkey(benchmark::State& state) {
  const std::string pw(120, 'p');
  const std::string salt = gmsa::keys::ad_salt("windomain.local", "super_gmsa$");
  std::vector<std::uint8_t> out(32);
  for (auto _ : state) {
    auto st = gmsa::keys::pbkdf2_hmac_sha1(
        {reinterpret_cast<const std::uint8_t*>(pw.data()), pw.size()},
        {reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size()}, 4096, out);
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_Pbkdf2Aes256Tkey)->Unit(benchmark::kMicrosecond);

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
