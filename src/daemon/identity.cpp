#include "gmsa/daemon/identity.hpp"

#include <algorithm>
#include <cctype>

#include "gmsa/daemon/log.hpp"

namespace gmsa::daemon {

using namespace std::chrono_literals;

std::string to_string(IdentityState s) {
  switch (s) {
    case IdentityState::kPending:
      return "pending";
    case IdentityState::kOk:
      return "ok";
    case IdentityState::kDegraded:
      return "degraded";
    case IdentityState::kExpired:
      return "expired";
  }
  return "pending";
}

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::string identity_key(const GmsaRef& ref, const Authority& who) {
  std::string k = lower(ref.account) + "@" + lower(ref.domain) + "#";
  if (who.kind == Authority::Kind::kHost) return k + "host";
  return k + "user:" + lower(who.username) + "@" + lower(who.domain);
}

struct IdentityManager::Identity {
  std::string key;
  GmsaRef ref;
  Authority who;
  std::optional<blob::ManagedPassword> password;
  SystemTime password_due{};
  std::optional<krb::Credentials> creds;
  IdentityState state = IdentityState::kPending;
  SystemTime next_refresh{};
  int failures = 0;
  std::string last_error;
  std::string last_error_field;
  bool used_previous = false;
  std::optional<Shared> inflight;
  int refs = 0;
};

IdentityManager::IdentityManager(CredentialSource& source, const Clock& clock, Random& random,
                                 RenewalPolicy policy)
    : source_(source), clock_(clock), random_(random), policy_(policy) {}

IdentityManager::~IdentityManager() = default;

std::shared_ptr<IdentityManager::Identity> IdentityManager::find_or_create(const GmsaRef& ref,
                                                                           const Authority& who) {
  std::string key = identity_key(ref, who);
  auto it = ids_.find(key);
  if (it != ids_.end()) return it->second;
  auto id = std::make_shared<Identity>();
  id->key = key;
  id->ref = ref;
  id->who = who;
  ids_.emplace(key, id);
  return id;
}

std::chrono::seconds IdentityManager::backoff(int failures) const {
  auto b = policy_.backoff_initial;
  for (int i = 1; i < failures && b < policy_.backoff_max; ++i) b *= 2;
  return std::min(b, policy_.backoff_max);
}

Result<krb::Credentials> IdentityManager::acquire(const GmsaRef& ref, const Authority& who) {
  std::shared_ptr<Identity> id;
  bool new_password = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = find_or_create(ref, who);
    if (who.kind == Authority::Kind::kUser && !id->who.password.equals(who.password.span())) {
      new_password = true;
    } else if (id->creds && clock_.now() + policy_.min_remaining < id->creds->end_time) {
      return *id->creds;  // warm: shared TGT
    }
  }
  if (new_password) return refresh_now(id->key, &who);
  return run_refresh(id);
}

Result<krb::Credentials> IdentityManager::run_refresh(const std::shared_ptr<Identity>& id) {
  std::promise<Result<krb::Credentials>> promise;
  Shared fut;
  Authority who;
  bool reread = false;
  bool owner = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (id->inflight) {
      fut = *id->inflight;
    } else {
      fut = promise.get_future().share();
      id->inflight = fut;
      who = id->who;
      reread = !id->password || clock_.now() >= id->password_due;
      owner = true;  // this caller runs the fetch
    }
  }
  if (!owner) return fut.get();  // coalesced with the fetch in flight
  Result<krb::Credentials> r = fetch(*id, who, reread);
  {
    std::lock_guard<std::mutex> lock(mu_);
    id->inflight.reset();
  }
  promise.set_value(r);
  return r;
}

Result<krb::Credentials> IdentityManager::refresh_now(const std::string& key,
                                                      const Authority* new_who) {
  std::shared_ptr<Identity> id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ids_.find(key);
    if (it == ids_.end()) return make_error("identity", "unknown identity " + key);
    id = it->second;
  }
  if (new_who == nullptr) return run_refresh(id);
  // A different password must prove itself: read and log in with it, never
  // join a fetch made with the old one.
  auto r = fetch(*id, *new_who, /*reread=*/true);
  if (r) {
    std::lock_guard<std::mutex> lock(mu_);
    id->who = *new_who;
  }
  return r;
}

Result<krb::Credentials> IdentityManager::fetch(Identity& id, const Authority& who, bool reread) {
  SystemTime now = clock_.now();
  std::optional<blob::ManagedPassword> pw;
  Error err;
  if (reread) {
    auto r = source_.read_password(id.ref, who);
    if (r) {
      pw = std::move(r).value();
    } else {
      err = r.error();
    }
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    pw = id.password;
  }
  std::optional<krb::Credentials> tgt;
  bool used_previous = false;
  if (pw) {
    // Inside the rotation window the DC already hands out the next password
    // as current while the KDC still has the old keys: try previous first.
    const auto lead_100ns =
        static_cast<std::uint64_t>(policy_.rotation_lead.count()) * 10'000'000ULL;
    bool in_window = pw->previous.has_value() && pw->query_interval_100ns <= lead_100ns;
    std::vector<std::pair<const SecretBytes*, bool>> order;
    if (in_window) order.emplace_back(&*pw->previous, true);
    order.emplace_back(&pw->current, false);
    if (!in_window && pw->previous) order.emplace_back(&*pw->previous, true);
    for (const auto& [candidate, is_previous] : order) {
      auto t = source_.get_tgt(id.ref, *candidate);
      if (t) {
        tgt = std::move(t).value();
        used_previous = is_previous;
        break;
      }
      err = t.error();
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (pw && reread) {
    id.password = pw;
    auto q =
        pw->query_interval_100ns == 0
            ? std::chrono::duration_cast<std::chrono::nanoseconds>(policy_.default_query_interval)
            : std::chrono::nanoseconds(pw->query_interval_100ns) * 100;
    id.password_due = now + std::chrono::duration_cast<SystemTime::duration>(q);
  }
  if (!tgt) {
    ++id.failures;
    id.state =
        (id.creds && now < id.creds->end_time) ? IdentityState::kDegraded : IdentityState::kExpired;
    id.next_refresh = now + backoff(id.failures);
    id.last_error = err.what();
    id.last_error_field = err.field;
    log::warn("refresh_failed", {{"identity", id.key},
                                 {"failures", std::to_string(id.failures)},
                                 {"error", id.last_error}});
    return err;
  }
  id.creds = *tgt;
  id.failures = 0;
  id.state = IdentityState::kOk;
  id.used_previous = used_previous;
  id.last_error.clear();
  id.last_error_field.clear();
  auto jitter = std::chrono::seconds(
      policy_.jitter.count() > 0
          ? static_cast<std::int64_t>(random_.next_u64() %
                                      static_cast<std::uint64_t>(policy_.jitter.count() + 1))
          : 0);
  SystemTime next = tgt->end_time - policy_.margin - jitter;
  if (next <= now) next = now + (tgt->end_time - now) / 2;  // short-lived tickets
  if (id.password && id.password_due < next) next = id.password_due;
  // A ticket that has (nearly) ended by our clock as it arrives means our
  // clock runs ahead of the KDC's: refreshing again in a second would only
  // fetch another such ticket, so wait as after a failure.
  const bool ended_on_arrival = tgt->end_time <= now + policy_.min_remaining;
  if (ended_on_arrival) {
    log::warn("clock_skew",
              {{"identity", id.key},
               {"detail", "ticket ends before the local clock's now + min_remaining"}});
  }
  id.next_refresh = std::max(next, now + (ended_on_arrival ? policy_.backoff_initial : 1s));
  log::info("tgt_obtained", {{"identity", id.key},
                             {"client", tgt->client},
                             {"previous_password", used_previous ? "true" : "false"}});
  return *tgt;
}

Result<std::vector<krb::KeytabKey>> IdentityManager::keytab_keys(const std::string& key) {
  GmsaRef ref;
  std::optional<blob::ManagedPassword> pw;
  std::optional<krb::Credentials> creds;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ids_.find(key);
    if (it == ids_.end()) return make_error("identity", "unknown identity " + key);
    ref = it->second->ref;
    pw = it->second->password;
    creds = it->second->creds;
  }
  if (!pw || !creds) return make_error("identity", "no password read yet for " + key);
  return source_.keytab_keys(ref, *pw, *creds);
}

std::vector<std::string> IdentityManager::refresh_due() {
  std::vector<std::shared_ptr<Identity>> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    SystemTime now = clock_.now();
    for (auto it = ids_.begin(); it != ids_.end();) {
      const auto& id = it->second;
      if (id->refs <= 0 && !id->inflight) {
        it = ids_.erase(it);
        continue;
      }
      if (id->refs > 0 && !id->inflight && id->next_refresh <= now) due.push_back(id);
      ++it;
    }
  }
  // Different identities refresh in parallel: one hanging DC or KDC answer
  // does not hold up the others' renewals.
  std::vector<std::future<bool>> results;
  for (const auto& id : due) {
    results.push_back(std::async(due.size() > 1 ? std::launch::async : std::launch::deferred,
                                 [this, id] { return run_refresh(id).ok(); }));
  }
  std::vector<std::string> changed;
  for (std::size_t i = 0; i < due.size(); ++i) {
    if (results[i].get()) changed.push_back(due[i]->key);
  }
  return changed;
}

bool IdentityManager::known(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  return ids_.count(key) != 0;
}

std::optional<krb::Credentials> IdentityManager::credentials(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ids_.find(key);
  if (it == ids_.end()) return std::nullopt;
  return it->second->creds;
}

std::string IdentityManager::hold(const GmsaRef& ref, const Authority& who) {
  std::lock_guard<std::mutex> lock(mu_);
  auto id = find_or_create(ref, who);
  ++id->refs;
  return id->key;
}

void IdentityManager::retain(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ids_.find(key);
  if (it != ids_.end()) ++it->second->refs;
}

void IdentityManager::release(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ids_.find(key);
  if (it != ids_.end() && --it->second->refs <= 0 && !it->second->inflight) ids_.erase(it);
}

std::vector<IdentitySnapshot> IdentityManager::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<IdentitySnapshot> out;
  SystemTime now = clock_.now();
  for (const auto& [key, id] : ids_) {
    if (id->refs <= 0) continue;
    IdentitySnapshot s;
    s.key = key;
    s.ref = id->ref;
    s.state = id->state;
    if (id->creds) {
      s.ticket_end = id->creds->end_time;
      if (now >= id->creds->end_time) s.state = IdentityState::kExpired;
    }
    s.next_refresh = id->next_refresh;
    s.failures = id->failures;
    s.last_error = id->last_error;
    s.last_error_field = id->last_error_field;
    s.used_previous_password = id->used_previous;
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<SystemTime> IdentityManager::next_due() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<SystemTime> best;
  for (const auto& [key, id] : ids_) {
    if (id->refs > 0 && (!best || id->next_refresh < *best)) best = id->next_refresh;
  }
  return best;
}

}  // namespace gmsa::daemon
