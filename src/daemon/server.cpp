#include "gmsa/daemon/server.hpp"

#include <grp.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gmsa/daemon/fs.hpp"
#include "gmsa/daemon/log.hpp"
#include "gmsa/daemon/requests.hpp"
#include "gmsa/daemon/services.hpp"

namespace gmsa::daemon {

using namespace std::chrono_literals;

Daemon::Daemon(DaemonConfig cfg, std::unique_ptr<CredentialSource> source, const Clock& clock)
    : cfg_(std::move(cfg)), source_(std::move(source)), clock_(clock) {}

Daemon::~Daemon() { stop(); }

Result<std::unique_ptr<Daemon>> Daemon::create(DaemonConfig cfg,
                                               std::unique_ptr<CredentialSource> source,
                                               const Clock& clock, Random& random) {
  if (auto st = finalize(cfg); !st) return st.error();
  if (!source) return make_error("source", "a credential source is required");
  std::unique_ptr<Daemon> d(new Daemon(std::move(cfg), std::move(source), clock));
  d->identities_ = std::make_unique<IdentityManager>(*d->source_, clock, random, d->cfg_.renewal);
  auto lm = LeaseManager::open(d->cfg_.state_dir, *d->identities_, random, d->cfg_.krb5_conf,
                               d->cfg_.sync_store);
  if (!lm) return lm.error();
  d->leases_ = std::move(lm).value();
  return d;
}

Status Daemon::listen() {
  std::string dir = cfg_.socket_path.substr(0, cfg_.socket_path.find_last_of('/'));
  if (!dir.empty() && ::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return make_error("socket", "cannot create " + dir + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(cfg_.socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error("socket", cfg_.socket_path + " exists and is not a socket");
    ::unlink(cfg_.socket_path.c_str());  // stale socket of a previous run
  }
  std::optional<gid_t> gid;
  if (!cfg_.socket_group.empty()) {
    char* end = nullptr;
    unsigned long n = std::strtoul(cfg_.socket_group.c_str(), &end, 10);
    if (end != nullptr && *end == '\0') {
      gid = static_cast<gid_t>(n);
    } else {
      group g{};
      group* res = nullptr;
      std::vector<char> buf(16384);
      if (getgrnam_r(cfg_.socket_group.c_str(), &g, buf.data(), buf.size(), &res) != 0 || !res) {
        return make_error("socket_group", "unknown group '" + cfg_.socket_group + "'");
      }
      gid = res->gr_gid;
    }
  }
  CredentialSource* src = source_.get();
  ServiceDeps deps{cfg_, *leases_, *identities_, health_, [src] { return src->last_dc(); }};
  services_.push_back(make_ecs_service(deps));
  services_.push_back(make_broker_service(deps));
  grpc::ServerBuilder b;
  b.AddListeningPort("unix:" + cfg_.socket_path, grpc::InsecureServerCredentials());
  for (auto& s : services_) b.RegisterService(s.get());
  // The socket must never be reachable with wider permissions than asked,
  // nor with other ones: it accepts connections as soon as gRPC listens,
  // before BuildAndStart returns, so it is created with the final mode
  // (umask = the complement of socket_mode; start-up is single-threaded
  // here); the chmod below only confirms it.
  mode_t old = ::umask(static_cast<mode_t>(~cfg_.socket_mode & 0777));
  server_ = b.BuildAndStart();
  ::umask(old);
  if (!server_) return make_error("socket", "cannot listen on " + cfg_.socket_path);
  if (gid && ::chown(cfg_.socket_path.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
    return make_error("socket", "cannot chown " + cfg_.socket_path + ": " + std::strerror(errno));
  }
  if (::chmod(cfg_.socket_path.c_str(), cfg_.socket_mode) != 0) {
    return make_error("socket", "cannot chmod " + cfg_.socket_path + ": " + std::strerror(errno));
  }
  return ok_status();
}

Status Daemon::start() {
  std::optional<Authority> secret;
  if (!cfg_.domainless_secret.empty()) {
    auto s = load_domainless_secret(cfg_.domainless_secret);
    if (!s) return s.error();
    secret = std::move(s).value();
  }
  for (const auto& e : leases_->restore(secret))
    log::warn("restore_problem", {{"error", e.what()}});
  auto hc = source_->check_host();
  health_.set_host_check(hc, clock_.now());
  if (!hc) log::warn("host_check_failed", {{"error", hc.error().what()}});
  next_host_check_ = clock_.now() + cfg_.host_check_interval;
  if (auto st = listen(); !st) return st;
  sd_watchdog_enabled(0, &watchdog_usec_);
  loop_thread_ = std::thread([this] { loop(); });
  // Ticket caches belong in memory (dist/ mounts a tmpfs there): on a disk
  // every lease allocates inodes on it and its tickets reach the disk.
  log::info("listening", {{"socket", cfg_.socket_path},
                          {"realm", cfg_.realm},
                          {"leases", std::to_string(leases_->size())},
                          {"krbdir_fs", fs::on_tmpfs(leases_->krbdir()) ? "tmpfs" : "other"}});
  return ok_status();
}

void Daemon::tick() {
  // One iteration at a time: the loop thread and a caller (tests, the
  // benchmark) must not refresh the same identities or run the host check
  // twice, nor race on next_host_check_.
  std::lock_guard<std::mutex> lock(tick_mu_);
  leases_->refresh_due();
  if (clock_.now() >= next_host_check_) {
    auto hc = source_->check_host();
    health_.set_host_check(hc, clock_.now());
    if (!hc) log::warn("host_check_failed", {{"error", hc.error().what()}});
    next_host_check_ = clock_.now() + cfg_.host_check_interval;
  }
}

void Daemon::loop() {
  for (;;) {
    tick();
    // Fed by the loop that does the renewal work: if tick() hangs, systemd
    // notices.
    if (watchdog_usec_ != 0) sd_notify(0, "WATCHDOG=1");
    auto wait = std::chrono::milliseconds(1000);
    if (watchdog_usec_ != 0) {
      wait = std::min(wait, std::chrono::milliseconds(watchdog_usec_ / 2000));
    }
    std::unique_lock<std::mutex> lock(loop_mu_);
    if (loop_cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

void Daemon::stop() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + 5s);
    server_->Wait();
  }
  if (loop_thread_.joinable()) loop_thread_.join();
  if (server_) ::unlink(cfg_.socket_path.c_str());
}

}  // namespace gmsa::daemon
