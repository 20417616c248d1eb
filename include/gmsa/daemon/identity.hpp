// Identities: one per (gMSA, authority). Leases for the same gMSA share one
// password read and one TGT per refresh; concurrent requests for the same
// identity coalesce into one fetch (a shared future); different identities
// fetch in parallel. The scheduler step refresh_due() renews TGTs before they
// expire (margin, jitter, capped exponential backoff) on an injected clock.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/clock.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/source.hpp"

namespace gmsa::daemon {

struct RenewalPolicy {
  std::chrono::seconds margin{15 * 60};        // refresh this long before the TGT ends
  std::chrono::seconds jitter{60};             // minus up to this much, random
  std::chrono::seconds backoff_initial{10};    // after the first failure
  std::chrono::seconds backoff_max{10 * 60};   // cap
  std::chrono::seconds rotation_lead{5 * 60};  // DCs hand out the next password this early
  std::chrono::seconds min_remaining{60};      // a cached TGT is reused if it lives this long
  std::chrono::seconds default_query_interval{60 * 60};  // when a blob says 0
};

enum class IdentityState { kPending, kOk, kDegraded, kExpired };
std::string to_string(IdentityState s);

struct IdentitySnapshot {
  std::string key;
  GmsaRef ref;
  IdentityState state = IdentityState::kPending;
  std::optional<SystemTime> ticket_end;
  SystemTime next_refresh;
  int failures = 0;
  std::string last_error;  // Error::what(), no secrets
  std::string last_error_field;
  bool used_previous_password = false;
};

// Key of an identity: "webapp01@contoso.test#host" or "...#user:alice@contoso.test".
std::string identity_key(const GmsaRef& ref, const Authority& who);

class IdentityManager {
 public:
  IdentityManager(CredentialSource& source, const Clock& clock, Random& random,
                  RenewalPolicy policy = {});
  ~IdentityManager();

  // A TGT for ref as `who`: the shared cached one when it lives at least
  // min_remaining, otherwise one fetch shared by all concurrent callers.
  // For a user authority, the cached TGT is only reused when the password
  // given equals the one that obtained it; a different password triggers a
  // fetch (and, if it works, replaces the stored one).
  Result<krb::Credentials> acquire(const GmsaRef& ref, const Authority& who);

  // Keytab keys for an identity that has been acquired (current + previous).
  Result<std::vector<krb::KeytabKey>> keytab_keys(const std::string& key);

  // Scheduler step: refreshes every identity whose next_refresh <= now.
  // Returns the keys whose TGT changed (the caller rewrites their files).
  std::vector<std::string> refresh_due();

  // Forces a refresh of one identity now (e.g. domainless renewal with a new
  // password). Returns the outcome.
  Result<krb::Credentials> refresh_now(const std::string& key, const Authority* new_who = nullptr);

  bool known(const std::string& key) const;

  // Current TGT of an identity, if any (expired ones included).
  std::optional<krb::Credentials> credentials(const std::string& key) const;

  // Usage counting: identities nobody references are dropped (by release, and
  // by refresh_due's pruning). hold() creates the identity if needed and
  // counts a reference, so a lease holds it before its first fetch.
  std::string hold(const GmsaRef& ref, const Authority& who);
  void retain(const std::string& key);
  void release(const std::string& key);

  std::vector<IdentitySnapshot> snapshot() const;
  std::optional<SystemTime> next_due() const;

 private:
  struct Identity;
  using Shared = std::shared_future<Result<krb::Credentials>>;
  std::shared_ptr<Identity> find_or_create(const GmsaRef& ref, const Authority& who);
  Result<krb::Credentials> run_refresh(const std::shared_ptr<Identity>& id);
  Result<krb::Credentials> fetch(Identity& id, const Authority& who, bool reread);
  std::chrono::seconds backoff(int failures) const;

  CredentialSource& source_;
  const Clock& clock_;
  Random& random_;
  RenewalPolicy policy_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Identity>> ids_;
};

}  // namespace gmsa::daemon
