// gmsa-brokerd against the lab domain (MIT KDC + slapd + dnsmasq in a network
// namespace): real DirectorySource, real gRPC socket. LABELS integration,
// RESOURCE_LOCK lab. Brings its own lab up (gmsa lab up --dir <tmp>) and down.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "ecs_client.hpp"
#include "fake_tickets.hpp"
#include "gmsa/daemon/directory_source.hpp"
#include "gmsa/daemon/server.hpp"
#include "gmsa/lab/process.hpp"
#include "lab_credspec.hpp"

namespace gmsa::daemon {
namespace {

using namespace std::chrono_literals;
namespace cf = credentialsfetcher;

// A TCP listener that accepts connections (via the kernel backlog) and never
// answers: a DC that hangs.
class SilentDc {
 public:
  SilentDc() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentDc() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A loopback port with nothing listening: a DC that is down.
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class LabTest : public ::testing::Test {
 protected:
  // One lab for the whole binary: `gmsa lab up --dir <tmp>` (the lab's own
  // program, so its controller runs as `gmsa lab serve`), down at the end.
  static int gmsa(const std::vector<std::string>& args, std::string* output) {
    lab::SpawnOptions o;
    o.argv = {std::string(GMSA_BINARY_DIR) + "/src/bin/gmsa"};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    o.log_file = labdir_ + "/cli-output.txt";
    o.new_session = false;
    std::remove(o.log_file.c_str());
    auto st = lab::run(o, std::chrono::seconds(120));
    std::ifstream f(o.log_file);
    std::stringstream ss;
    ss << f.rdbuf();
    *output = ss.str() + (st.ok() ? "" : st.error().what());
    return st.ok() ? *st : -1;
  }

  static void SetUpTestSuite() {
    ASSERT_EQ(::geteuid(), 0u) << "the lab needs root";
    char tmpl[] = "/tmp/gmsa-daemon-lab-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    labdir_ = tmpl;
    std::string out;
    // Only one lab can run on a machine (one network namespace). If another
    // test binary's lab is up, wait for it to go down (bounded), then bring
    // up our own.
    int rc = -1;
    for (int attempt = 0; attempt < 60; ++attempt) {
      rc = gmsa({"lab", "up", "--dir", labdir_}, &out);
      if (rc == 0 || out.find("belongs to the lab in") == std::string::npos) break;
      std::this_thread::sleep_for(5s);
    }
    ASSERT_EQ(rc, 0) << out;
    owned_ = true;
    std::ifstream f(labdir_ + "/lab.json");
    lab_ = nlohmann::json::parse(f, nullptr, false);
    ASSERT_FALSE(lab_.is_discarded()) << "cannot read " << labdir_ << "/lab.json";
    // As gmsa-brokerd's main does: GSSAPI (libldap SASL) reads it process-wide.
    ::setenv("KRB5_CONFIG", lab_["krb5Config"].get<std::string>().c_str(), 1);
  }

  static void TearDownTestSuite() {
    if (labdir_.empty()) return;
    std::string out;
    if (owned_) {
      EXPECT_EQ(gmsa({"lab", "down", "--dir", labdir_}, &out), 0) << out;
    }
    gmsa::testing::remove_tree(labdir_);
  }

  void SetUp() override {
    dir_ = gmsa::testing::make_temp_dir("gl");
    auto c = krb::Context::open(lab_["krb5Config"].get<std::string>());
    ASSERT_TRUE(c.ok()) << c.error().what();
    ctx_.emplace(std::move(c).value());
  }
  void TearDown() override {
    daemon_.reset();
    gmsa::testing::remove_tree(dir_);
  }

  DaemonConfig base_config() {
    DaemonConfig cfg;
    cfg.state_dir = dir_ + "/state";
    cfg.socket_path = dir_ + "/s.sock";
    cfg.domain = lab_["domain"];
    cfg.krb5_conf = lab_["krb5Config"];
    cfg.host_keytab = lab_["hostKeytab"];
    cfg.host_principal = lab_["hostPrincipal"];
    for (const auto& dc : lab_["dcs"]) {
      cfg.dcs.push_back({dc["name"], dc["address"], 389, false});
    }
    cfg.domainless_secret = lab_["domainlessUser"]["file"];
    cfg.connect_timeout = 1000ms;
    cfg.operation_timeout = 2000ms;
    return cfg;
  }

  void start(DaemonConfig cfg) {
    auto src = std::make_unique<DirectorySource>(cfg, random_, clock_);
    auto d = Daemon::create(cfg, std::move(src), clock_, random_);
    ASSERT_TRUE(d.ok()) << d.error().what();
    daemon_ = std::move(d).value();
    ASSERT_TRUE(daemon_->start().ok());
    ecs_ = cf::CredentialsFetcherService::NewStub(testing::ecs_channel(cfg.socket_path));
  }

  grpc::Status add(std::initializer_list<std::string> accounts,
                   cf::CreateKerberosLeaseResponse* r) {
    cf::CreateKerberosLeaseRequest req;
    for (const auto& a : accounts) req.add_credspec_contents(gmsa::testing::lab_credspec(a));
    return ecs_->AddKerberosLease(testing::agent_context().get(), req, r);
  }

  // The cache holds a TGT for principal that the KDC accepts: a service
  // ticket is obtained with it.
  void expect_valid_tgt(const std::string& ccache, const std::string& principal) {
    auto tgt = krb::read_ccache_file(*ctx_, ccache);
    ASSERT_TRUE(tgt.ok()) << tgt.error().what();
    EXPECT_EQ(tgt->client, principal);
    EXPECT_GT(tgt->end_time, std::chrono::system_clock::now() + 1h);
    auto kvno = krb::service_key_version(*ctx_, *tgt, "ldap/dc1.contoso.test@CONTOSO.TEST");
    EXPECT_TRUE(kvno.ok()) << kvno.error().what();
  }

  static inline nlohmann::json lab_;
  static inline std::string labdir_;
  static inline bool owned_ = false;
  std::string dir_;
  RealClock clock_;
  OpenSslRandom random_;
  std::optional<krb::Context> ctx_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<cf::CredentialsFetcherService::Stub> ecs_;
};

TEST_F(LabTest, DomainJoinedLeaseHoldsAValidTgtForTheGmsa) {
  start(base_config());
  cf::CreateKerberosLeaseResponse r;
  auto st = add({"WEBAPP01"}, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  expect_valid_tgt(r.created_kerberos_file_paths(0) + "/krb5cc", "WEBAPP01$@CONTOSO.TEST");
  cf::HealthCheckResponse h;
  ASSERT_TRUE(ecs_->HealthCheck(testing::agent_context().get(), {}, &h).ok());
  EXPECT_EQ(h.status(), "OK");
}

TEST_F(LabTest, TwoGmsasInOneLeaseThenDelete) {
  start(base_config());
  cf::CreateKerberosLeaseResponse r;
  auto st = add({"WEBAPP01", "WEBAPP02"}, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  expect_valid_tgt(r.created_kerberos_file_paths(0) + "/krb5cc", "WEBAPP01$@CONTOSO.TEST");
  expect_valid_tgt(r.created_kerberos_file_paths(1) + "/krb5cc", "WEBAPP02$@CONTOSO.TEST");
  cf::DeleteKerberosLeaseRequest del;
  del.set_lease_id(r.lease_id());
  cf::DeleteKerberosLeaseResponse dr;
  ASSERT_TRUE(ecs_->DeleteKerberosLease(testing::agent_context().get(), del, &dr).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state/krbdir/" + r.lease_id()));
}

TEST_F(LabTest, DomainlessLeaseWithTheLabUser) {
  DaemonConfig cfg = base_config();
  cfg.host_keytab.clear();
  cfg.host_principal.clear();
  start(cfg);
  cf::CreateNonDomainJoinedKerberosLeaseRequest req;
  req.add_credspec_contents(gmsa::testing::lab_credspec("WEBAPP01"));  // user from the secret file
  cf::CreateNonDomainJoinedKerberosLeaseResponse r;
  auto st = ecs_->AddNonDomainJoinedKerberosLease(testing::agent_context().get(), req, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  expect_valid_tgt(r.created_kerberos_file_paths(0) + "/krb5cc", "WEBAPP01$@CONTOSO.TEST");
}

TEST_F(LabTest, RestartRestoresLeases) {
  start(base_config());
  cf::CreateKerberosLeaseResponse r;
  ASSERT_TRUE(add({"WEBAPP01"}, &r).ok());
  daemon_.reset();
  std::filesystem::remove(r.created_kerberos_file_paths(0) + "/krb5cc");
  start(base_config());
  expect_valid_tgt(r.created_kerberos_file_paths(0) + "/krb5cc", "WEBAPP01$@CONTOSO.TEST");
}

TEST_F(LabTest, FirstDcDownLeaseComesFromTheSecond) {
  DaemonConfig cfg = base_config();
  cfg.dcs.insert(cfg.dcs.begin(), DcConfig{"dc1.contoso.test", "127.0.0.1", closed_port(), false});
  start(cfg);
  cf::CreateKerberosLeaseResponse r;
  auto st = add({"WEBAPP01"}, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  expect_valid_tgt(r.created_kerberos_file_paths(0) + "/krb5cc", "WEBAPP01$@CONTOSO.TEST");
}

TEST_F(LabTest, SilentDcFailsWithinTimeoutWhileHealthAnswers) {
  SilentDc silent;
  DaemonConfig cfg = base_config();
  cfg.dcs = {DcConfig{"dc1.contoso.test", "127.0.0.1", silent.port(), false}};
  start(cfg);
  auto t0 = std::chrono::steady_clock::now();
  std::atomic<bool> done{false};
  grpc::Status st;
  // One attempt (no client retries), so the time measured is the daemon's.
  auto once = cf::CredentialsFetcherService::NewStub(
      grpc::CreateChannel("unix:" + cfg.socket_path, grpc::InsecureChannelCredentials()));
  std::thread t([&] {
    cf::CreateKerberosLeaseRequest req;
    req.add_credspec_contents(gmsa::testing::lab_credspec("WEBAPP01"));
    cf::CreateKerberosLeaseResponse r;
    st = once->AddKerberosLease(testing::agent_context().get(), req, &r);
    done = true;
  });
  while (!done) {
    auto h0 = std::chrono::steady_clock::now();
    cf::HealthCheckResponse h;
    ASSERT_TRUE(ecs_->HealthCheck(testing::agent_context().get(), {}, &h).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - h0, 100ms);
    std::this_thread::sleep_for(50ms);
  }
  t.join();
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(st.error_message().find("WEBAPP01"), std::string::npos) << st.error_message();
  // The SASL bind waits for the operation timeout (2 s); plus slack. Never
  // anywhere near the agent's 1-minute deadline.
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 4s);
}

}  // namespace
}  // namespace gmsa::daemon
