#include "gmsa/client/client.hpp"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "credentialsfetcher.grpc.pb.h"
#include "gmsa/daemon/process_watch.hpp"
#include "gmsa/daemon/requests.hpp"
#include "gmsa_broker.grpc.pb.h"

namespace gmsa::client {
namespace {

namespace cf = credentialsfetcher;
namespace pb = gmsa::broker::v1;

constexpr const char* kDefaultSocket = "/var/credentials-fetcher/socket/credentials_fetcher.sock";

// Wipes a protobuf string field that held a password.
void wipe(std::string* s) {
  secure_wipe(s->data(), s->size());
  s->clear();
}

LeaseAccount from_pb(const pb::LeaseAccount& a) {
  return {a.account(), a.domain(),    a.path(), a.ccache_path(), a.ticket_expires_unix(),
          a.state(),   a.last_error()};
}

Lease from_pb(const pb::Lease& l) {
  Lease out;
  out.id = l.lease_id();
  out.kind = l.kind();
  out.created_unix = l.created_unix();
  if (l.owner().has_uid()) out.owner.uid = l.owner().uid();
  if (l.owner().has_gid()) out.owner.gid = l.owner().gid();
  if (l.owner().has_mode()) out.owner.mode = l.owner().mode();
  for (const auto& a : l.accounts()) out.accounts.push_back(from_pb(a));
  if (l.has_bound_process())
    out.process = BoundProcess{l.bound_process().pid(), l.bound_process().start_time()};
  return out;
}

// A lease as the ECS API describes it: an id and one directory per spec.
template <typename Paths>
Lease from_paths(const std::string& id, const std::string& kind, const Paths& paths) {
  Lease out;
  out.id = id;
  out.kind = kind;
  for (const auto& p : paths) {
    LeaseAccount a;
    a.path = p;
    a.ccache_path = p + "/krb5cc";
    auto slash = p.find_last_of('/');
    a.account = slash == std::string::npos ? p : p.substr(slash + 1);
    out.accounts.push_back(std::move(a));
  }
  return out;
}

class GrpcDaemon final : public Daemon {
 public:
  GrpcDaemon(std::string path, std::chrono::milliseconds deadline)
      : path_(std::move(path)), deadline_(deadline) {
    auto channel = grpc::CreateChannel("unix:" + path_, grpc::InsecureChannelCredentials());
    ecs_ = cf::CredentialsFetcherService::NewStub(channel);
    broker_ = pb::Broker::NewStub(channel);
  }

  Result<Lease> add_lease(const LeaseRequest& r) override {
    if (r.owner || r.process) {
      pb::AddLeaseRequest req;
      for (const auto& s : r.credspecs) req.add_credspec_contents(s);
      if (r.owner) {
        auto* o = req.mutable_owner();
        if (r.owner->uid) o->set_uid(*r.owner->uid);
        if (r.owner->gid) o->set_gid(*r.owner->gid);
        if (r.owner->mode) o->set_mode(*r.owner->mode);
      }
      if (r.process) {
        req.mutable_bound_process()->set_pid(r.process->pid);
        req.mutable_bound_process()->set_start_time(r.process->start_time);
      }
      if (r.user) {
        req.set_username(r.user->username);
        req.set_domain(r.user->domain);
        req.mutable_password()->assign(reinterpret_cast<const char*>(r.user->password.data()),
                                       r.user->password.size());
      }
      pb::Lease resp;
      auto ctx = context();
      auto st = broker_->AddLease(ctx.get(), req, &resp);
      wipe(req.mutable_password());
      if (!st.ok()) return error(st);
      return from_pb(resp);
    }
    if (r.user) {
      cf::CreateNonDomainJoinedKerberosLeaseRequest req;
      for (const auto& s : r.credspecs) req.add_credspec_contents(s);
      req.set_username(r.user->username);
      req.set_domain(r.user->domain);
      req.mutable_password()->assign(reinterpret_cast<const char*>(r.user->password.data()),
                                     r.user->password.size());
      cf::CreateNonDomainJoinedKerberosLeaseResponse resp;
      auto ctx = context();
      auto st = ecs_->AddNonDomainJoinedKerberosLease(ctx.get(), req, &resp);
      wipe(req.mutable_password());
      if (!st.ok()) return error(st);
      return from_paths(resp.lease_id(), "domainless", resp.created_kerberos_file_paths());
    }
    cf::CreateKerberosLeaseRequest req;
    for (const auto& s : r.credspecs) req.add_credspec_contents(s);
    cf::CreateKerberosLeaseResponse resp;
    auto ctx = context();
    auto st = ecs_->AddKerberosLease(ctx.get(), req, &resp);
    if (!st.ok()) return error(st);
    return from_paths(resp.lease_id(), "domain-joined", resp.created_kerberos_file_paths());
  }

  Result<std::vector<std::string>> delete_lease(const std::string& id) override {
    cf::DeleteKerberosLeaseRequest req;
    req.set_lease_id(id);
    cf::DeleteKerberosLeaseResponse resp;
    auto ctx = context();
    auto st = ecs_->DeleteKerberosLease(ctx.get(), req, &resp);
    if (!st.ok()) return error(st);
    return std::vector<std::string>(resp.deleted_kerberos_file_paths().begin(),
                                    resp.deleted_kerberos_file_paths().end());
  }

  Result<std::vector<Lease>> list_leases() override {
    pb::ListLeasesResponse resp;
    auto ctx = context();
    auto st = broker_->ListLeases(ctx.get(), {}, &resp);
    if (!st.ok()) return error(st);
    std::vector<Lease> out;
    for (const auto& l : resp.leases()) out.push_back(from_pb(l));
    return out;
  }

  Result<Lease> get_lease(const std::string& id) override {
    pb::GetLeaseRequest req;
    req.set_lease_id(id);
    pb::Lease resp;
    auto ctx = context();
    auto st = broker_->GetLease(ctx.get(), req, &resp);
    if (!st.ok()) return error(st);
    return from_pb(resp);
  }

  Result<DaemonStatus> status() override {
    pb::StatusResponse resp;
    auto ctx = context();
    auto st = broker_->Status(ctx.get(), {}, &resp);
    if (!st.ok()) return error(st);
    DaemonStatus s;
    s.healthy = resp.healthy();
    s.problems.assign(resp.problems().begin(), resp.problems().end());
    s.lease_count = resp.lease_count();
    s.identity_count = resp.identity_count();
    s.realm = resp.realm();
    s.last_dc = resp.last_dc();
    return s;
  }

  Result<std::string> health() override {
    cf::HealthCheckResponse resp;
    auto ctx = context();
    auto st = ecs_->HealthCheck(ctx.get(), {}, &resp);
    if (!st.ok()) return error(st);
    return resp.status();
  }

 private:
  std::unique_ptr<grpc::ClientContext> context() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + deadline_);
    return ctx;
  }

  // A refused connection is the daemon not running; anything else is the
  // daemon's own answer (its messages name the field and rule).
  Error error(const grpc::Status& st) const {
    const std::string& m = st.error_message();
    if (st.error_code() == grpc::StatusCode::UNAVAILABLE &&
        m.find("failed to connect") != std::string::npos) {
      return Error{"", "gmsa-brokerd is not running: nothing accepts connections on " + path_};
    }
    if (st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return Error{"gmsa-brokerd", "no answer within " + std::to_string(deadline_.count()) + " ms"};
    }
    return Error{"gmsa-brokerd", m};
  }

  std::string path_;
  std::chrono::milliseconds deadline_;
  std::unique_ptr<cf::CredentialsFetcherService::Stub> ecs_;
  std::unique_ptr<pb::Broker::Stub> broker_;
};

}  // namespace

std::string default_socket() {
  const char* env = std::getenv("GMSA_SOCKET");
  return env && *env ? env : kDefaultSocket;
}

Result<BoundProcess> this_process() {
  auto pid = ::getpid();
  auto start = daemon::process_start_time(pid);
  if (!start) return start.error();
  return BoundProcess{static_cast<std::uint32_t>(pid), *start};
}

Result<DomainlessUser> read_domainless_secret(const std::string& path) {
  auto a = daemon::load_domainless_secret(path);
  if (!a) return a.error();
  DomainlessUser u;
  u.username = a->username;
  u.domain = a->domain;
  u.password = std::move(a->password);
  return u;
}

Result<std::unique_ptr<Daemon>> connect(const std::string& socket_path,
                                        std::chrono::milliseconds deadline) {
  struct stat st {};
  if (::stat(socket_path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
    return Error{"", "gmsa-brokerd is not running: no socket at " + socket_path};
  }
  return std::unique_ptr<Daemon>(std::make_unique<GrpcDaemon>(socket_path, deadline));
}

}  // namespace gmsa::client
