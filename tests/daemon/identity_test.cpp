#include "gmsa/daemon/identity.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "fake_source.hpp"
#include "gmsa/daemon/health.hpp"

namespace gmsa::daemon {
namespace {

using namespace std::chrono_literals;
using testing::FakeSource;
using testing::Gate;
using testing::ZeroRandom;

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = gmsa::testing::make_temp_dir("idtest");
    auto c = krb::Context::open(gmsa::testing::write_krb5_conf(dir_, "CONTOSO.TEST"));
    ASSERT_TRUE(c.ok());
    ctx_.emplace(std::move(c).value());
    source_.emplace(*ctx_, clock_);
    ids_.emplace(*source_, clock_, random_, policy_);
  }
  void TearDown() override { gmsa::testing::remove_tree(dir_); }

  IdentitySnapshot snap(const std::string& key) {
    for (auto& s : ids_->snapshot()) {
      if (s.key == key) return s;
    }
    ADD_FAILURE() << "no identity " << key;
    return {};
  }

  std::string dir_;
  ManualClock clock_{SystemTime{} + std::chrono::seconds(1'900'000'000)};
  ZeroRandom random_;
  RenewalPolicy policy_;
  std::optional<krb::Context> ctx_;
  std::optional<FakeSource> source_;
  std::optional<IdentityManager> ids_;
  GmsaRef web_{"WebApp01", "contoso.test"};
  GmsaRef batch_{"Batch02", "contoso.test"};
  Authority host_;
};

TEST_F(IdentityTest, KeysSeparateAuthorities) {
  Authority alice;
  alice.kind = Authority::Kind::kUser;
  alice.username = "Alice";
  alice.domain = "CONTOSO.test";
  EXPECT_EQ(identity_key(web_, host_), "webapp01@contoso.test#host");
  EXPECT_EQ(identity_key(web_, alice), "webapp01@contoso.test#user:alice@contoso.test");
}

TEST_F(IdentityTest, ConcurrentRequestsForOneGmsaCoalesceIntoOneFetch) {
  Gate gate;
  source_->read_gate = &gate;
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto r = ids_->acquire(web_, host_);
      if (r && r->client == "WEBAPP01$@CONTOSO.TEST") ++ok;
    });
  }
  ASSERT_TRUE(gate.wait_for_waiters(1));
  // Let the other callers reach the in-flight fetch before it completes.
  std::this_thread::sleep_for(50ms);
  gate.open();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(source_->reads.load(), 1);
  EXPECT_EQ(source_->tgts.load(), 1);
  // Warm: a later request reuses the shared TGT without any fetch.
  ASSERT_TRUE(ids_->acquire(web_, host_).ok());
  EXPECT_EQ(source_->reads.load(), 1);
}

TEST_F(IdentityTest, DifferentGmsasFetchInParallel) {
  Gate gate;
  source_->read_gate = &gate;
  std::thread a([&] { EXPECT_TRUE(ids_->acquire(web_, host_).ok()); });
  std::thread b([&] { EXPECT_TRUE(ids_->acquire(batch_, host_).ok()); });
  // Both reads are in flight at once: neither waits for the other.
  EXPECT_TRUE(gate.wait_for_waiters(2));
  gate.open();
  a.join();
  b.join();
  EXPECT_EQ(source_->reads.load(), 2);
}

TEST_F(IdentityTest, RefreshesBeforeExpiryWithMargin) {
  ASSERT_TRUE(ids_->acquire(web_, host_).ok());
  std::string key = identity_key(web_, host_);
  ids_->retain(key);
  SystemTime start = clock_.now();
  EXPECT_EQ(snap(key).next_refresh, start + 10h - 15min);
  clock_.advance(10h - 15min - 1s);
  EXPECT_TRUE(ids_->refresh_due().empty());
  EXPECT_EQ(source_->tgts.load(), 1);
  clock_.advance(1s);
  EXPECT_EQ(ids_->refresh_due(), std::vector<std::string>{key});
  EXPECT_EQ(source_->tgts.load(), 2);
  EXPECT_EQ(source_->reads.load(), 1);  // the password is still valid: not re-read
  EXPECT_EQ(ids_->credentials(key)->end_time, clock_.now() + 10h);
}

TEST_F(IdentityTest, JitterComesFromTheRandomSource) {
  struct MaxRandom final : Random {
    void fill(std::span<std::uint8_t> out) override {
      for (auto& b : out) b = 0;
      out[out.size() - 1] = 30;  // next_u64() == 30 -> 30 % 61 = 30 s
    }
  } r;
  IdentityManager ids(*source_, clock_, r, policy_);
  ASSERT_TRUE(ids.acquire(web_, host_).ok());
  ids.retain(identity_key(web_, host_));
  EXPECT_EQ(ids.snapshot()[0].next_refresh, clock_.now() + 10h - 15min - 30s);
}

TEST_F(IdentityTest, FailedRefreshKeepsTicketBacksOffAndDegrades) {
  RenewalPolicy p;
  p.margin = 2h;  // room for eight failures before the ticket ends
  IdentityManager ids(*source_, clock_, random_, p);
  auto snap1 = [&] { return ids.snapshot().at(0); };
  ASSERT_TRUE(ids.acquire(web_, host_).ok());
  std::string key = identity_key(web_, host_);
  ids.retain(key);
  SystemTime end = ids.credentials(key)->end_time;
  source_->accept = {};  // the KDC now refuses
  clock_.advance(10h - 2h);
  std::vector<std::chrono::seconds> waits;
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(ids.refresh_due().empty());
    auto s = snap1();
    waits.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(s.next_refresh - clock_.now()));
    EXPECT_EQ(s.failures, i + 1);
    EXPECT_EQ(s.last_error, "kdc: preauthentication failed");
    clock_.set(s.next_refresh);
  }
  std::vector<std::chrono::seconds> want{10s, 20s, 40s, 80s, 160s, 320s, 600s, 600s};
  EXPECT_EQ(waits, want);
  // The last valid ticket is kept until it expires: degraded, not expired.
  EXPECT_EQ(ids.credentials(key)->end_time, end);
  EXPECT_EQ(snap1().state, IdentityState::kDegraded);
  Health h;
  h.set_host_check(ok_status(), clock_.now());
  auto report = h.evaluate(ids.snapshot());
  EXPECT_FALSE(report.healthy);
  EXPECT_EQ(report.status(),
            "DEGRADED: refresh failing for WebApp01@contoso.test (degraded, 8 failures): kdc: "
            "preauthentication failed");
  clock_.set(end);
  EXPECT_EQ(snap1().state, IdentityState::kExpired);
  // Recovery resets the backoff and health.
  source_->accept = {'C'};
  EXPECT_EQ(ids.refresh_due().size(), 1u);
  EXPECT_EQ(snap1().failures, 0);
  EXPECT_EQ(snap1().state, IdentityState::kOk);
  EXPECT_TRUE(h.evaluate(ids.snapshot()).healthy);
}

TEST_F(IdentityTest, RereadsPasswordWhenQueryIntervalSaysSo) {
  source_->query_interval_100ns = 36'000'000'000ULL;  // 1 hour
  ASSERT_TRUE(ids_->acquire(web_, host_).ok());
  std::string key = identity_key(web_, host_);
  ids_->retain(key);
  EXPECT_EQ(snap(key).next_refresh, clock_.now() + 1h);
  clock_.advance(1h);
  EXPECT_EQ(ids_->refresh_due().size(), 1u);
  EXPECT_EQ(source_->reads.load(), 2);
}

TEST_F(IdentityTest, UsesPreviousPasswordInsideTheRotationWindow) {
  source_->with_previous = true;
  source_->query_interval_100ns = 2ULL * 60 * 10'000'000;  // 2 min: inside the 5 min lead
  source_->accept = {'P'};                                 // the KDC still has the old keys
  auto r = ids_->acquire(web_, host_);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(source_->tried, (std::vector<char>{'P'}));
  std::string key = identity_key(web_, host_);
  ids_->retain(key);
  EXPECT_TRUE(snap(key).used_previous_password);
  EXPECT_EQ(snap(key).next_refresh, clock_.now() + 2min);  // re-read right after the change
  // After the change: a long query interval again, the KDC has the new keys.
  source_->query_interval_100ns = 30ULL * 24 * 36'000'000'000ULL;
  source_->accept = {'C'};
  clock_.advance(2min);
  EXPECT_EQ(ids_->refresh_due().size(), 1u);
  EXPECT_EQ(source_->tried, (std::vector<char>{'P', 'C'}));
  EXPECT_FALSE(snap(key).used_previous_password);
}

TEST_F(IdentityTest, OutsideTheWindowCurrentFirstThenPreviousAsFallback) {
  source_->with_previous = true;
  source_->accept = {'P'};  // e.g. a KDC replica that has not seen the change yet
  ASSERT_TRUE(ids_->acquire(web_, host_).ok());
  EXPECT_EQ(source_->tried, (std::vector<char>{'C', 'P'}));
}

TEST_F(IdentityTest, UserAuthorityNeedsTheSamePasswordForTheWarmPath) {
  Authority alice;
  alice.kind = Authority::Kind::kUser;
  alice.username = "alice";
  alice.domain = "contoso.test";
  alice.password = SecretBytes::from_string("user-pw");
  ASSERT_TRUE(ids_->acquire(web_, alice).ok());
  EXPECT_EQ(source_->reads.load(), 1);
  Authority mallory = alice;
  mallory.password = SecretBytes::from_string("guess");
  auto r = ids_->acquire(web_, mallory);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "host_credential: user login refused");
  EXPECT_EQ(source_->reads.load(), 2);  // a fresh check, not the cached TGT
  ASSERT_TRUE(ids_->acquire(web_, alice).ok());
  EXPECT_EQ(source_->reads.load(), 2);  // the right password: warm
}

TEST(HealthTest, Transitions) {
  Health h;
  EXPECT_EQ(h.evaluate({}).status(), "DEGRADED: host credential not checked yet");
  h.set_host_check(ok_status(), SystemTime{});
  EXPECT_EQ(h.evaluate({}).status(), "OK");
  h.set_host_check(make_error("host_credential", "keytab: no key"), SystemTime{});
  EXPECT_EQ(h.evaluate({}).status(),
            "DEGRADED: host credential unusable: host_credential: keytab: no key");
  h.set_host_check(make_error("dc", "10.0.0.1:389 connect timed out"), SystemTime{});
  EXPECT_EQ(h.evaluate({}).status(), "DEGRADED: no DC reachable: 10.0.0.1:389 connect timed out");
  h.set_host_check(ok_status(), SystemTime{});
  EXPECT_TRUE(h.evaluate({}).healthy);
}

}  // namespace
}  // namespace gmsa::daemon

namespace gmsa::daemon {
namespace {

TEST_F(IdentityTest, ScheduledRefreshesOfDifferentGmsasRunInParallel) {
  ASSERT_TRUE(ids_->acquire(web_, host_).ok());
  ASSERT_TRUE(ids_->acquire(batch_, host_).ok());
  ids_->retain(identity_key(web_, host_));
  ids_->retain(identity_key(batch_, host_));
  source_->query_interval_100ns = 0;  // force re-reads through the gate
  clock_.advance(31 * 24h);           // both passwords due
  Gate gate;
  source_->read_gate = &gate;
  std::thread t([&] { EXPECT_EQ(ids_->refresh_due().size(), 2u); });
  EXPECT_TRUE(gate.wait_for_waiters(2));  // both reads in flight at once
  gate.open();
  t.join();
}

}  // namespace
}  // namespace gmsa::daemon

namespace gmsa::daemon {
namespace {

// Our clock ahead of the KDC's (or a benchmark moving it): the new ticket has
// already ended by our clock. It is not fetched again every second.
TEST_F(IdentityTest, TicketEndedOnArrivalWaitsLikeAFailureInsteadOfRefetchingAtOnce) {
  source_->lifetime = 4s;  // ends within min_remaining (60 s); half of it is < 10 s
  ASSERT_TRUE(ids_->acquire(web_, host_).ok());
  std::string key = identity_key(web_, host_);
  ids_->retain(key);
  EXPECT_EQ(snap(key).next_refresh, clock_.now() + policy_.backoff_initial);
  clock_.advance(policy_.backoff_initial - 1s);
  EXPECT_TRUE(ids_->refresh_due().empty());
  EXPECT_EQ(source_->tgts.load(), 1);
  clock_.advance(1s);
  EXPECT_EQ(ids_->refresh_due(), std::vector<std::string>{key});
  EXPECT_EQ(source_->tgts.load(), 2);
}

}  // namespace
}  // namespace gmsa::daemon
