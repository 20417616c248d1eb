// Leases: a lease id, one directory per gMSA under <state>/krbdir/<id>/, the
// ticket cache (and for keytab leases the keytab) of each gMSA, persisted
// metadata, and the identities it holds. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "gmsa/daemon/identity.hpp"
#include "gmsa/daemon/process_watch.hpp"
#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon {

struct LeaseRequest {
  LeaseKind kind = LeaseKind::kDomainJoined;
  std::vector<GmsaRef> accounts;
  FileOwner owner;
  Authority who;  // host, or the domainless user
  // The lease is deleted when this process exits (checked before anything is
  // fetched: errors name bound_process.pid / bound_process.start_time).
  std::optional<BoundProcess> process;
};

struct LeaseAccountView {
  GmsaRef ref;
  std::string dir;     // <state>/krbdir/<id>/<account>
  std::string ccache;  // dir + "/krb5cc"
  std::string keytab;  // dir + "/krb5.keytab" (keytab leases)
  IdentitySnapshot identity;
};

struct LeaseView {
  LeaseRecord record;
  std::vector<LeaseAccountView> accounts;
};

class LeaseManager {
 public:
  // state_dir must exist; krbdir/ and leases/ are created inside it. Bound
  // processes are watched on a thread through `events` (default: pidfds).
  static Result<std::unique_ptr<LeaseManager>> open(
      const std::string& state_dir, IdentityManager& identities, Random& random,
      const std::string& krb5_conf, bool sync_store = true,
      std::unique_ptr<ProcessEvents> events = nullptr);
  ~LeaseManager();

  // Obtains every account's TGT, writes the files, persists the record.
  // On any failure nothing is left on disk and the error names the account.
  Result<LeaseView> create(const LeaseRequest& req);

  // Removes exactly this lease's directory and record; returns deleted files.
  Result<std::vector<std::string>> remove(const std::string& id);

  // Domainless: new password for every lease of user@domain; refreshes their
  // identities and rewrites their caches. Returns the renewed account paths.
  Result<std::vector<std::string>> renew_user(const Authority& who);

  Result<LeaseView> get(const std::string& id) const;
  std::vector<LeaseView> list() const;
  std::size_t size() const;

  // Start-up: loads records, re-creates missing directories and re-obtains
  // tickets (domainless leases wait for a renewal or the configured secret).
  // A lease whose bound process is gone (or whose pid now names another
  // process) is deleted instead.
  // Returns problems found (a lease that cannot be refreshed stays listed).
  std::vector<Error> restore(const std::optional<Authority>& domainless_secret);

  // Scheduler step: refreshes due identities and rewrites their leases' caches.
  void refresh_due();

  // <state>/krbdir: every lease's directory, and the refresh images.
  std::string krbdir() const { return state_ + "/krbdir"; }
  std::string lease_dir(const std::string& id) const { return krbdir() + "/" + id; }
  std::string account_dir(const std::string& id, const GmsaRef& ref) const;

 private:
  LeaseManager(std::string state, LeaseStore store, IdentityManager& ids, Random& random,
               std::string krb5_conf)
      : state_(std::move(state)),
        store_(std::move(store)),
        identities_(ids),
        random_(random),
        krb5_conf_(std::move(krb5_conf)) {}
  struct Lease {
    LeaseRecord record;
    std::vector<std::string> keys;  // identity key per account
  };
  // Account directory, krb5cc (the identity's ccache image) and, for keytab
  // leases, krb5.keytab.
  Status write_account_files(const LeaseRecord& r, const GmsaRef& ref, const std::string& key,
                             const krb::Credentials& tgt, const SecretBytes& image);
  Status write_account_files(const LeaseRecord& r, const GmsaRef& ref, const std::string& key,
                             const krb::Credentials& tgt);
  LeaseView view(const Lease& l) const;
  void process_exited(const std::string& id, const BoundProcess& p);

  std::string state_;
  LeaseStore store_;
  IdentityManager& identities_;
  Random& random_;
  std::string krb5_conf_;
  mutable std::mutex mu_;
  std::map<std::string, Lease> leases_;
  // Serialises rewrites of existing leases' files with their removal, so a
  // refresh never re-creates a directory that a delete is removing; a
  // removal holds it until the lease has left leases_.
  // Lock order: files_mu_, then mu_.
  std::mutex files_mu_;
  // Lock order: mu_, then the watcher's own lock.
  std::unique_ptr<ProcessWatcher> watcher_;
};

// A krb::Context for krb5_conf owned by the calling thread (contexts are not
// thread-safe; loading one per call costs a file parse).
Result<const krb::Context*> thread_context(const std::string& krb5_conf);

}  // namespace gmsa::daemon
