// PBKDF2-HMAC-SHA1.
//   T_i = U_1 ^ U_2 ^ ... ^ U_c,  U_1 = HMAC(P, S || INT(i)),  U_j = HMAC(P, U_{j-1})
// OpenSSL's PKCS5_PBKDF2_HMAC spent 1.8-4.6 ms on a 4096-iteration AES256
// tkey here (a provider MAC context per iteration). An iteration needs two
// SHA-1 compressions from the key's two keyed states and nothing else
// (sha1_chain.hpp): 0.37 ms per output block on the SHA extensions, 0.45 ms
// on nettle's compression function, against 0.64 ms through nettle's HMAC
// interface. The two blocks of an AES256 tkey run side by side on two CPUs
// (helper_lane.hpp). nettle's own pbkdf2() is not used: it leaves its keyed
// HMAC state on its stack, while here every state lives in memory we wipe.
#include "gmsa/keys/pbkdf2.hpp"

#include <nettle/hmac.h>
#include <nettle/sha1.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "gmsa/common/secret.hpp"
#include "helper_lane.hpp"
#include "sha1_chain.hpp"

namespace gmsa::keys {
namespace {

// RFC 8018: dkLen up to (2^32 - 1) * hLen.
constexpr std::uint64_t kMaxBlocks = 0xffffffffULL;

// nettle's compression functions keep message schedules and digests in their
// own frames, below ours; overwrite that region once the hashing is done.
[[gnu::noinline]] void burn_stack() {
  std::array<unsigned char, 4096> scratch;
  secure_wipe(scratch.data(), scratch.size());
  asm volatile("" : : "r"(scratch.data()) : "memory");
}

using detail::KeyedStates;

struct Job {
  std::span<const std::uint8_t> password;
  std::span<const std::uint8_t> salt;
  std::uint32_t iterations;
  std::span<std::uint8_t> out;
  KeyedStates keyed;   // secret: wiped by pbkdf2_hmac_sha1 before it returns
  hmac_sha1_ctx hmac;  // keyed once with the password, for U_1; secret, wiped too
};

// The state after compressing (key ^ pad) from SHA-1's initial state.
void keyed_state(const std::array<std::uint8_t, SHA1_BLOCK_SIZE>& key, std::uint8_t pad,
                 std::array<std::uint32_t, 5>& state) {
  std::array<std::uint8_t, SHA1_BLOCK_SIZE> block;
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = key[i] ^ pad;
  sha1_ctx ctx;
  sha1_init(&ctx);
  static_assert(sizeof ctx.state == sizeof state);
  std::memcpy(state.data(), ctx.state, sizeof state);
  nettle_sha1_compress(state.data(), block.data());
  secure_wipe(block.data(), block.size());
}

KeyedStates keyed_states(std::span<const std::uint8_t> password) {
  // RFC 2104: a key longer than the block is hashed first; then zero-padded.
  std::array<std::uint8_t, SHA1_BLOCK_SIZE> key{};
  if (password.size() > key.size()) {
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, password.size(), password.data());
    sha1_digest(&ctx, SHA1_DIGEST_SIZE, key.data());
    secure_wipe(&ctx, sizeof ctx);
  } else if (!password.empty()) {
    std::memcpy(key.data(), password.data(), password.size());
  }
  KeyedStates k;
  keyed_state(key, 0x36, k.inner);
  keyed_state(key, 0x5c, k.outer);
  secure_wipe(key.data(), key.size());
  return k;
}

// T_index, truncated to out's remaining length, into out. U_1 goes through
// a copy of the job's keyed nettle HMAC (the salt has any length); U_2..U_c
// through sha1_chain.hpp's loop, on the SHA extensions when the CPU has them.
void block(const Job& job, std::uint32_t index) {
  detail::Digest u{}, t{};
  {
    hmac_sha1_ctx ctx = job.hmac;
    const std::array<std::uint8_t, 4> be = {
        static_cast<std::uint8_t>(index >> 24), static_cast<std::uint8_t>(index >> 16),
        static_cast<std::uint8_t>(index >> 8), static_cast<std::uint8_t>(index)};
    hmac_sha1_update(&ctx, job.salt.size(), job.salt.data());
    hmac_sha1_update(&ctx, be.size(), be.data());
    hmac_sha1_digest(&ctx, SHA1_DIGEST_SIZE, u.data());
    secure_wipe(&ctx, sizeof ctx);
  }
  t = u;
  detail::iterate(job.keyed, u, t, job.iterations);
  const std::size_t offset = static_cast<std::size_t>(index - 1) * SHA1_DIGEST_SIZE;
  std::memcpy(job.out.data() + offset, t.data(), std::min(t.size(), job.out.size() - offset));
  secure_wipe(u.data(), u.size());
  secure_wipe(t.data(), t.size());
}

// Blocks first, first + stride, ... up to count.
void blocks(const Job& job, std::uint32_t first, std::uint32_t stride, std::uint32_t count) {
  for (std::uint64_t i = first; i <= count; i += stride) block(job, static_cast<std::uint32_t>(i));
  burn_stack();
}

struct Share {
  const Job* job;
  std::uint32_t first, stride, count;
};

void run_share(void* arg) {
  const auto* l = static_cast<const Share*>(arg);
  blocks(*l->job, l->first, l->stride, l->count);
}

}  // namespace

Status pbkdf2_hmac_sha1(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                        std::uint32_t iterations, std::span<std::uint8_t> out) {
  if (iterations == 0) return make_error("iterations", "must be at least 1");
  const std::uint64_t count = (out.size() + SHA1_DIGEST_SIZE - 1) / SHA1_DIGEST_SIZE;
  if (count == 0) return make_error("out", "must not be empty");
  if (count > kMaxBlocks) return make_error("out", "longer than PBKDF2 allows");
  Job job{password, salt, iterations, out, keyed_states(password), {}};
  hmac_sha1_set_key(&job.hmac, password.size(), password.data());
  const auto n = static_cast<std::uint32_t>(count);
  // The helper takes blocks 2, 4, ... while the caller takes 1, 3, ...
  detail::HelperLane* helper = n > 1 ? detail::HelperLane::get() : nullptr;
  Share second{&job, 2, 2, n};
  if (helper != nullptr && helper->try_post(run_share, &second)) {
    blocks(job, 1, 2, n);
    helper->finish();
  } else {
    blocks(job, 1, 1, n);
  }
  secure_wipe(&job.keyed, sizeof job.keyed);
  secure_wipe(&job.hmac, sizeof job.hmac);
  return ok_status();
}

}  // namespace gmsa::keys
