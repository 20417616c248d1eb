#include "lab_fixture.hpp"

#include <unistd.h>

#include <iostream>

#include "gmsa/cli/cli.hpp"

namespace gmsa::reliability {
namespace {

std::optional<prove::ProveLab>& slot() {
  static std::optional<prove::ProveLab> l;
  return l;
}

class LabEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the lab needs root";
#ifndef GMSA_PROVE_LAB_ROTATION_S
#define GMSA_PROVE_LAB_ROTATION_S 0
#endif
    auto l = prove::lab_up(std::chrono::seconds(GMSA_PROVE_LAB_ROTATION_S));
    ASSERT_TRUE(l.ok()) << l.error().what();
    slot() = std::move(l).value();
    // GSSAPI (inside libldap) reads KRB5_CONFIG process-wide, as gmsa-brokerd sets it.
    ::setenv("KRB5_CONFIG", slot()->facts["krb5Config"].get<std::string>().c_str(), 1);
  }
  void TearDown() override {
    if (!slot()) return;
    auto st = prove::lab_down(*slot());
    EXPECT_TRUE(st.ok()) << st.error().what();
  }
};
[[maybe_unused]] auto* const env = ::testing::AddGlobalTestEnvironment(new LabEnvironment);

}  // namespace

bool lab_is_up() { return slot().has_value(); }
prove::ProveLab& the_lab() { return *slot(); }

std::unique_ptr<cf::CredentialsFetcherService::Stub> ecs_client(const std::string& socket) {
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  return cf::CredentialsFetcherService::NewStub(
      grpc::CreateCustomChannel("unix:" + socket, grpc::InsecureChannelCredentials(), args));
}

std::unique_ptr<pb::Broker::Stub> broker_client(const std::string& socket) {
  return pb::Broker::NewStub(
      grpc::CreateChannel("unix:" + socket, grpc::InsecureChannelCredentials()));
}

grpc::Status add_lease(cf::CredentialsFetcherService::Stub& s,
                       const std::vector<std::string>& accounts,
                       cf::CreateKerberosLeaseResponse* r) {
  cf::CreateKerberosLeaseRequest req;
  for (const auto& a : accounts) req.add_credspec_contents(gmsa::testing::lab_credspec(a));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return s.AddKerberosLease(&ctx, req, r);
}

std::string tgt_problem(const std::string& ccache, const std::string& principal) {
  auto ctx = krb::Context::open(the_lab().facts["krb5Config"]);
  if (!ctx) return ctx.error().what();
  auto tgt = krb::read_ccache_file(*ctx, ccache);
  if (!tgt) return tgt.error().what();
  if (tgt->client != principal) return "client " + tgt->client;
  auto kvno = krb::service_key_version(*ctx, *tgt, "ldap/dc1.contoso.test@CONTOSO.TEST");
  if (!kvno) return kvno.error().what();
  return "";
}

std::string bin_dir() { return std::string(GMSA_BINARY_DIR) + "/src/bin"; }

}  // namespace gmsa::reliability

// `lab up` starts the lab's password controller as "<this program> lab serve
// --dir DIR": answer that as the gmsa CLI would, run the tests otherwise.
int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "lab") {
    return gmsa::cli::run(gmsa::cli::Args(argv + 1, argv + argc),
                          gmsa::cli::Io{std::cin, std::cout, std::cerr});
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
