#include "bad_input_env.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ecs_client.hpp"
#include "tree_hash.hpp"

namespace gmsa::reliability {

using daemon::testing::FakeSource;

std::string spec(const std::string& name, const std::string& dns) {
  return R"({"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"Sid":"S-1-5-21-2725122404-4129967127-2630707939","MachineAccountName":"WebApp01","Guid":"af602f85-d754-4eea-9fa8-fd76810485f1","DnsTreeName":"contoso.test","DnsName":")" +
         dns +
         R"(","NetBiosName":"CONTOSO"},"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":")" +
         name + R"(","Scope":"contoso.test"}]}})";
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

Env* env = nullptr;

namespace {

class Suite : public ::testing::Environment {
 public:
  void SetUp() override {
    env = new Env;
    env->dir = gmsa::testing::make_temp_dir("rb");
    std::filesystem::create_directories(env->dir + "/outside");
    std::ofstream(env->dir + "/outside/canary") << "canary\n";
    auto conf = gmsa::testing::write_krb5_conf(env->dir, "CONTOSO.TEST");
    auto c = krb::Context::open(conf);
    ASSERT_TRUE(c.ok());
    env->ctx.emplace(std::move(c).value());
    daemon::DaemonConfig cfg;
    cfg.state_dir = env->dir + "/state";
    cfg.socket_path = env->dir + "/s/cf.sock";
    cfg.domain = "contoso.test";
    cfg.krb5_conf = conf;
    cfg.dcs = {{"dc1.contoso.test", "127.0.0.1", 389, false}};
    auto d = daemon::Daemon::create(cfg, std::make_unique<FakeSource>(*env->ctx, env->clock),
                                    env->clock, env->random);
    ASSERT_TRUE(d.ok()) << d.error().what();
    env->daemon = std::move(d).value();
    ASSERT_TRUE(env->daemon->start().ok());
    env->channel = daemon::testing::ecs_channel(cfg.socket_path);
    env->ecs = cf::CredentialsFetcherService::NewStub(env->channel);
    env->broker = pb::Broker::NewStub(env->channel);
    // Some real state for the bad input to (not) disturb.
    cf::CreateKerberosLeaseRequest a;
    a.add_credspec_contents(spec());
    cf::CreateKerberosLeaseResponse ar;
    grpc::ClientContext c1;
    ASSERT_TRUE(env->ecs->AddKerberosLease(&c1, a, &ar).ok());
    env->lease_dj = ar.lease_id();
    cf::CreateNonDomainJoinedKerberosLeaseRequest b;
    b.add_credspec_contents(spec("WebApp02"));
    b.set_username("gmsa-reader");
    b.set_password(kUserPassword);
    b.set_domain("contoso.test");
    cf::CreateNonDomainJoinedKerberosLeaseResponse br;
    grpc::ClientContext c2;
    auto st = env->ecs->AddNonDomainJoinedKerberosLease(&c2, b, &br);
    ASSERT_TRUE(st.ok()) << st.error_message();
    env->lease_dl = br.lease_id();
  }
  void TearDown() override {
    env->daemon.reset();
    gmsa::testing::remove_tree(env->dir);
    delete env;
  }
};
[[maybe_unused]] auto* const suite = ::testing::AddGlobalTestEnvironment(new Suite);

}  // namespace

void expect_rejected(const Call& call, grpc::StatusCode code, const std::string& message) {
  ASSERT_NE(env, nullptr);
  auto before = snapshot(env->dir);
  grpc::Status st = call();
  EXPECT_EQ(st.error_code(), code) << st.error_message();
  EXPECT_EQ(st.error_message(), message);
  EXPECT_EQ(st.error_message().find(kUserPassword), std::string::npos);
  EXPECT_EQ(diff(before, snapshot(env->dir)), "");
}

}  // namespace gmsa::reliability
