// PBKDF2-HMAC-SHA1 on nettle's HMAC-SHA1 (SHA-NI when the CPU has it).
//   T_i = U_1 ^ U_2 ^ ... ^ U_c,  U_1 = HMAC(P, S || INT(i)),  U_j = HMAC(P, U_{j-1})
// OpenSSL's PKCS5_PBKDF2_HMAC spent 1.8-3.2 ms on a 4096-iteration AES256
// tkey here (a provider MAC context per iteration); nettle's HMAC keeps the
// keyed inner and outer states and needs two compressions per iteration
// (0.87 ms), and running the two blocks side by side on two CPUs takes
// that to about 0.65 ms.
// nettle's own pbkdf2() is not used: it leaves its keyed HMAC state on its
// stack, while here every state lives in memory we wipe.
#include "gmsa/keys/pbkdf2.hpp"

#include <nettle/hmac.h>
#include <nettle/sha1.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "gmsa/common/secret.hpp"

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

struct Job {
  std::span<const std::uint8_t> password;
  std::span<const std::uint8_t> salt;
  std::uint32_t iterations;
  std::span<std::uint8_t> out;
};

// T_index, truncated to out's remaining length, into out.
void block(const Job& job, std::uint32_t index) {
  hmac_sha1_ctx ctx;
  std::array<std::uint8_t, SHA1_DIGEST_SIZE> u{};
  std::array<std::uint8_t, SHA1_DIGEST_SIZE> t{};
  hmac_sha1_set_key(&ctx, job.password.size(), job.password.data());
  const std::array<std::uint8_t, 4> be = {
      static_cast<std::uint8_t>(index >> 24), static_cast<std::uint8_t>(index >> 16),
      static_cast<std::uint8_t>(index >> 8), static_cast<std::uint8_t>(index)};
  hmac_sha1_update(&ctx, job.salt.size(), job.salt.data());
  hmac_sha1_update(&ctx, be.size(), be.data());
  hmac_sha1_digest(&ctx, u.size(), u.data());
  t = u;
  for (std::uint32_t j = 1; j < job.iterations; ++j) {
    hmac_sha1_update(&ctx, u.size(), u.data());
    hmac_sha1_digest(&ctx, u.size(), u.data());
    for (std::size_t k = 0; k < t.size(); ++k) t[k] ^= u[k];
  }
  const std::size_t offset = static_cast<std::size_t>(index - 1) * SHA1_DIGEST_SIZE;
  std::memcpy(job.out.data() + offset, t.data(), std::min(t.size(), job.out.size() - offset));
  secure_wipe(&ctx, sizeof ctx);
  secure_wipe(u.data(), u.size());
  secure_wipe(t.data(), t.size());
}

// Blocks first, first + stride, ... up to count.
void blocks(const Job& job, std::uint32_t first, std::uint32_t stride, std::uint32_t count) {
  for (std::uint64_t i = first; i <= count; i += stride) block(job, static_cast<std::uint32_t>(i));
  burn_stack();
}

struct Lane {
  const Job* job;
  std::uint32_t first, stride, count;
};

void* run_lane(void* arg) {
  const auto* l = static_cast<const Lane*>(arg);
  blocks(*l->job, l->first, l->stride, l->count);
  return nullptr;
}

// The CPUs this thread may run on, except the one it is on now.
int other_cpus(cpu_set_t* set) {
  CPU_ZERO(set);
  if (::sched_getaffinity(0, sizeof *set, set) != 0) return 0;
  const int here = ::sched_getcpu();
  if (here >= 0 && here < CPU_SETSIZE) CPU_CLR(here, set);
  return CPU_COUNT(set);
}

}  // namespace

Status pbkdf2_hmac_sha1(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                        std::uint32_t iterations, std::span<std::uint8_t> out) {
  if (iterations == 0) return make_error("iterations", "must be at least 1");
  const std::uint64_t count = (out.size() + SHA1_DIGEST_SIZE - 1) / SHA1_DIGEST_SIZE;
  if (count == 0) return make_error("out", "must not be empty");
  if (count > kMaxBlocks) return make_error("out", "longer than PBKDF2 allows");
  const Job job{password, salt, iterations, out};
  const auto n = static_cast<std::uint32_t>(count);
  // Workers are started on the other CPUs explicitly: left to itself, the
  // kernel kept a new thread on its parent's CPU in 54-57 of 60 tries on
  // these VMs (the other vCPU idle in halt-poll), so it ran only once the
  // caller waited for it and the two chains took as long as one after the
  // other (1.04-1.10 ms against 0.66-0.72 ms with the affinity).
  cpu_set_t others;
  const int spare = n > 1 ? other_cpus(&others) : 0;
  const std::uint32_t stride = std::min(n, static_cast<std::uint32_t>(spare) + 1);
  pthread_attr_t attr;
  const bool have_attr = stride > 1 && ::pthread_attr_init(&attr) == 0;
  if (have_attr) (void)::pthread_attr_setaffinity_np(&attr, sizeof others, &others);
  std::vector<Lane> lanes(stride);
  std::vector<pthread_t> workers;
  workers.reserve(stride);    // no allocation between a start and its join
  std::uint32_t started = 1;  // the caller takes block 1 and every stride-th after it
  for (; have_attr && started < stride; ++started) {
    lanes[started] = Lane{&job, started + 1, stride, n};
    pthread_t t;
    if (::pthread_create(&t, &attr, run_lane, &lanes[started]) != 0) break;
    workers.push_back(t);
  }
  if (have_attr) ::pthread_attr_destroy(&attr);
  blocks(job, 1, stride, n);
  for (pthread_t t : workers) ::pthread_join(t, nullptr);
  // Blocks no worker could be started for.
  for (std::uint32_t lane = started; lane < stride; ++lane) blocks(job, lane + 1, stride, n);
  return ok_status();
}

}  // namespace gmsa::keys
