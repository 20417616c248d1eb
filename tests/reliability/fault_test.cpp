// Faults against gmsa-brokerd (in-process, real DirectorySource and socket) on
// the private lab: KDC stopped, LDAP stopped, LDAP silent, first DC dead, state
// directory full. Each: the exact status, bounded time, health answering
// fast, earlier leases untouched, and recovery once the fault is gone.
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "gmsa/daemon/directory_source.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/server.hpp"
#include "lab_fixture.hpp"
#include "lab_servers.hpp"
#include "tree_hash.hpp"

namespace gmsa::reliability {
namespace {

using namespace std::chrono_literals;
using Clk = std::chrono::steady_clock;

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(lab_is_up());
    dir_ = the_lab().config.dir + "/fault";
    std::filesystem::create_directories(dir_ + "/state");
  }
  void TearDown() override {
    daemon_.reset();
    if (mounted_) ::umount2((dir_ + "/state").c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void start(daemon::DaemonConfig cfg) {
    auto src = std::make_unique<daemon::DirectorySource>(cfg, random_, clock_);
    auto d = daemon::Daemon::create(cfg, std::move(src), clock_, random_);
    ASSERT_TRUE(d.ok()) << d.error().what();
    daemon_ = std::move(d).value();
    ASSERT_TRUE(daemon_->start().ok());
    ecs_ = ecs_client(cfg.socket_path);
  }
  daemon::DaemonConfig config() {
    auto cfg = prove::daemon_config(the_lab(), dir_ + "/state", dir_ + "/s.sock");
    EXPECT_TRUE(daemon::finalize(cfg).ok());
    return cfg;
  }
  // HealthCheck round trip in ms (it must never wait on the network).
  double health_ms(std::string* status = nullptr) {
    auto t0 = Clk::now();
    cf::HealthCheckResponse h;
    grpc::ClientContext ctx;
    EXPECT_TRUE(ecs_->HealthCheck(&ctx, {}, &h).ok());
    if (status) *status = h.status();
    return std::chrono::duration<double, std::milli>(Clk::now() - t0).count();
  }
  std::string ccache_of(const cf::CreateKerberosLeaseResponse& r) {
    return r.created_kerberos_file_paths(0) + "/krb5cc";
  }

  std::string dir_;
  RealClock clock_;
  daemon::OpenSslRandom random_;
  std::unique_ptr<daemon::Daemon> daemon_;
  std::unique_ptr<cf::CredentialsFetcherService::Stub> ecs_;
  bool mounted_ = false;
};

TEST_F(FaultTest, KdcStopped) {
  start(config());
  cf::CreateKerberosLeaseResponse first;
  ASSERT_TRUE(add_lease(*ecs_, {"WEBAPP01"}, &first).ok());
  const auto before = snapshot(first.created_kerberos_file_paths(0));
  LabServer kdc(the_lab(), "krb5kdc");
  ASSERT_TRUE(kdc.kill().ok());
  // A gMSA with a cached TGT is still served; a new one is refused, naming it.
  cf::CreateKerberosLeaseResponse warm, cold;
  EXPECT_TRUE(add_lease(*ecs_, {"WEBAPP01"}, &warm).ok());
  auto t0 = Clk::now();
  auto st = add_lease(*ecs_, {"WEBAPP05"}, &cold);
  EXPECT_LT(Clk::now() - t0, 20s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_NE(st.error_message().find("WEBAPP05"), std::string::npos) << st.error_message();
  EXPECT_LT(health_ms(), 100.0);
  EXPECT_EQ(diff(before, snapshot(first.created_kerberos_file_paths(0))), "");
  ASSERT_TRUE(kdc.restart().ok());
  st = add_lease(*ecs_, {"WEBAPP05"}, &cold);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(tgt_problem(ccache_of(cold), "WEBAPP05$@CONTOSO.TEST"), "");
  EXPECT_EQ(tgt_problem(ccache_of(first), "WEBAPP01$@CONTOSO.TEST"), "");
}

TEST_F(FaultTest, LdapStopped) {
  start(config());
  cf::CreateKerberosLeaseResponse first;
  ASSERT_TRUE(add_lease(*ecs_, {"WEBAPP01"}, &first).ok());
  LabServer slapd(the_lab(), "slapd");
  ASSERT_TRUE(slapd.kill().ok());
  cf::CreateKerberosLeaseResponse warm, cold;
  EXPECT_TRUE(add_lease(*ecs_, {"WEBAPP01"}, &warm).ok());
  auto st = add_lease(*ecs_, {"WEBAPP06"}, &cold);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(st.error_message().find("no DC reachable"), std::string::npos) << st.error_message();
  EXPECT_NE(st.error_message().find("WEBAPP06"), std::string::npos) << st.error_message();
  EXPECT_LT(health_ms(), 100.0);
  ASSERT_TRUE(slapd.restart().ok());
  st = add_lease(*ecs_, {"WEBAPP06"}, &cold);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(tgt_problem(ccache_of(cold), "WEBAPP06$@CONTOSO.TEST"), "");
}

TEST_F(FaultTest, LdapSilentIsBoundedAndHealthStaysFast) {
  start(config());  // connect 1 s, operation 2 s per DC
  cf::CreateKerberosLeaseResponse first;
  ASSERT_TRUE(add_lease(*ecs_, {"WEBAPP01"}, &first).ok());
  LabServer slapd(the_lab(), "slapd");
  ASSERT_TRUE(slapd.pause().ok());
  auto t0 = Clk::now();
  auto pending = std::async(std::launch::async, [&] {
    cf::CreateKerberosLeaseResponse r;
    return add_lease(*ecs_, {"WEBAPP07"}, &r);
  });
  std::this_thread::sleep_for(300ms);
  double worst = 0;
  while (pending.wait_for(100ms) != std::future_status::ready) worst = std::max(worst, health_ms());
  auto st = pending.get();
  const auto took = Clk::now() - t0;
  ASSERT_TRUE(slapd.resume().ok());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_NE(st.error_message().find("WEBAPP07"), std::string::npos) << st.error_message();
  EXPECT_LT(took, 10s);  // 2 DCs x (1 s connect + 2 s operation) + slack
  EXPECT_LT(worst, 100.0);
  cf::CreateKerberosLeaseResponse again;
  st = add_lease(*ecs_, {"WEBAPP07"}, &again);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST_F(FaultTest, FirstDcDeadLeaseComesFromTheSecond) {
  auto cfg = config();
  cfg.dcs.front().address = "127.0.0.1";
  cfg.dcs.front().port = 9;  // discard: nothing listens
  start(cfg);
  cf::CreateKerberosLeaseResponse r;
  auto st = add_lease(*ecs_, {"WEBAPP08"}, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(tgt_problem(ccache_of(r), "WEBAPP08$@CONTOSO.TEST"), "");
  auto broker = broker_client(cfg.socket_path);
  pb::StatusResponse s;
  grpc::ClientContext ctx;
  ASSERT_TRUE(broker->Status(&ctx, {}, &s).ok());
  EXPECT_EQ(s.last_dc(), "dc2.contoso.test");
}

TEST_F(FaultTest, StateDirectoryFull) {
  const std::string state = dir_ + "/state";
  ASSERT_EQ(::mount("tmpfs", state.c_str(), "tmpfs", 0, "size=512k,mode=0755"), 0)
      << std::strerror(errno);
  mounted_ = true;
  start(config());
  cf::CreateKerberosLeaseResponse first;
  ASSERT_TRUE(add_lease(*ecs_, {"WEBAPP01"}, &first).ok());
  {  // Fill the file system up to the last block.
    std::ofstream fill(state + "/filler", std::ios::binary);
    std::string block(4096, 'x');
    while (fill.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  const auto before = snapshot(state);
  cf::CreateKerberosLeaseResponse r;
  auto st = add_lease(*ecs_, {"WEBAPP01"}, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  // ENOSPC is named as such, with the file that could not be written.
  const std::string msg = st.error_message();
  const std::string prefix =
      "ccache: state directory full: No space left on device (writing " + state + "/krbdir/";
  const std::string suffix = "/WEBAPP01/krb5cc)";
  EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
  ASSERT_GE(msg.size(), prefix.size() + suffix.size()) << msg;
  EXPECT_EQ(msg.substr(msg.size() - suffix.size()), suffix) << msg;
  EXPECT_TRUE(daemon::validate_lease_id(
      msg.substr(prefix.size(), msg.size() - prefix.size() - suffix.size())))
      << msg;
  EXPECT_EQ(diff(before, snapshot(state)), "");  // no partial record, cache or temp file
  EXPECT_LT(health_ms(), 100.0);
  std::filesystem::remove(state + "/filler");
  st = add_lease(*ecs_, {"WEBAPP01"}, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(tgt_problem(ccache_of(first), "WEBAPP01$@CONTOSO.TEST"), "");
  EXPECT_EQ(tgt_problem(ccache_of(r), "WEBAPP01$@CONTOSO.TEST"), "");
}

}  // namespace
}  // namespace gmsa::reliability
