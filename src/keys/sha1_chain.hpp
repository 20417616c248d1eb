// The inner loop of one PBKDF2-HMAC-SHA1 output block (private to the keys
// module): U_j = HMAC(P, U_{j-1}) for j = 2..c, with T ^= U_j.
//
// Every U_j is a 20-byte message after one keyed block, so each of its two
// hashes is one SHA-1 compression of the same padded block (U || 0x80 ||
// zeros || the 672-bit length) from a keyed state. Two implementations:
//  - portable: nettle's compression function, which takes the block as bytes
//    and the state as words, so every compression stores and reloads them;
//  - SHA-NI (x86-64 CPUs with the SHA extensions): the state and the block
//    stay in SSE registers for the whole chain; nothing is serialised between
//    iterations. 0.37 ms per 4096-iteration chain here against 0.45 ms.
// tests/keys/pbkdf2_internals_test.cpp checks them against each other;
// tests/keys/pbkdf2_test.cpp checks pbkdf2_hmac_sha1 against OpenSSL.
#pragma once

#include <array>
#include <cstdint>

namespace gmsa::keys::detail {

// HMAC-SHA1's key XORed with ipad and opad make one block each; the SHA-1
// states after compressing them (nettle's word order: A..E).
struct KeyedStates {
  std::array<std::uint32_t, 5> inner, outer;
};

using Digest = std::array<std::uint8_t, 20>;

// On entry u = U_1 and t = U_1; on return t = U_1 ^ ... ^ U_iterations.
// u is overwritten (the caller wipes it).
void iterate_portable(const KeyedStates& k, Digest& u, Digest& t, std::uint32_t iterations);

// The same on the SHA extensions; only call it when have_sha_ni().
void iterate_sha_ni(const KeyedStates& k, Digest& u, Digest& t, std::uint32_t iterations);

// True when this CPU has the SHA extensions and SSSE3/SSE4.1 (CPUID).
bool have_sha_ni();

// iterate_sha_ni when the CPU has the SHA extensions (checked once), else
// iterate_portable.
void iterate(const KeyedStates& k, Digest& u, Digest& t, std::uint32_t iterations);

}  // namespace gmsa::keys::detail
