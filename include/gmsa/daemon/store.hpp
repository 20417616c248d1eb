// Lease metadata, persisted as an append-only journal, <state>/leases/journal
// (format: docs/formats/lease-store.md). No secrets are ever stored.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
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

// One line of the journal: a lease added (the whole record) or deleted.
struct JournalEntry {
  enum class Op { kAdd, kDelete };
  Op op = Op::kAdd;
  std::string id;
  LeaseRecord record;  // kAdd only
};
std::string encode_journal_add(const LeaseRecord& r);      // one line, '\n'-terminated
std::string encode_journal_delete(const std::string& id);  // one line, '\n'-terminated
Result<JournalEntry> decode_journal_line(std::string_view line);

// The journal: each save or remove appends one line with a single write(), so
// a lease costs no new inode on the state directory's disk. The file is
// rewritten (atomically) with only the live leases at load and once dead
// lines outnumber live ones (and exceed 1024). Safe to call from any thread.
class LeaseStore {
 public:
  // dir = <state>/leases (created 0700 if missing by open()).
  static Result<LeaseStore> open(const std::string& dir, bool sync = true);
  LeaseStore(LeaseStore&&) noexcept;
  LeaseStore& operator=(LeaseStore&&) noexcept;
  ~LeaseStore();

  // Appends the record (fdatasync when sync). On failure the journal is cut
  // back to its previous length: nothing of the record remains.
  Status save(const LeaseRecord& r);
  // Appends a deletion if the id is live; an unknown id changes nothing.
  Status remove(const std::string& id);

  struct Loaded {
    std::vector<LeaseRecord> leases;  // sorted by id
    std::vector<Error> errors;        // bad lines and files are reported, kept
  };
  // (Re)reads the journal and any version 1/2 per-lease files
  // (<id>.json, imported into the journal, then removed); compacts.
  Loaded load_all();

 private:
  struct State;
  explicit LeaseStore(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace gmsa::daemon
