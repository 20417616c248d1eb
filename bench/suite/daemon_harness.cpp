#include "daemon_harness.hpp"

#include <filesystem>
#include <map>
#include <mutex>

#include "lab_credspec.hpp"
#include "tmpfs_mount.hpp"

namespace gmsa::bench {
namespace {

// Every krbdir tmpfs of a running harness, by path: kept here (not in the
// Harness) so that die() can detach them all before exiting.
std::mutex g_mounts_mu;
std::map<std::string, std::unique_ptr<testing::TmpfsMount>> g_mounts;

}  // namespace

void unmount_krbdirs() {
  std::lock_guard<std::mutex> lock(g_mounts_mu);
  g_mounts.clear();
}

std::string account_name(int i) {
  std::string n = std::to_string(i + 1);
  return "WEBAPP" + std::string(n.size() < 2 ? "0" : "") + n;
}

Status Harness::start() {
  state_ = prove::daemon_state(dir_);
  socket_ = prove::daemon_socket(dir_);
  std::error_code ec;
  std::filesystem::create_directories(state_, ec);
  if (krbdir_ == Krbdir::kTmpfs) {
    auto m = testing::TmpfsMount::create(state_ + "/krbdir");
    if (!m) return m.error();
    mounted_ = (*m)->path();
    std::lock_guard<std::mutex> lock(g_mounts_mu);
    g_mounts[mounted_] = std::move(m).value();
  }
  auto d = prove::start_daemon(lab_, dir_, clock_, random_);
  if (!d) return d.error();
  daemon_ = std::move(d).value();
  return ok_status();
}

void Harness::stop() {
  stop_daemon();
  if (mounted_.empty()) return;
  std::lock_guard<std::mutex> lock(g_mounts_mu);
  g_mounts.erase(mounted_);  // detaches it
  mounted_.clear();
}

std::unique_ptr<cf::CredentialsFetcherService::Stub> Harness::client(bool connected) const {
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);  // a connection per client
  auto channel =
      grpc::CreateCustomChannel("unix:" + socket_, grpc::InsecureChannelCredentials(), args);
  if (connected &&
      !channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
    return nullptr;
  }
  return cf::CredentialsFetcherService::NewStub(channel);
}

std::string add_lease(cf::CredentialsFetcherService::Stub& stub, const std::string& account,
                      std::string* error) {
  cf::CreateKerberosLeaseRequest req;
  req.add_credspec_contents(gmsa::testing::lab_credspec(account));
  cf::CreateKerberosLeaseResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(1));
  auto st = stub.AddKerberosLease(&ctx, req, &resp);
  if (!st.ok()) {
    if (error) *error = std::to_string(st.error_code()) + " " + st.error_message();
    return "";
  }
  return resp.lease_id();
}

bool delete_lease(cf::CredentialsFetcherService::Stub& stub, const std::string& id) {
  cf::DeleteKerberosLeaseRequest req;
  req.set_lease_id(id);
  cf::DeleteKerberosLeaseResponse resp;
  grpc::ClientContext ctx;
  return stub.DeleteKerberosLease(&ctx, req, &resp).ok();
}

}  // namespace gmsa::bench
