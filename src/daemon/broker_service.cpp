// gmsa.broker.v1.Broker: lease listing, status and leases with owner/mode
// options and keytabs.
#include <grpcpp/grpcpp.h>

#include "gmsa/daemon/requests.hpp"
#include "gmsa/daemon/services.hpp"
#include "gmsa_broker.grpc.pb.h"
#include "grpc_util.hpp"
#include "raw_service.hpp"

namespace gmsa::daemon {
namespace {

namespace pb = gmsa::broker::v1;

std::int64_t unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void fill_owner(const FileOwner& o, pb::FileOwner* out) {
  if (o.uid) out->set_uid(*o.uid);
  if (o.gid) out->set_gid(*o.gid);
  out->set_mode(o.mode);
}

void fill_lease(const LeaseView& v, pb::Lease* out) {
  out->set_lease_id(v.record.id);
  out->set_kind(to_string(v.record.kind));
  out->set_created_unix(v.record.created_unix);
  fill_owner(v.record.owner, out->mutable_owner());
  for (const auto& a : v.accounts) {
    auto* pa = out->add_accounts();
    pa->set_account(a.ref.account);
    pa->set_domain(a.ref.domain);
    pa->set_path(a.dir);
    pa->set_ccache_path(a.ccache);
    pa->set_keytab_path(a.keytab);
    if (a.identity.ticket_end) pa->set_ticket_expires_unix(unix_seconds(*a.identity.ticket_end));
    pa->set_state(to_string(a.identity.state));
    pa->set_last_error(a.identity.last_error);
  }
  if (v.record.process) {
    out->mutable_bound_process()->set_pid(static_cast<std::uint32_t>(v.record.process->pid));
    out->mutable_bound_process()->set_start_time(v.record.process->start_time);
  }
}

class BrokerService final : public pb::Broker::Service {
 public:
  explicit BrokerService(ServiceDeps d) : d_(std::move(d)) {}

  grpc::Status ListLeases(grpc::ServerContext*, const pb::ListLeasesRequest*,
                          pb::ListLeasesResponse* resp) override {
    for (const auto& v : d_.leases.list()) fill_lease(v, resp->add_leases());
    return grpc::Status::OK;
  }

  grpc::Status GetLease(grpc::ServerContext*, const pb::GetLeaseRequest* req,
                        pb::Lease* resp) override {
    if (auto st = validate_lease_id(req->lease_id()); !st) return invalid(st.error());
    auto v = d_.leases.get(req->lease_id());
    if (!v) return not_found(v.error());
    fill_lease(*v, resp);
    return grpc::Status::OK;
  }

  grpc::Status Status(grpc::ServerContext*, const pb::StatusRequest*,
                      pb::StatusResponse* resp) override {
    auto snaps = d_.identities.snapshot();
    auto report = d_.health.evaluate(snaps);
    resp->set_healthy(report.healthy);
    for (const auto& p : report.problems) resp->add_problems(p);
    resp->set_lease_count(static_cast<std::uint32_t>(d_.leases.size()));
    resp->set_identity_count(static_cast<std::uint32_t>(snaps.size()));
    resp->set_realm(d_.cfg.realm);
    if (d_.last_dc) resp->set_last_dc(d_.last_dc());
    return grpc::Status::OK;
  }

  grpc::Status AddLease(grpc::ServerContext*, const pb::AddLeaseRequest* req,
                        pb::Lease* resp) override {
    return add(*req, false, resp);
  }

  grpc::Status AddKeytabLease(grpc::ServerContext*, const pb::AddLeaseRequest* req,
                              pb::Lease* resp) override {
    return add(*req, true, resp);
  }

 private:
  grpc::Status add(const pb::AddLeaseRequest& req, bool keytab, pb::Lease* resp) {
    auto refs = refs_from_credspecs(to_vector(req.credspec_contents()), d_.cfg);
    if (!refs) return invalid(refs.error());
    LeaseRequest lr;
    lr.accounts = std::move(refs).value();
    lr.owner = d_.cfg.default_owner;
    if (req.has_owner()) {
      if (req.owner().has_uid()) lr.owner.uid = req.owner().uid();
      if (req.owner().has_gid()) lr.owner.gid = req.owner().gid();
      if (req.owner().has_mode()) {
        if (req.owner().mode() > 0777) {
          return invalid(make_error("owner.mode", "only permission bits (<= 0777) are allowed"));
        }
        lr.owner.mode = static_cast<mode_t>(req.owner().mode());
      }
    }
    if (req.has_bound_process()) {
      const auto& p = req.bound_process();
      if (p.pid() == 0 || p.pid() > INT32_MAX) {
        return invalid(make_error("bound_process.pid", "must be a positive process id"));
      }
      lr.process = BoundProcess{static_cast<std::int32_t>(p.pid()), p.start_time()};
    }
    bool domainless = !req.username().empty() || !req.password().empty() || !req.domain().empty();
    if (domainless) {
      if (keytab) {
        return invalid(make_error("username", "keytab leases use the host credential only"));
      }
      auto who = domainless_authority(req.username(), req.password(), req.domain(), d_.cfg);
      if (!who) return invalid(who.error());
      lr.who = std::move(who).value();
      lr.kind = LeaseKind::kDomainless;
    } else {
      lr.kind = keytab ? LeaseKind::kKeytab : LeaseKind::kDomainJoined;
    }
    auto lease = d_.leases.create(lr);
    // The bound process is checked first: its errors are the caller's.
    if (!lease && lease.error().field.rfind("bound_process", 0) == 0) return invalid(lease.error());
    if (!lease) return unavailable(lease.error());
    fill_lease(*lease, resp);
    return grpc::Status::OK;
  }

  ServiceDeps d_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_broker_service(ServiceDeps deps) {
  auto impl = std::make_shared<BrokerService>(std::move(deps));
  auto s =
      std::make_unique<RawUnaryService>(service_descriptor(pb::Broker::service_full_name()), impl);
  BrokerService* b = impl.get();
  s->add("ListLeases", b, &BrokerService::ListLeases);
  s->add("GetLease", b, &BrokerService::GetLease);
  s->add("Status", b, &BrokerService::Status);
  s->add("AddLease", b, &BrokerService::AddLease);
  s->add("AddKeytabLease", b, &BrokerService::AddKeytabLease);
  s->require_all();
  return s;
}

}  // namespace gmsa::daemon
