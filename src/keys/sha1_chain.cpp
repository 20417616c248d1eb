#include "sha1_chain.hpp"

#include <nettle/sha1.h>

#include <cstring>

#include "gmsa/common/secret.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace gmsa::keys::detail {
namespace {

constexpr std::size_t kBlock = 64;

void store_be(const std::array<std::uint32_t, 5>& state, std::uint8_t* out) {
  for (std::size_t w = 0; w < state.size(); ++w) {
    out[4 * w] = static_cast<std::uint8_t>(state[w] >> 24);
    out[4 * w + 1] = static_cast<std::uint8_t>(state[w] >> 16);
    out[4 * w + 2] = static_cast<std::uint8_t>(state[w] >> 8);
    out[4 * w + 3] = static_cast<std::uint8_t>(state[w]);
  }
}

}  // namespace

void iterate_portable(const KeyedStates& k, Digest& u, Digest& t, std::uint32_t iterations) {
  // U || 0x80 || zeros || (64 + 20) * 8 = 672 bits, big-endian.
  std::array<std::uint8_t, kBlock> msg{};
  std::memcpy(msg.data(), u.data(), u.size());
  msg[u.size()] = 0x80;
  msg[kBlock - 2] = 0x02;
  msg[kBlock - 1] = 0xa0;
  std::array<std::uint32_t, 5> state{};
  for (std::uint32_t j = 1; j < iterations; ++j) {
    state = k.inner;
    nettle_sha1_compress(state.data(), msg.data());
    store_be(state, msg.data());
    state = k.outer;
    nettle_sha1_compress(state.data(), msg.data());
    store_be(state, msg.data());  // U_j
    for (std::size_t i = 0; i < t.size(); ++i) t[i] ^= msg[i];
  }
  std::memcpy(u.data(), msg.data(), u.size());
  secure_wipe(msg.data(), msg.size());
  secure_wipe(state.data(), sizeof state);
}

#if defined(__x86_64__)

namespace {

// A SHA-1 state as the SHA instructions hold it: A..D in one register (A in
// the top lane), E in the top lane of another.
struct Regs {
  __m128i abcd, e;
};

#define GMSA_SHA_TARGET __attribute__((target("sha,ssse3,sse4.1")))

// Four rounds and one step of the message schedule, the register roles
// rotating from call to call: `e_use` carries E (plus the schedule words
// `w`) into these rounds, `e_next` saves A for the next group's E. The
// schedule is W[t] = rotl1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) four words
// at a time: sha1msg1 and the XOR start the group two ahead (`ahead2`),
// sha1msg2 finishes the next one (`next`), sha1msg1 starts the group three
// ahead (`ahead3`).
#define GMSA_ROUNDS(e_use, e_next, w, next, ahead3, ahead2, f) \
  e_use = _mm_sha1nexte_epu32(e_use, w);                       \
  e_next = abcd;                                               \
  next = _mm_sha1msg2_epu32(next, w);                          \
  abcd = _mm_sha1rnds4_epu32(abcd, e_use, f);                  \
  ahead3 = _mm_sha1msg1_epu32(ahead3, w);                      \
  ahead2 = _mm_xor_si128(ahead2, w)

// One compression of the block m0..m3 (W[4i..4i+3] with W[4i] in the top
// lane) from `in`.
[[gnu::always_inline]] GMSA_SHA_TARGET inline Regs compress(Regs in, __m128i m0, __m128i m1,
                                                            __m128i m2, __m128i m3) {
  __m128i abcd = in.abcd;
  __m128i e0 = _mm_add_epi32(in.e, m0);
  __m128i e1 = abcd;
  abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);  // rounds 0-3
  e1 = _mm_sha1nexte_epu32(e1, m1);
  e0 = abcd;
  abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);  // 4-7
  m0 = _mm_sha1msg1_epu32(m0, m1);
  e0 = _mm_sha1nexte_epu32(e0, m2);
  e1 = abcd;
  abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);  // 8-11
  m1 = _mm_sha1msg1_epu32(m1, m2);
  m0 = _mm_xor_si128(m0, m2);
  e1 = _mm_sha1nexte_epu32(e1, m3);
  e0 = abcd;
  m0 = _mm_sha1msg2_epu32(m0, m3);
  abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);  // 12-15
  m2 = _mm_sha1msg1_epu32(m2, m3);
  m1 = _mm_xor_si128(m1, m3);
  GMSA_ROUNDS(e0, e1, m0, m1, m3, m2, 0);  // 16-19
  GMSA_ROUNDS(e1, e0, m1, m2, m0, m3, 1);  // 20-23
  GMSA_ROUNDS(e0, e1, m2, m3, m1, m0, 1);
  GMSA_ROUNDS(e1, e0, m3, m0, m2, m1, 1);
  GMSA_ROUNDS(e0, e1, m0, m1, m3, m2, 1);
  GMSA_ROUNDS(e1, e0, m1, m2, m0, m3, 1);
  GMSA_ROUNDS(e0, e1, m2, m3, m1, m0, 2);  // 40-43
  GMSA_ROUNDS(e1, e0, m3, m0, m2, m1, 2);
  GMSA_ROUNDS(e0, e1, m0, m1, m3, m2, 2);
  GMSA_ROUNDS(e1, e0, m1, m2, m0, m3, 2);
  GMSA_ROUNDS(e0, e1, m2, m3, m1, m0, 2);
  GMSA_ROUNDS(e1, e0, m3, m0, m2, m1, 3);  // 60-63
  GMSA_ROUNDS(e0, e1, m0, m1, m3, m2, 3);
  e1 = _mm_sha1nexte_epu32(e1, m1);  // 68-71: the schedule is complete
  e0 = abcd;
  m2 = _mm_sha1msg2_epu32(m2, m1);
  abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
  m3 = _mm_xor_si128(m3, m1);
  e0 = _mm_sha1nexte_epu32(e0, m2);  // 72-75
  e1 = abcd;
  m3 = _mm_sha1msg2_epu32(m3, m2);
  abcd = _mm_sha1rnds4_epu32(abcd, e0, 3);
  e1 = _mm_sha1nexte_epu32(e1, m3);  // 76-79
  e0 = abcd;
  abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
  // Add the input state: E is A from four rounds back, rotated.
  return Regs{_mm_add_epi32(abcd, in.abcd), _mm_sha1nexte_epu32(e0, in.e)};
}

#undef GMSA_ROUNDS

GMSA_SHA_TARGET Regs from_state(const std::array<std::uint32_t, 5>& s) {
  return Regs{_mm_set_epi32(static_cast<int>(s[0]), static_cast<int>(s[1]), static_cast<int>(s[2]),
                            static_cast<int>(s[3])),
              _mm_set_epi32(static_cast<int>(s[4]), 0, 0, 0)};
}

// Big-endian bytes <-> the register layout (word 0 in the top lane).
GMSA_SHA_TARGET __m128i byte_swap_mask() {
  return _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
}

GMSA_SHA_TARGET Regs from_digest(const Digest& d) {
  std::uint32_t e = 0;
  std::memcpy(&e, d.data() + 16, 4);
  __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d.data()));
  return Regs{_mm_shuffle_epi8(abcd, byte_swap_mask()),
              _mm_set_epi32(static_cast<int>(__builtin_bswap32(e)), 0, 0, 0)};
}

GMSA_SHA_TARGET void to_digest(Regs r, Digest& d) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(d.data()),
                   _mm_shuffle_epi8(r.abcd, byte_swap_mask()));
  const std::uint32_t e = __builtin_bswap32(static_cast<std::uint32_t>(_mm_extract_epi32(r.e, 3)));
  std::memcpy(d.data() + 16, &e, 4);
}

}  // namespace

GMSA_SHA_TARGET void iterate_sha_ni(const KeyedStates& k, Digest& u, Digest& t,
                                    std::uint32_t iterations) {
  const Regs inner = from_state(k.inner), outer = from_state(k.outer);
  // The block after U's five words: W5 = 0x80000000 (the padding bit),
  // W6..W14 = 0, W15 = 672.
  const __m128i pad = _mm_set_epi32(0, static_cast<int>(0x80000000U), 0, 0);
  const __m128i zero = _mm_setzero_si128();
  const __m128i length = _mm_set_epi32(0, 0, 0, 0x2a0);
  // A digest in the registers is the next block's first five words as they
  // are: W0..W3 = A..D, W4 = E (compress leaves E's lower lanes zero).
  Regs ur = from_digest(u), tr = from_digest(t);
  for (std::uint32_t j = 1; j < iterations; ++j) {
    const Regs x = compress(inner, ur.abcd, _mm_or_si128(ur.e, pad), zero, length);
    ur = compress(outer, x.abcd, _mm_or_si128(x.e, pad), zero, length);
    tr.abcd = _mm_xor_si128(tr.abcd, ur.abcd);
    tr.e = _mm_xor_si128(tr.e, ur.e);
  }
  to_digest(ur, u);
  to_digest(tr, t);
}

bool have_sha_ni() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool ssse3_sse41 = (c & bit_SSSE3) != 0 && (c & bit_SSE4_1) != 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return ssse3_sse41 && (b & bit_SHA) != 0;
}

#undef GMSA_SHA_TARGET

#else  // not x86-64: the portable loop only

void iterate_sha_ni(const KeyedStates& k, Digest& u, Digest& t, std::uint32_t iterations) {
  iterate_portable(k, u, t, iterations);
}

bool have_sha_ni() { return false; }

#endif

void iterate(const KeyedStates& k, Digest& u, Digest& t, std::uint32_t iterations) {
  static const bool sha_ni = have_sha_ni();
  if (sha_ni) {
    iterate_sha_ni(k, u, t, iterations);
  } else {
    iterate_portable(k, u, t, iterations);
  }
}

}  // namespace gmsa::keys::detail
