// gRPC round trips over a real Unix socket with the fake CredentialSource.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "ecs_client.hpp"
#include "fake_source.hpp"
#include "gmsa/daemon/process_watch.hpp"
#include "gmsa/daemon/server.hpp"
#include "stored_leases.hpp"

namespace gmsa::daemon {
namespace {

using namespace std::chrono_literals;
namespace cf = credentialsfetcher;
namespace pb = gmsa::broker::v1;
using testing::FakeSource;

std::string read_text(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Every path under dir with its mode and content: "byte-identical" checks.
std::map<std::string, std::string> tree(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    std::string v = std::to_string(st.st_mode) + ":" + std::to_string(st.st_ino);
    if (e.is_regular_file()) v += ":" + read_text(e.path());
    out[e.path()] = v;
  }
  return out;
}

class GrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = gmsa::testing::make_temp_dir("gd");
    conf_ = gmsa::testing::write_krb5_conf(dir_, "CONTOSO.TEST");
    auto c = krb::Context::open(conf_);
    ASSERT_TRUE(c.ok());
    ctx_.emplace(std::move(c).value());
    web_ = read_text(std::string(GMSA_TEST_DATA) + "/daemon/webapp01.json");
    batch_ = read_text(std::string(GMSA_TEST_DATA) + "/daemon/batch02.json");
    start();
  }
  void start() {
    DaemonConfig cfg;
    cfg.state_dir = dir_ + "/state";
    cfg.socket_path = dir_ + "/s/cf.sock";
    cfg.domain = "contoso.test";
    cfg.krb5_conf = conf_;
    cfg.dcs = {{"dc1.contoso.test", "127.0.0.1", 389, false}};
    cfg.sync_store = false;
    auto src = std::make_unique<FakeSource>(*ctx_, clock_);
    source_ = src.get();
    auto d = Daemon::create(cfg, std::move(src), clock_, random_);
    ASSERT_TRUE(d.ok()) << d.error().what();
    daemon_ = std::move(d).value();
    ASSERT_TRUE(daemon_->start().ok());
    channel_ = testing::ecs_channel(cfg.socket_path);
    ecs_ = cf::CredentialsFetcherService::NewStub(channel_);
    broker_ = pb::Broker::NewStub(channel_);
  }
  void TearDown() override {
    daemon_.reset();
    gmsa::testing::remove_tree(dir_);
  }

  cf::CreateKerberosLeaseResponse add(std::initializer_list<std::string> specs,
                                      grpc::Status* status) {
    cf::CreateKerberosLeaseRequest req;
    for (const auto& s : specs) req.add_credspec_contents(s);
    cf::CreateKerberosLeaseResponse resp;
    *status = ecs_->AddKerberosLease(testing::agent_context().get(), req, &resp);
    return resp;
  }

  std::string dir_, conf_, web_, batch_;
  ManualClock clock_{SystemTime{} + std::chrono::seconds(1'900'000'000)};
  OpenSslRandom random_;
  std::optional<krb::Context> ctx_;
  FakeSource* source_ = nullptr;
  std::unique_ptr<Daemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<cf::CredentialsFetcherService::Stub> ecs_;
  std::unique_ptr<pb::Broker::Stub> broker_;
};

TEST_F(GrpcTest, AddKerberosLeaseWritesATicketCacheForTheGmsa) {
  grpc::Status st;
  auto resp = add({web_}, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(validate_lease_id(resp.lease_id()).ok());
  ASSERT_EQ(resp.created_kerberos_file_paths_size(), 1);
  std::string path = resp.created_kerberos_file_paths(0);
  EXPECT_EQ(path, dir_ + "/state/krbdir/" + resp.lease_id() + "/WebApp01");
  auto tgt = krb::read_ccache_file(*ctx_, path + "/krb5cc");
  ASSERT_TRUE(tgt.ok()) << tgt.error().what();
  EXPECT_EQ(tgt->client, "WEBAPP01$@CONTOSO.TEST");
  EXPECT_EQ(tgt->server, "krbtgt/CONTOSO.TEST@CONTOSO.TEST");
  struct stat s {};
  ASSERT_EQ(::stat((dir_ + "/s/cf.sock").c_str(), &s), 0);
  EXPECT_EQ(s.st_mode & 0777, 0660u);
}

TEST_F(GrpcTest, TwoGmsasInOneLeaseAndDelete) {
  grpc::Status st;
  auto resp = add({web_, batch_}, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(resp.created_kerberos_file_paths_size(), 2);
  EXPECT_EQ(krb::read_ccache_file(*ctx_, resp.created_kerberos_file_paths(1) + "/krb5cc")->client,
            "BATCH02$@CONTOSO.TEST");
  cf::DeleteKerberosLeaseRequest del;
  del.set_lease_id(resp.lease_id());
  cf::DeleteKerberosLeaseResponse dresp;
  st = ecs_->DeleteKerberosLease(testing::agent_context().get(), del, &dresp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(dresp.lease_id(), resp.lease_id());
  ASSERT_EQ(dresp.deleted_kerberos_file_paths_size(), 2);
  EXPECT_EQ(dresp.deleted_kerberos_file_paths(0), resp.created_kerberos_file_paths(0));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state/krbdir/" + resp.lease_id()));
  EXPECT_EQ(testing::stored_leases(dir_ + "/state/leases").count(resp.lease_id()), 0u);
  st = ecs_->DeleteKerberosLease(testing::agent_context().get(), del, &dresp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message(), "lease_id: no lease " + resp.lease_id());
}

TEST_F(GrpcTest, BadLeaseIdsAreInvalidArgumentAndTouchNothing) {
  grpc::Status st;
  add({web_}, &st);
  ASSERT_TRUE(st.ok());
  auto before = tree(dir_ + "/state");
  for (const std::string& bad : std::vector<std::string>{
           "../x", "", "0123456789abcdef012", "0123456789abcdef01234", "0123456789ABCDEF0123",
           "0123456789abcdef012z", "../../state/leases"}) {
    cf::DeleteKerberosLeaseRequest del;
    del.set_lease_id(bad);
    cf::DeleteKerberosLeaseResponse resp;
    st = ecs_->DeleteKerberosLease(testing::agent_context().get(), del, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(st.error_message(), "lease_id: must be 20 lower-case hex characters");
    pb::GetLeaseRequest get;
    get.set_lease_id(bad);
    pb::Lease lease;
    st = broker_->GetLease(testing::agent_context().get(), get, &lease);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
  }
  EXPECT_EQ(tree(dir_ + "/state"), before);
}

TEST_F(GrpcTest, BadRequestsNameTheField) {
  grpc::Status st;
  add({}, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "credspec_contents: at least one credential spec is required");
  add({read_text(std::string(GMSA_TEST_DATA) + "/daemon/fabrikam.json")}, &st);
  EXPECT_EQ(st.error_message(),
            "credspec_contents[0]: domain 'fabrikam.test' is not served here (this daemon serves "
            "'contoso.test')");
  add({web_, web_}, &st);
  EXPECT_EQ(st.error_message(), "credspec_contents[1]: gMSA 'WebApp01' is already in this request");
  add({"{not json"}, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("credspec_contents[0]: ", 0), 0u);
  EXPECT_EQ(source_->reads.load(), 0);
}

TEST_F(GrpcTest, ArnLeasesAreUnimplemented) {
  cf::KerberosArnLeaseRequest req;
  req.add_credspec_arns("arn:aws:ssm:us-east-1:1:parameter/x");
  cf::CreateKerberosArnLeaseResponse resp;
  auto st = ecs_->AddKerberosArnLease(testing::agent_context().get(), req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(st.error_message().find("not supported by gmsa-brokerd"), std::string::npos);
  cf::RenewKerberosArnLeaseRequest rreq;
  cf::RenewKerberosArnLeaseResponse rresp;
  st = ecs_->RenewKerberosArnLease(testing::agent_context().get(), rreq, &rresp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(GrpcTest, HealthCheckFollowsHostState) {
  cf::HealthCheckRequest req;
  cf::HealthCheckResponse resp;
  ASSERT_TRUE(ecs_->HealthCheck(testing::agent_context().get(), req, &resp).ok());
  EXPECT_EQ(resp.status(), "OK");
  source_->set_host_error(make_error("dc", "dc1.contoso.test 127.0.0.1:389: connect timed out"));
  clock_.advance(daemon_->config().host_check_interval);
  daemon_->tick();
  ASSERT_TRUE(ecs_->HealthCheck(testing::agent_context().get(), req, &resp).ok());
  EXPECT_EQ(resp.status(),
            "DEGRADED: no DC reachable: dc1.contoso.test 127.0.0.1:389: connect timed out");
}

TEST_F(GrpcTest, HealthCheckAnswersWithin100msWhileAFetchHangs) {
  testing::Gate gate;
  source_->read_gate = &gate;
  std::thread t([&] {
    grpc::Status st;
    add({web_}, &st);
    EXPECT_TRUE(st.ok());
  });
  ASSERT_TRUE(gate.wait_for_waiters(1));
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    cf::HealthCheckRequest req;
    cf::HealthCheckResponse resp;
    ASSERT_TRUE(ecs_->HealthCheck(testing::agent_context().get(), req, &resp).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);
  }
  gate.open();
  t.join();
}

TEST_F(GrpcTest, DomainlessLeaseAndRenewal) {
  cf::CreateNonDomainJoinedKerberosLeaseRequest req;
  req.add_credspec_contents(web_);
  req.set_username("alice");
  req.set_password("user-pw");
  req.set_domain("contoso.test");
  cf::CreateNonDomainJoinedKerberosLeaseResponse resp;
  auto st = ecs_->AddNonDomainJoinedKerberosLease(testing::agent_context().get(), req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(resp.created_kerberos_file_paths_size(), 1);
  source_->user_password = SecretBytes::from_string("rotated");
  cf::RenewNonDomainJoinedKerberosLeaseRequest rreq;
  rreq.set_username("alice");
  rreq.set_password("rotated");
  rreq.set_domain("contoso.test");
  cf::RenewNonDomainJoinedKerberosLeaseResponse rresp;
  st = ecs_->RenewNonDomainJoinedKerberosLease(testing::agent_context().get(), rreq, &rresp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(rresp.renewed_kerberos_file_paths_size(), 1);
  EXPECT_EQ(rresp.renewed_kerberos_file_paths(0), resp.created_kerberos_file_paths(0));
  req.set_username("alice@evil");
  st = ecs_->AddNonDomainJoinedKerberosLease(testing::agent_context().get(), req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(),
            "username: must be a bare user name (no '@', '/', '\\' or control characters)");
}

TEST_F(GrpcTest, BrokerKeytabLeaseWithOwnerModeListAndStatus) {
  source_->with_previous = true;
  pb::AddLeaseRequest req;
  req.add_credspec_contents(web_);
  req.mutable_owner()->set_mode(0640);
  req.mutable_owner()->set_gid(static_cast<std::uint32_t>(::getgid()));
  pb::Lease lease;
  auto st = broker_->AddKeytabLease(testing::agent_context().get(), req, &lease);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(lease.kind(), "keytab");
  ASSERT_EQ(lease.accounts_size(), 1);
  EXPECT_EQ(lease.accounts(0).state(), "ok");
  EXPECT_EQ(lease.accounts(0).ticket_expires_unix(), 1'900'000'000 + 10 * 3600);
  struct stat s {};
  ASSERT_EQ(::stat(lease.accounts(0).keytab_path().c_str(), &s), 0);
  EXPECT_EQ(s.st_mode & 0777, 0640u);
  ASSERT_EQ(::stat(lease.accounts(0).ccache_path().c_str(), &s), 0);
  EXPECT_EQ(s.st_mode & 0777, 0640u);
  req.mutable_owner()->set_mode(04755);
  st = broker_->AddLease(testing::agent_context().get(), req, &lease);
  EXPECT_EQ(st.error_message(), "owner.mode: only permission bits (<= 0777) are allowed");
  pb::ListLeasesResponse list;
  ASSERT_TRUE(broker_->ListLeases(testing::agent_context().get(), {}, &list).ok());
  EXPECT_EQ(list.leases_size(), 1);
  pb::StatusResponse status;
  ASSERT_TRUE(broker_->Status(testing::agent_context().get(), {}, &status).ok());
  EXPECT_TRUE(status.healthy());
  EXPECT_EQ(status.lease_count(), 1u);
  EXPECT_EQ(status.realm(), "CONTOSO.TEST");
}

TEST_F(GrpcTest, RestartRestoresLeases) {
  grpc::Status st;
  auto resp = add({web_, batch_}, &st);
  ASSERT_TRUE(st.ok());
  daemon_.reset();
  std::filesystem::remove(resp.created_kerberos_file_paths(0) + "/krb5cc");
  start();
  pb::GetLeaseRequest get;
  get.set_lease_id(resp.lease_id());
  pb::Lease lease;
  st = broker_->GetLease(testing::agent_context().get(), get, &lease);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(lease.accounts_size(), 2);
  EXPECT_TRUE(krb::read_ccache_file(*ctx_, resp.created_kerberos_file_paths(0) + "/krb5cc").ok());
}

// The real pidfd watcher behind the RPC: a lease bound to a child process
// ends when the child is killed (it is not even reaped yet).
TEST_F(GrpcTest, ALeaseBoundToAProcessEndsWithIt) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  auto start_time = process_start_time(child);
  ASSERT_TRUE(start_time.ok()) << start_time.error().what();
  pb::AddLeaseRequest req;
  req.add_credspec_contents(web_);
  req.mutable_bound_process()->set_pid(static_cast<std::uint32_t>(child));
  req.mutable_bound_process()->set_start_time(*start_time + 1);
  pb::Lease lease;
  auto st = broker_->AddLease(testing::agent_context().get(), req, &lease);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "bound_process.start_time: process " + std::to_string(child) +
                                    " started at " + std::to_string(*start_time) + ", not " +
                                    std::to_string(*start_time + 1));
  req.mutable_bound_process()->set_pid(0);
  st = broker_->AddLease(testing::agent_context().get(), req, &lease);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "bound_process.pid: must be a positive process id");
  EXPECT_EQ(source_->reads.load(), 0);
  req.mutable_bound_process()->set_pid(static_cast<std::uint32_t>(child));
  req.mutable_bound_process()->set_start_time(*start_time);
  st = broker_->AddLease(testing::agent_context().get(), req, &lease);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(lease.bound_process().pid(), static_cast<std::uint32_t>(child));
  EXPECT_EQ(lease.bound_process().start_time(), *start_time);
  pb::ListLeasesResponse list;
  ASSERT_TRUE(broker_->ListLeases(testing::agent_context().get(), {}, &list).ok());
  ASSERT_EQ(list.leases_size(), 1);
  EXPECT_EQ(list.leases(0).bound_process().pid(), static_cast<std::uint32_t>(child));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  for (int i = 0; i < 500 && list.leases_size() != 0; ++i) {
    std::this_thread::sleep_for(10ms);
    list.Clear();
    ASSERT_TRUE(broker_->ListLeases(testing::agent_context().get(), {}, &list).ok());
  }
  EXPECT_EQ(list.leases_size(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state/krbdir/" + lease.lease_id()));
  EXPECT_EQ(testing::stored_leases(dir_ + "/state/leases").count(lease.lease_id()), 0u);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
}

}  // namespace
}  // namespace gmsa::daemon

namespace gmsa::daemon {
namespace {

// The renewal loop's thread and other callers of tick() (tests, the benchmark)
// run one iteration at a time: a due identity is fetched once and the host
// is checked once, however many ticks race.
TEST_F(GrpcTest, ConcurrentTicksRefreshOnceAndCheckTheHostOnce) {
  grpc::Status st;
  add({web_}, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const int tgts = source_->tgts.load();
  const int checks = source_->host_checks.load();
  clock_.advance(10h - 15min);  // past the renewal point and the host check interval
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) ts.emplace_back([&] { daemon_->tick(); });
  for (auto& t : ts) t.join();
  EXPECT_EQ(source_->tgts.load() - tgts, 1);
  EXPECT_EQ(source_->host_checks.load() - checks, 1);
}

}  // namespace
}  // namespace gmsa::daemon
