// The two gRPC services served on the daemon's Unix socket:
// credentialsfetcher.CredentialsFetcherService (the ECS agent's wire
// contract) and gmsa.broker.v1.Broker (the project's own API).
#pragma once

#include <memory>

#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/health.hpp"
#include "gmsa/daemon/leases.hpp"

namespace grpc {
class Service;
}

namespace gmsa::daemon {

struct ServiceDeps {
  const DaemonConfig& cfg;
  LeaseManager& leases;
  IdentityManager& identities;
  Health& health;
  std::function<std::string()> last_dc;  // may be empty
};

std::unique_ptr<grpc::Service> make_ecs_service(ServiceDeps deps);
std::unique_ptr<grpc::Service> make_broker_service(ServiceDeps deps);

}  // namespace gmsa::daemon
