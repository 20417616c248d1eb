// Nothing lost: a real gmsa-brokerd SIGKILLed in the middle of a burst keeps
// every lease it acknowledged (present and valid after a restart), and no
// reader ever sees a partial ticket cache while refreshes rewrite them.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "gmsa/daemon/server.hpp"
#include "lab_fixture.hpp"

namespace gmsa::reliability {
namespace {

using namespace std::chrono_literals;

std::string account(int i) {
  std::string n = std::to_string(i % 10 + 1);
  return "WEBAPP" + std::string(n.size() < 2 ? "0" : "") + n;
}

TEST(Crash, SigkillDuringABurstLosesNoAcknowledgedLease) {
  ASSERT_TRUE(lab_is_up());
  const std::string dir = the_lab().config.dir + "/crash";
  std::filesystem::create_directories(dir);
  const std::string bin = bin_dir() + "/gmsa-brokerd";
  auto b = prove::start_brokerd(the_lab(), dir, dir + "/state", bin);
  ASSERT_TRUE(b.ok()) << b.error().what();

  struct Acked {
    std::string id, path, principal;
  };
  std::mutex mu;
  std::vector<Acked> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      auto stub = ecs_client(b->socket);
      while (!stop) {
        const int i = next++;
        cf::CreateKerberosLeaseResponse r;
        if (add_lease(*stub, {account(i)}, &r).ok()) {
          std::lock_guard<std::mutex> l(mu);
          acked.push_back({r.lease_id(), r.created_kerberos_file_paths(0) + "/krb5cc",
                           account(i) + "$@CONTOSO.TEST"});
        }
      }
    });
  }
  // Kill once a good number of leases were acknowledged, mid-stream.
  for (int i = 0; i < 3000; ++i) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (acked.size() >= 150) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  ::kill(b->pid, SIGKILL);
  (void)prove::stop_brokerd(*b, SIGKILL);
  stop = true;
  for (auto& t : clients) t.join();
  std::vector<Acked> snapshot_acked;
  {
    std::lock_guard<std::mutex> l(mu);
    snapshot_acked = acked;
  }
  ASSERT_GE(snapshot_acked.size(), 150u);
  std::filesystem::remove(b->socket);

  auto again = prove::start_brokerd(the_lab(), dir, dir + "/state", bin);
  ASSERT_TRUE(again.ok()) << again.error().what();
  auto broker = broker_client(again->socket);
  int checked = 0;
  for (const auto& a : snapshot_acked) {
    pb::GetLeaseRequest req;
    req.set_lease_id(a.id);
    pb::Lease lease;
    grpc::ClientContext ctx;
    auto st = broker->GetLease(&ctx, req, &lease);
    EXPECT_TRUE(st.ok()) << a.id << ": " << st.error_message();
    EXPECT_EQ(tgt_problem(a.path, a.principal), "") << a.id;
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(snapshot_acked.size()));
  if (::testing::Test::HasFailure()) {
    std::cerr << "brokerd log:\n" << prove::proc_file(again->pid, "status").substr(0, 0);
    std::ifstream f(again->log_file);
    std::cerr << f.rdbuf();
  }
  (void)prove::stop_brokerd(*again);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Real time plus an offset moved forward to make every refresh due.
class OffsetClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now() + offset.load(); }
  std::atomic<std::chrono::seconds> offset{std::chrono::seconds(0)};
};

TEST(Crash, ReadersNeverSeeAPartialCacheDuringRefreshes) {
  ASSERT_TRUE(lab_is_up());
  const std::string dir = the_lab().config.dir + "/readers";
  std::filesystem::create_directories(dir);
  OffsetClock clock;
  daemon::OpenSslRandom random;
  auto d = prove::start_daemon(the_lab(), dir, clock, random);
  ASSERT_TRUE(d.ok()) << d.error().what();
  auto daemon = std::move(d).value();
  auto stub = ecs_client(prove::daemon_socket(dir));
  std::vector<std::string> caches;
  for (int i = 0; i < 20; ++i) {
    cf::CreateKerberosLeaseResponse r;
    auto st = add_lease(*stub, {account(i)}, &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
    caches.push_back(r.created_kerberos_file_paths(0) + "/krb5cc");
  }
  auto ctx = krb::Context::open(the_lab().facts["krb5Config"]);
  ASSERT_TRUE(ctx.ok());
  auto first = krb::read_ccache_file(*ctx, caches[0]);
  ASSERT_TRUE(first.ok());
  struct stat before {};
  ASSERT_EQ(::stat(caches[0].c_str(), &before), 0);

  std::atomic<bool> stop{false};
  std::atomic<long> reads{0}, bad{0};
  std::string bad_example;
  std::thread checker([&] {
    auto c = krb::Context::open(the_lab().facts["krb5Config"]);
    while (!stop) {
      for (const auto& p : caches) {
        auto t = krb::read_ccache_file(*c, p);
        ++reads;
        if (!t || t->client.empty()) {
          if (bad++ == 0) bad_example = p + ": " + (t ? "no client" : t.error().what());
        }
      }
    }
  });
  for (int cycle = 1; cycle <= 5; ++cycle) {
    clock.offset = std::chrono::seconds(cycle * 11 * 3600);
    daemon->tick();
  }
  stop = true;
  checker.join();
  EXPECT_EQ(bad.load(), 0) << bad_example;
  EXPECT_GT(reads.load(), 100);
  auto last = krb::read_ccache_file(*ctx, caches[0]);
  ASSERT_TRUE(last.ok());
  // It was replaced meanwhile (a new file renamed over it). The KDC stamps
  // tickets in whole seconds of its own clock, so a fast run can get the
  // same start time back; the file is what proves the rewrite. Its inode
  // number alone does not: ext4 hands a freed number out again (seen once in
  // a few runs on these machines), so a later mtime counts too.
  struct stat after {};
  ASSERT_EQ(::stat(caches[0].c_str(), &after), 0);
  auto ns = [](const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  };
  EXPECT_TRUE(after.st_ino != before.st_ino || ns(after) > ns(before))
      << "inode " << after.st_ino << ", mtime " << ns(after) << " ns vs " << ns(before);
  EXPECT_GE(last->start_time, first->start_time);
  EXPECT_EQ(last->client, first->client);
  daemon.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace gmsa::reliability
