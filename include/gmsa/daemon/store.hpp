// Lease metadata, persisted one JSON file per lease under <state>/leases/
// (format: docs/formats/lease-store.md). No secrets are ever stored.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"

namespace gmsa::daemon {

enum class LeaseKind { kDomainJoined, kDomainless, kKeytab };
std::string to_string(LeaseKind kind);
std::optional<LeaseKind> lease_kind_from(std::string_view s);

struct FileOwner {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  mode_t mode = 0600;
  bool operator==(const FileOwner&) const = default;
};

struct LeaseAccountRecord {
  std::string account;  // as in the credential spec: "WebApp01"
  std::string domain;   // DNS domain: "contoso.test"
  bool operator==(const LeaseAccountRecord&) const = default;
};

// The process a lease lives as long as (docs/daemon.md, bound leases).
struct BoundProcess {
  std::int32_t pid = 0;
  std::uint64_t start_time = 0;  // field 22 of /proc/<pid>/stat: clock ticks after boot
  bool operator==(const BoundProcess&) const = default;
};

struct LeaseRecord {
  std::string id;
  LeaseKind kind = LeaseKind::kDomainJoined;
  std::int64_t created_unix = 0;
  FileOwner owner;
  std::vector<LeaseAccountRecord> accounts;
  // Domainless: the standard user who reads the passwords ("alice", domain).
  std::string user;
  std::string user_domain;
  std::optional<BoundProcess> process;  // deleted when it exits (version 2)
  bool operator==(const LeaseRecord&) const = default;
};

// Written: 2. Read: 1 (no "process") and 2.
constexpr int kLeaseStoreVersion = 2;

std::string encode_lease(const LeaseRecord& r);
Result<LeaseRecord> decode_lease(std::string_view json);

class LeaseStore {
 public:
  // dir = <state>/leases (created 0700 if missing by open()).
  static Result<LeaseStore> open(const std::string& dir, bool sync = true);
  Status save(const LeaseRecord& r) const;
  Status remove(const std::string& id) const;
  struct Loaded {
    std::vector<LeaseRecord> leases;
    std::vector<Error> errors;  // unreadable files are reported, left in place
  };
  Loaded load_all() const;
  const std::string& dir() const { return dir_; }

 private:
  LeaseStore(std::string dir, bool sync) : dir_(std::move(dir)), sync_(sync) {}
  std::string dir_;
  bool sync_;
};

}  // namespace gmsa::daemon
