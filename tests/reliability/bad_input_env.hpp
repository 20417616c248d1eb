// Shared by the bad-input tests: one in-process gmsa-brokerd (fake credential
// source, real Unix socket) for the test binary, with two real leases in its
// state dir, and the "rejected and nothing changed" assertion.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "credentialsfetcher.grpc.pb.h"
#include "fake_source.hpp"
#include "gmsa/daemon/server.hpp"
#include "gmsa_broker.grpc.pb.h"

namespace gmsa::reliability {

namespace cf = credentialsfetcher;
namespace pb = gmsa::broker::v1;

inline const std::string kUserPassword = "user-pw";  // the fake source's domainless password

// A valid ECS credential spec naming one gMSA.
std::string spec(const std::string& name = "WebApp01", const std::string& dns = "contoso.test");
std::string replaced(std::string s, const std::string& from, const std::string& to);

struct Env {
  std::string dir;  // state/, s/cf.sock, outside/canary
  std::optional<krb::Context> ctx;
  RealClock clock;
  daemon::OpenSslRandom random;
  std::unique_ptr<daemon::Daemon> daemon;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<cf::CredentialsFetcherService::Stub> ecs;
  std::unique_ptr<pb::Broker::Stub> broker;
  std::string lease_dj, lease_dl;
};
extern Env* env;

using Call = std::function<grpc::Status()>;
// The call fails with exactly (code, message), the message holds no secret,
// and the test directory is unchanged.
void expect_rejected(const Call& call, grpc::StatusCode code, const std::string& message);

}  // namespace gmsa::reliability
