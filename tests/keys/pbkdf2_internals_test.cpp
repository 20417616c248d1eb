// The keys module's private PBKDF2 pieces: the SHA-NI chain against the
// portable one, and the helper lane's exactly-once hand-off.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "gmsa/common/encoding.hpp"
#include "gmsa/keys/pbkdf2.hpp"
#include "helper_lane.hpp"
#include "sha1_chain.hpp"

namespace gmsa::keys::detail {
namespace {

TEST(Sha1Chain, ShaNiMatchesPortableOnRandomStates) {
  if (!have_sha_ni()) GTEST_SKIP() << "this CPU has no SHA extensions";
  std::mt19937 rng(20261204);  // 32-bit outputs
  for (std::uint32_t iterations : {1U, 2U, 3U, 17U, 64U, 4096U}) {
    for (int trial = 0; trial < 20; ++trial) {
      KeyedStates k;
      for (auto& w : k.inner) w = static_cast<std::uint32_t>(rng());
      for (auto& w : k.outer) w = static_cast<std::uint32_t>(rng());
      Digest u{}, t{};
      for (auto& b : u) b = static_cast<std::uint8_t>(rng());
      for (auto& b : t) b = static_cast<std::uint8_t>(rng());
      Digest u_p = u, t_p = t, u_n = u, t_n = t;
      iterate_portable(k, u_p, t_p, iterations);
      iterate_sha_ni(k, u_n, t_n, iterations);
      ASSERT_EQ(to_hex(t_n), to_hex(t_p)) << iterations << " iterations, trial " << trial;
      ASSERT_EQ(to_hex(u_n), to_hex(u_p)) << iterations << " iterations, trial " << trial;
      if (iterations > 1) {
        EXPECT_NE(to_hex(t_p), to_hex(t));  // the chain did run
      }
    }
  }
}

// finish() returns only once the task has run, and it runs exactly once:
// on the helper, or on the caller when the helper had not started it.
TEST(HelperLane, EveryPostedTaskRunsExactlyOnce) {
  HelperLane* lane = HelperLane::get();
  if (lane == nullptr) GTEST_SKIP() << "no helper on one usable CPU";
  std::atomic<int> runs{0};
  auto task = [](void* arg) { static_cast<std::atomic<int>*>(arg)->fetch_add(1); };
  int posted = 0;
  for (int i = 0; i < 2000; ++i) {
    if (!lane->try_post(task, &runs)) continue;
    ++posted;
    lane->finish();
    ASSERT_EQ(runs.load(), posted);
  }
  EXPECT_GT(posted, 0);
}

// Callers racing for the one helper: the losers compute every block
// themselves, and all get OpenSSL's answer (checked in pbkdf2_test.cpp for
// one caller; here the same derivation from 8 threads at once).
TEST(HelperLane, ConcurrentDerivationsAgree) {
  const std::string pw = "passwordPASSWORDpassword";
  const std::string salt = "saltSALTsaltSALTsaltSALTsaltSALTsalt";
  auto derive = [&] {
    std::vector<std::uint8_t> out(25);
    auto st = pbkdf2_hmac_sha1({reinterpret_cast<const std::uint8_t*>(pw.data()), pw.size()},
                               {reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size()},
                               4096, out);
    return st.ok() ? to_hex(out) : std::string("error");
  };
  std::vector<std::string> got(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int r = 0; r < 5 && got[i] != "mismatch"; ++r) {
        auto h = derive();
        got[i] = h == "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038" ? h : "mismatch";
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& h : got) EXPECT_EQ(h, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
}

// A forked child has no helper thread: it must not wait for one.
TEST(HelperLane, ForkedChildDerivesWithoutTheHelper) {
  (void)HelperLane::get();  // the parent's helper, if any, runs before the fork
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::alarm(20);  // a child stuck waiting for a helper dies instead of hanging
    if (HelperLane::get() != nullptr) ::_exit(3);
    std::vector<std::uint8_t> out(32);
    const std::uint8_t pw[] = {'p'};
    bool ok = pbkdf2_hmac_sha1(pw, pw, 4096, out).ok();
    ::_exit(ok ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace gmsa::keys::detail
