// credentialsfetcher.CredentialsFetcherService: what the ECS agent calls.
#include <grpcpp/grpcpp.h>

#include "credentialsfetcher.grpc.pb.h"
#include "gmsa/daemon/log.hpp"
#include "gmsa/daemon/requests.hpp"
#include "gmsa/daemon/services.hpp"
#include "grpc_util.hpp"
#include "raw_service.hpp"

namespace gmsa::daemon {
namespace {

namespace cf = credentialsfetcher;

class EcsService final : public cf::CredentialsFetcherService::Service {
 public:
  explicit EcsService(ServiceDeps d) : d_(std::move(d)) {}

  grpc::Status AddKerberosLease(grpc::ServerContext*, const cf::CreateKerberosLeaseRequest* req,
                                cf::CreateKerberosLeaseResponse* resp) override {
    auto refs = refs_from_credspecs(to_vector(req->credspec_contents()), d_.cfg);
    if (!refs) return invalid(refs.error());
    LeaseRequest lr;
    lr.kind = LeaseKind::kDomainJoined;
    lr.accounts = std::move(refs).value();
    lr.owner = d_.cfg.default_owner;
    return create(lr, resp);
  }

  grpc::Status AddNonDomainJoinedKerberosLease(
      grpc::ServerContext*, const cf::CreateNonDomainJoinedKerberosLeaseRequest* req,
      cf::CreateNonDomainJoinedKerberosLeaseResponse* resp) override {
    auto refs = refs_from_credspecs(to_vector(req->credspec_contents()), d_.cfg);
    if (!refs) return invalid(refs.error());
    auto who = domainless_authority(req->username(), req->password(), req->domain(), d_.cfg);
    if (!who) return invalid(who.error());
    LeaseRequest lr;
    lr.kind = LeaseKind::kDomainless;
    lr.accounts = std::move(refs).value();
    lr.owner = d_.cfg.default_owner;
    lr.who = std::move(who).value();
    return create(lr, resp);
  }

  grpc::Status RenewNonDomainJoinedKerberosLease(
      grpc::ServerContext*, const cf::RenewNonDomainJoinedKerberosLeaseRequest* req,
      cf::RenewNonDomainJoinedKerberosLeaseResponse* resp) override {
    auto who = domainless_authority(req->username(), req->password(), req->domain(), d_.cfg);
    if (!who) return invalid(who.error());
    auto renewed = d_.leases.renew_user(*who);
    if (!renewed) return unavailable(renewed.error());
    for (const auto& p : *renewed) resp->add_renewed_kerberos_file_paths(p);
    return grpc::Status::OK;
  }

  grpc::Status DeleteKerberosLease(grpc::ServerContext*, const cf::DeleteKerberosLeaseRequest* req,
                                   cf::DeleteKerberosLeaseResponse* resp) override {
    if (auto st = validate_lease_id(req->lease_id()); !st) return invalid(st.error());
    auto deleted = d_.leases.remove(req->lease_id());
    if (!deleted) {
      if (deleted.error().field == "lease_id") return not_found(deleted.error());
      return unavailable(deleted.error());
    }
    resp->set_lease_id(req->lease_id());
    for (const auto& p : *deleted) resp->add_deleted_kerberos_file_paths(p);
    return grpc::Status::OK;
  }

  grpc::Status HealthCheck(grpc::ServerContext*, const cf::HealthCheckRequest*,
                           cf::HealthCheckResponse* resp) override {
    // From state only: no network call here.
    resp->set_status(d_.health.evaluate(d_.identities.snapshot()).status());
    return grpc::Status::OK;
  }

  grpc::Status AddKerberosArnLease(grpc::ServerContext*, const cf::KerberosArnLeaseRequest*,
                                   cf::CreateKerberosArnLeaseResponse*) override {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        "AddKerberosArnLease: credential specs from AWS ARNs (S3/SSM/Secrets "
                        "Manager) are not supported by gmsa-brokerd; pass credspec_contents to "
                        "AddKerberosLease or AddNonDomainJoinedKerberosLease");
  }

  grpc::Status RenewKerberosArnLease(grpc::ServerContext*, const cf::RenewKerberosArnLeaseRequest*,
                                     cf::RenewKerberosArnLeaseResponse*) override {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        "RenewKerberosArnLease: ARN leases are not supported by gmsa-brokerd; "
                        "use RenewNonDomainJoinedKerberosLease");
  }

 private:
  template <class Resp>
  grpc::Status create(const LeaseRequest& lr, Resp* resp) {
    auto lease = d_.leases.create(lr);
    if (!lease) {
      log::warn("lease_failed", {{"error", lease.error().what()}});
      return unavailable(lease.error());
    }
    resp->set_lease_id(lease->record.id);
    for (const auto& a : lease->accounts) resp->add_created_kerberos_file_paths(a.dir);
    return grpc::Status::OK;
  }

  ServiceDeps d_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_ecs_service(ServiceDeps deps) {
  auto impl = std::make_shared<EcsService>(std::move(deps));
  auto s = std::make_unique<RawUnaryService>(
      service_descriptor(cf::CredentialsFetcherService::service_full_name()), impl);
  EcsService* e = impl.get();
  s->add("AddKerberosLease", e, &EcsService::AddKerberosLease);
  s->add("AddNonDomainJoinedKerberosLease", e, &EcsService::AddNonDomainJoinedKerberosLease);
  s->add("RenewNonDomainJoinedKerberosLease", e, &EcsService::RenewNonDomainJoinedKerberosLease);
  s->add("DeleteKerberosLease", e, &EcsService::DeleteKerberosLease);
  s->add("HealthCheck", e, &EcsService::HealthCheck);
  s->add("AddKerberosArnLease", e, &EcsService::AddKerberosArnLease);
  s->add("RenewKerberosArnLease", e, &EcsService::RenewKerberosArnLease);
  s->require_all();
  return s;
}

}  // namespace gmsa::daemon
