#include "daemon_harness.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>

#include "lab_credspec.hpp"

namespace gmsa::bench {
namespace {

std::mutex g_mounts_mu;
std::set<std::string> g_mounts;

}  // namespace

void unmount_krbdirs() {
  std::lock_guard<std::mutex> lock(g_mounts_mu);
  for (const auto& m : g_mounts) ::umount2(m.c_str(), MNT_DETACH);
  g_mounts.clear();
}

std::string account_name(int i) {
  std::string n = std::to_string(i + 1);
  return "WEBAPP" + std::string(n.size() < 2 ? "0" : "") + n;
}

Status Harness::start() {
  state_ = dir_ + "/state";
  socket_ = prove::daemon_socket(dir_);
  std::error_code ec;
  std::filesystem::create_directories(state_, ec);
  if (krbdir_ == Krbdir::kTmpfs) {
    const std::string krbdir = state_ + "/krbdir";
    std::filesystem::create_directories(krbdir, ec);
    if (::mount("tmpfs", krbdir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "mode=0755,size=256m") != 0) {
      return Error{krbdir, std::string("cannot mount a tmpfs: ") + std::strerror(errno)};
    }
    mounted_ = krbdir;
    std::lock_guard<std::mutex> lock(g_mounts_mu);
    g_mounts.insert(mounted_);
  }
  auto d = prove::start_daemon(lab_, dir_, clock_, random_);
  if (!d) return d.error();
  daemon_ = std::move(d).value();
  return ok_status();
}

void Harness::stop() {
  stop_daemon();
  if (mounted_.empty()) return;
  ::umount2(mounted_.c_str(), MNT_DETACH);
  std::lock_guard<std::mutex> lock(g_mounts_mu);
  g_mounts.erase(mounted_);
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
