// Client side of gmsa-brokerd's Unix-socket gRPC API (proto/*.proto, docs/daemon.md):
// leases, status and health for `gmsa run|lease|status`. The Daemon interface
// lets CLI logic be unit-tested with a fake; connect() gives the real one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::client {

// Socket used when none is given: $GMSA_SOCKET, else the daemon's default
// /var/credentials-fetcher/socket/credentials_fetcher.sock.
std::string default_socket();

struct FileOwner {
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  std::optional<std::uint32_t> mode;  // permission bits
};

// Domainless mode: a standard user allowed to read the gMSA passwords.
struct DomainlessUser {
  std::string username;
  std::string domain;
  SecretBytes password;
};

// {"username","password","domainName"} (docs/daemon.md, domainless_secret).
// The password never leaves SecretBytes; errors name the file, never its contents.
Result<DomainlessUser> read_domainless_secret(const std::string& path);

// A process a lease is bound to: gmsa-brokerd deletes the lease when it exits.
struct BoundProcess {
  std::uint32_t pid = 0;
  std::uint64_t start_time = 0;  // field 22 of /proc/<pid>/stat
  bool operator==(const BoundProcess&) const = default;
};

// The calling process, as a lease binds it.
Result<BoundProcess> this_process();

struct LeaseRequest {
  std::vector<std::string> credspecs;  // file contents
  std::optional<FileOwner> owner;
  std::optional<DomainlessUser> user;
  std::optional<BoundProcess> process;
};

struct LeaseAccount {
  std::string account;
  std::string domain;
  std::string path;                      // directory to mount
  std::string ccache_path;               // path + "/krb5cc"
  std::int64_t ticket_expires_unix = 0;  // 0 = unknown
  std::string state;
  std::string last_error;
};

struct Lease {
  std::string id;
  std::string kind;
  std::int64_t created_unix = 0;
  FileOwner owner;
  std::vector<LeaseAccount> accounts;
  std::optional<BoundProcess> process;  // Broker API answers only
};

struct DaemonStatus {
  bool healthy = false;
  std::vector<std::string> problems;
  std::uint32_t lease_count = 0;
  std::uint32_t identity_count = 0;
  std::string realm;
  std::string last_dc;
};

class Daemon {
 public:
  virtual ~Daemon() = default;
  // Domain-joined: ECS AddKerberosLease; domainless without owner: ECS
  // AddNonDomainJoinedKerberosLease; with an owner or a bound process:
  // Broker.AddLease.
  virtual Result<Lease> add_lease(const LeaseRequest& request) = 0;
  // Returns the deleted paths.
  virtual Result<std::vector<std::string>> delete_lease(const std::string& lease_id) = 0;
  virtual Result<std::vector<Lease>> list_leases() = 0;
  virtual Result<Lease> get_lease(const std::string& lease_id) = 0;
  virtual Result<DaemonStatus> status() = 0;
  virtual Result<std::string> health() = 0;  // "OK" or "DEGRADED: ..."
};

// Error (field empty) "gmsa-brokerd is not running: no socket at PATH" when
// the path does not exist or is not a socket. Every call has `deadline`.
Result<std::unique_ptr<Daemon>> connect(
    const std::string& socket_path, std::chrono::milliseconds deadline = std::chrono::seconds(60));

}  // namespace gmsa::client
