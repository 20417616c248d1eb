// gmsa-brokerd in-process against the lab (real DirectorySource, real Unix
// socket) plus ECS-agent-like clients, for the benchmark suite.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>

#include "credentialsfetcher.grpc.pb.h"
#include "gmsa/daemon/server.hpp"
#include "prove_lab.hpp"

namespace gmsa::bench {

namespace cf = credentialsfetcher;

// Real time plus an offset the benchmark moves forward to make refreshes due.
class OffsetClock final : public Clock {
 public:
  SystemTime now() const override {
    return std::chrono::system_clock::now() + std::chrono::seconds(offset_s.load());
  }
  std::atomic<long long> offset_s{0};
};

std::string account_name(int i);  // 0..9 -> WEBAPP01..WEBAPP10

class Harness {
 public:
  // Where the daemon keeps its ticket caches (<state>/krbdir).
  enum class Krbdir {
    kTmpfs,  // a tmpfs of its own, as dist/ deploys it
    kDisk,   // the state directory's file system
  };
  Harness(const prove::ProveLab& lab, std::string dir, Krbdir krbdir = Krbdir::kTmpfs)
      : lab_(lab), dir_(std::move(dir)), krbdir_(krbdir) {}
  ~Harness() { stop(); }
  Status start();
  void stop_daemon() { daemon_.reset(); }  // krbdir's tmpfs stays, as on a restart
  void stop();                             // the daemon, then krbdir's tmpfs (if any)
  daemon::Daemon& daemon() { return *daemon_; }
  OffsetClock& clock() { return clock_; }
  const std::string& socket() const { return socket_; }
  const std::string& state_dir() const { return state_; }

  // A new client (own channel = own connection), as each ECS agent is;
  // `connected`: its connection is made before it is returned (else on the
  // first call). nullptr if it could not connect within 30 s.
  std::unique_ptr<cf::CredentialsFetcherService::Stub> client(bool connected = false) const;

 private:
  const prove::ProveLab& lab_;
  std::string dir_, state_, socket_;
  Krbdir krbdir_;
  std::string mounted_;  // its krbdir tmpfs (the registry's key) while mounted
  OffsetClock clock_;
  daemon::OpenSslRandom random_;
  std::unique_ptr<daemon::Daemon> daemon_;
};

// Detaches every krbdir tmpfs still mounted (for an exit without destructors).
void unmount_krbdirs();

// One AddKerberosLease; lease id or "" (then *error says why).
std::string add_lease(cf::CredentialsFetcherService::Stub& stub, const std::string& account,
                      std::string* error = nullptr);
bool delete_lease(cf::CredentialsFetcherService::Stub& stub, const std::string& id);

}  // namespace gmsa::bench
