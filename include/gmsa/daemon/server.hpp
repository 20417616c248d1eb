// gmsa-brokerd as an object: restores leases, checks the host credential,
// listens on the Unix socket (both services), runs the renewal loop, stops
// cleanly. run_main() is the whole program (flags, signals, sd_notify).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmsa/common/clock.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/health.hpp"
#include "gmsa/daemon/identity.hpp"
#include "gmsa/daemon/leases.hpp"
#include "gmsa/daemon/source.hpp"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace gmsa::daemon {

class Daemon {
 public:
  // clock/random must outlive the daemon. The program uses DirectorySource;
  // tests a fake.
  static Result<std::unique_ptr<Daemon>> create(DaemonConfig cfg,
                                                std::unique_ptr<CredentialSource> source,
                                                const Clock& clock, Random& random);
  ~Daemon();

  // Restores leases, runs the first host check, starts listening and the
  // renewal loop. Returns once the socket accepts connections.
  Status start();
  // Stops accepting, finishes in-flight RPCs (bounded), stops the loop.
  void stop();

  // One renewal-loop iteration (tests call it directly with a ManualClock).
  void tick();

  LeaseManager& leases() { return *leases_; }
  IdentityManager& identities() { return *identities_; }
  Health& health() { return health_; }
  const DaemonConfig& config() const { return cfg_; }

 private:
  Daemon(DaemonConfig cfg, std::unique_ptr<CredentialSource> source, const Clock& clock);
  Status listen();
  void loop();

  DaemonConfig cfg_;
  std::unique_ptr<CredentialSource> source_;
  const Clock& clock_;
  std::unique_ptr<IdentityManager> identities_;
  std::unique_ptr<LeaseManager> leases_;
  Health health_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  std::thread loop_thread_;
  std::mutex tick_mu_;  // serialises tick()
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  SystemTime next_host_check_{};
  std::uint64_t watchdog_usec_ = 0;
};

// The program (src/daemon/main.cpp, library gmsa_daemon_main): parses flags,
// blocks SIGTERM/SIGINT, starts the daemon with DirectorySource, notifies
// systemd (READY=1 once listening), waits for a signal, stops.
int run_main(const std::vector<std::string>& args);

}  // namespace gmsa::daemon
