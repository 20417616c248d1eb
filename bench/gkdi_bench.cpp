// How long a DC-style gMSA password derivation takes (informative). The cost
// depends on the GKID: the L1 chain runs 31 - L1 extra steps, the L2 chain
// 32 - L2 steps, plus the final 256-byte password KDF.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "gmsa/gkdi/gkdi.hpp"

namespace {

gmsa::gkdi::RootKey bench_root(const char* hash) {
  gmsa::gkdi::RootKey root;
  root.id = gmsa::Guid::parse("0670b5ed-f2aa-9a86-dd0e-49cfc2130533").value();
  root.kdf_hash = hash;
  root.data = gmsa::SecretBytes(std::vector<std::uint8_t>(64, 0x5a));
  return root;
}

void run(benchmark::State& state, const char* hash, gmsa::gkdi::Gkid gkid) {
  const auto root = bench_root(hash);
  const auto sid = gmsa::Sid::parse("S-1-5-21-1040335485-253814736-2627409954-1145").value();
  for (auto _ : state) {
    auto pw = gmsa::gkdi::gmsa_password(root, sid, gkid);
    if (!pw.ok()) std::abort();
    benchmark::DoNotOptimize(pw->data());
  }
}

// Worst case (L1 = 0, L2 = 0: 31 + 32 chained steps) and the vector's GKID.
void BM_GmsaPasswordSha512Worst(benchmark::State& s) { run(s, "SHA512", {361, 0, 0}); }
void BM_GmsaPasswordSha512Vector(benchmark::State& s) { run(s, "SHA512", {361, 27, 7}); }
void BM_GmsaPasswordSha256Worst(benchmark::State& s) { run(s, "SHA256", {361, 0, 0}); }
BENCHMARK(BM_GmsaPasswordSha512Worst);
BENCHMARK(BM_GmsaPasswordSha512Vector);
BENCHMARK(BM_GmsaPasswordSha256Worst);

}  // namespace
