#include "gmsa/daemon/leases.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <future>
#include <set>
#include <tuple>
#include <utility>

#include "gmsa/daemon/fs.hpp"
#include "gmsa/daemon/lease_layout.hpp"
#include "gmsa/daemon/log.hpp"

namespace gmsa::daemon {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The account name becomes a directory name: the credential-spec parser
// already enforces AD's rules; this re-checks what matters for a path.
Status check_path_component(const std::string& field, const std::string& name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string("/\0", 2)) != std::string::npos) {
    return make_error(field, "'" + name + "' is not usable as a directory name");
  }
  return ok_status();
}

// Where a refresh keeps the one file per (identity, owner) that it links into
// every lease's directory: inside krbdir/ so that it is on the same file
// system even when krbdir/ is a mount of its own (a tmpfs, docs/daemon.md);
// closed to all but the daemon, emptied at start-up (a crash mid-refresh
// leaves files behind). Never a lease id (those are 20 hex characters).
std::string images_dir(const std::string& krbdir) { return krbdir + "/.images"; }

krb::FileOwnership ownership(const FileOwner& o, bool sync) {
  return fs::state_dir_attrs(o.uid, o.gid, o.mode, sync);
}

}  // namespace

Result<const krb::Context*> thread_context(const std::string& krb5_conf) {
  thread_local std::map<std::string, krb::Context> contexts;
  auto it = contexts.find(krb5_conf);
  if (it == contexts.end()) {
    auto c = krb::Context::open(krb5_conf);
    if (!c) return c.error();
    it = contexts.emplace(krb5_conf, std::move(c).value()).first;
  }
  return &it->second;
}

Result<std::unique_ptr<LeaseManager>> LeaseManager::open(
    const std::string& state_dir, IdentityManager& identities, Random& random,
    const std::string& krb5_conf, bool sync_store, std::unique_ptr<ProcessEvents> events) {
  if (auto st = fs::ensure_dir(state_dir, 0755); !st) return st.error();
  auto store = LeaseStore::open(state_dir + "/leases", sync_store);
  if (!store) return store.error();
  std::unique_ptr<LeaseManager> lm(
      new LeaseManager(state_dir, std::move(store).value(), identities, random, krb5_conf));
  if (auto st = fs::ensure_dir(lm->krbdir(), 0755); !st) return st.error();
  if (auto gone = fs::remove_tree(images_dir(lm->krbdir())); !gone) return gone.error();
  if (auto st = fs::ensure_dir(images_dir(lm->krbdir()), 0700); !st) return st.error();
  LeaseManager* self = lm.get();
  lm->watcher_ = std::make_unique<ProcessWatcher>(
      events ? std::move(events) : make_pidfd_events(),
      [self](const std::string& id, const BoundProcess& p) { self->process_exited(id, p); });
  lm->watcher_->start();
  return lm;
}

LeaseManager::~LeaseManager() {
  if (watcher_) watcher_->stop();
}

void LeaseManager::process_exited(const std::string& id, const BoundProcess& p) {
  log::info("lease_process_exited", {{"lease_id", id}, {"pid", std::to_string(p.pid)}});
  if (auto r = remove(id); !r) {
    log::warn("lease_delete_failed", {{"lease_id", id}, {"error", r.error().what()}});
  }
}

std::string LeaseManager::account_dir(const std::string& id, const GmsaRef& ref) const {
  return lease_dir(id) + "/" + ref.account;
}

Status LeaseManager::write_account_files(const LeaseRecord& r, const GmsaRef& ref,
                                         const std::string& key, const krb::Credentials& tgt,
                                         const SecretBytes& image) {
  std::string dir = account_dir(r.id, ref);
  if (auto st = ensure_lease_dir(dir, r.owner, ::geteuid()); !st) return st;
  // The identity's ccache image, marshalled once, written as-is. No fsync:
  // a ticket cache can always be re-obtained (restore() rewrites every one at
  // start-up) and the page cache survives the daemon's death; the rename
  // keeps readers from ever seeing a partial cache (docs/daemon.md).
  if (auto st = krb::write_ccache_image(dir + "/krb5cc", image, ownership(r.owner, false)); !st) {
    return st;
  }
  if (r.kind == LeaseKind::kKeytab) {
    auto ctx = thread_context(krb5_conf_);
    if (!ctx) return ctx.error();
    auto keys = identities_.keytab_keys(key);
    if (!keys) return keys.error();
    auto st = krb::write_keytab_file(**ctx, dir + "/krb5.keytab", tgt.client, *keys,
                                     ownership(r.owner, true));
    if (!st) return st;
  }
  return ok_status();
}

Status LeaseManager::write_account_files(const LeaseRecord& r, const GmsaRef& ref,
                                         const std::string& key, const krb::Credentials& tgt) {
  auto image = krb::ccache_image(tgt);
  if (!image) return image.error();
  return write_account_files(r, ref, key, tgt, *image);
}

Result<LeaseView> LeaseManager::create(const LeaseRequest& req) {
  if (req.accounts.empty()) return make_error("accounts", "at least one gMSA is required");
  if (req.owner.mode > 0777) return make_error("owner.mode", "only permission bits are allowed");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < req.accounts.size(); ++i) {
    std::string field = "accounts[" + std::to_string(i) + "]";
    if (auto st = check_path_component(field, req.accounts[i].account); !st) return st.error();
    if (!seen.insert(lower(req.accounts[i].account)).second) {
      return make_error(field, "gMSA '" + req.accounts[i].account + "' appears twice in the lease");
    }
  }
  // Pinned before anything is fetched; dropped unless the lease is made.
  struct Pin {
    ProcessWatcher& watcher;
    std::optional<std::uint64_t> handle;
    ~Pin() {
      if (handle) watcher.drop(*handle);
    }
  } pin{*watcher_, std::nullopt};
  if (req.process) {
    auto h = watcher_->pin(*req.process);
    if (!h) return h.error();
    pin.handle = *h;
  }
  LeaseRecord rec;
  rec.kind = req.kind;
  rec.process = req.process;
  rec.owner = req.owner;
  rec.created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  for (const auto& a : req.accounts) rec.accounts.push_back({a.account, a.domain});
  if (req.who.kind == Authority::Kind::kUser) {
    rec.user = req.who.username;
    rec.user_domain = req.who.domain;
  }
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    struct stat st {};
    do {
      rec.id = new_lease_id(random_);
      dir = lease_dir(rec.id);
    } while (leases_.count(rec.id) != 0 || ::lstat(dir.c_str(), &st) == 0);
  }
  // Hold the identities first: the renewal loop prunes unreferenced ones.
  std::vector<std::string> held;
  for (const auto& a : req.accounts) held.push_back(identities_.hold(a, req.who));
  auto release_held = [&] {
    for (const auto& k : held) identities_.release(k);
  };
  // Different gMSAs of one lease are fetched in parallel.
  std::vector<std::future<Result<krb::Credentials>>> futures;
  for (const auto& a : req.accounts) {
    futures.push_back(
        std::async(req.accounts.size() > 1 ? std::launch::async : std::launch::deferred,
                   [this, a, &req] { return identities_.acquire(a, req.who); }));
  }
  std::vector<krb::Credentials> tgts;
  std::optional<Error> failure;
  for (std::size_t i = 0; i < futures.size(); ++i) {
    auto r = futures[i].get();
    if (!r) {
      if (!failure) {
        failure = make_error("accounts[" + std::to_string(i) + "]",
                             req.accounts[i].account + ": " + r.error().what());
      }
      continue;
    }
    tgts.push_back(std::move(r).value());
  }
  if (failure) {
    release_held();
    return *failure;
  }
  Lease lease{rec, {}};
  for (const auto& a : req.accounts) lease.keys.push_back(identity_key(a, req.who));
  auto cleanup = [&](Error e) -> Result<LeaseView> {
    release_held();
    (void)fs::remove_tree(dir);
    (void)store_.remove(rec.id);
    return e;
  };
  if (auto st = ensure_lease_dir(dir, rec.owner, ::geteuid()); !st) {
    return cleanup(st.error());
  }
  for (std::size_t i = 0; i < req.accounts.size(); ++i) {
    if (auto st = write_account_files(rec, req.accounts[i], lease.keys[i], tgts[i]); !st) {
      return cleanup(st.error());
    }
  }
  if (auto st = store_.save(rec); !st) return cleanup(st.error());
  LeaseView v;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.emplace(rec.id, std::move(lease)).first;
    v = view(it->second);
    if (pin.handle) watcher_->bind(*std::exchange(pin.handle, std::nullopt), rec.id, *rec.process);
  }
  std::string accounts;
  for (const auto& a : rec.accounts) accounts += (accounts.empty() ? "" : ",") + a.account;
  log::info("lease_created",
            {{"lease_id", rec.id}, {"kind", to_string(rec.kind)}, {"accounts", accounts}});
  return v;
}

Result<std::vector<std::string>> LeaseManager::remove(const std::string& id) {
  if (auto st = validate_lease_id(id); !st) return st.error();
  // Held throughout: a refresh never rewrites the files of a lease being
  // removed, and a lease leaves leases_ (ListLeases, GetLease) only once its
  // record and files are gone, so a client that sees it gone (a lease ended
  // by its process, deleted on the watcher's thread) finds nothing on disk.
  std::lock_guard<std::mutex> files_lock(files_mu_);
  LeaseRecord record;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(id);
    if (it == leases_.end()) return make_error("lease_id", "no lease " + id);
    record = it->second.record;
  }
  std::vector<std::string> paths;
  for (const auto& a : record.accounts) paths.push_back(account_dir(id, {a.account, a.domain}));
  if (auto st = store_.remove(id); !st) return st.error();  // the lease stays as it was
  auto removed = fs::remove_tree(lease_dir(id));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = leases_.find(id);  // still there: every removal holds files_mu_
    if (it != leases_.end()) {
      for (const auto& k : it->second.keys) identities_.release(k);
      watcher_->unbind(id);
      leases_.erase(it);
    }
  }
  if (!removed) return removed.error();
  log::info("lease_deleted", {{"lease_id", id}, {"files", std::to_string(removed->size())}});
  return paths;
}

Result<std::vector<std::string>> LeaseManager::renew_user(const Authority& who) {
  std::vector<std::pair<LeaseRecord, std::vector<std::string>>> matches;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, l] : leases_) {
      if (l.record.kind == LeaseKind::kDomainless && lower(l.record.user) == lower(who.username) &&
          lower(l.record.user_domain) == lower(who.domain)) {
        matches.emplace_back(l.record, l.keys);
      }
    }
  }
  std::map<std::string, Result<krb::Credentials>> done;
  std::vector<std::string> renewed;
  for (const auto& [rec, keys] : matches) {
    for (std::size_t i = 0; i < rec.accounts.size(); ++i) {
      GmsaRef ref{rec.accounts[i].account, rec.accounts[i].domain};
      const std::string& key = keys[i];
      auto it = done.find(key);
      if (it == done.end()) {
        bool fresh = !identities_.known(key);
        if (fresh) {
          // One reference per lease account that uses it, taken before the fetch.
          for (const auto& [rec2, keys2] : matches) {
            for (const auto& k2 : keys2) {
              if (k2 == key) identities_.hold(ref, who);
            }
          }
        }
        auto r = fresh ? identities_.acquire(ref, who) : identities_.refresh_now(key, &who);
        it = done.emplace(key, std::move(r)).first;
      }
      if (!it->second) {
        return make_error("lease " + rec.id, ref.account + ": " + it->second.error().what());
      }
      if (auto st = write_account_files(rec, ref, key, *it->second); !st) return st.error();
      renewed.push_back(account_dir(rec.id, ref));
    }
  }
  log::info("domainless_renewed",
            {{"user", who.username + "@" + who.domain}, {"paths", std::to_string(renewed.size())}});
  return renewed;
}

LeaseView LeaseManager::view(const Lease& l) const {
  LeaseView v;
  v.record = l.record;
  auto snaps = identities_.snapshot();
  for (std::size_t i = 0; i < l.record.accounts.size(); ++i) {
    LeaseAccountView a;
    a.ref = {l.record.accounts[i].account, l.record.accounts[i].domain};
    a.dir = account_dir(l.record.id, a.ref);
    a.ccache = a.dir + "/krb5cc";
    if (l.record.kind == LeaseKind::kKeytab) a.keytab = a.dir + "/krb5.keytab";
    a.identity.key = l.keys[i];
    a.identity.ref = a.ref;
    for (const auto& s : snaps) {
      if (s.key == l.keys[i]) a.identity = s;
    }
    v.accounts.push_back(std::move(a));
  }
  return v;
}

Result<LeaseView> LeaseManager::get(const std::string& id) const {
  if (auto st = validate_lease_id(id); !st) return st.error();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = leases_.find(id);
  if (it == leases_.end()) return make_error("lease_id", "no lease " + id);
  return view(it->second);
}

std::vector<LeaseView> LeaseManager::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LeaseView> out;
  for (const auto& [id, l] : leases_) out.push_back(view(l));
  return out;
}

std::size_t LeaseManager::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leases_.size();
}

std::vector<Error> LeaseManager::restore(const std::optional<Authority>& domainless_secret) {
  auto loaded = store_.load_all();
  std::vector<Error> problems = loaded.errors;
  for (auto& rec : loaded.leases) {
    std::optional<std::uint64_t> pin;
    if (rec.process) {
      auto h = watcher_->pin(*rec.process);
      if (!h) {
        // Its process ended while the daemon was down: the lease ends too.
        log::info("lease_process_gone", {{"lease_id", rec.id},
                                         {"pid", std::to_string(rec.process->pid)},
                                         {"reason", h.error().what()}});
        auto st = store_.remove(rec.id);
        auto removed = fs::remove_tree(lease_dir(rec.id));
        if (!st) problems.push_back(st.error());
        if (!removed) problems.push_back(removed.error());
        continue;
      }
      pin = *h;
    }
    Authority who;
    bool can_fetch = true;
    if (rec.kind == LeaseKind::kDomainless) {
      who.kind = Authority::Kind::kUser;
      who.username = rec.user;
      who.domain = rec.user_domain;
      if (domainless_secret && lower(domainless_secret->username) == lower(rec.user) &&
          lower(domainless_secret->domain) == lower(rec.user_domain)) {
        who.password = domainless_secret->password;
      } else {
        can_fetch = false;
        problems.push_back(make_error("lease " + rec.id,
                                      "domainless: waiting for RenewNonDomainJoinedKerberosLease"));
      }
    }
    Lease lease{rec, {}};
    // Also repairs the layout of leases an earlier version gave to the user.
    if (auto st = ensure_lease_dir(lease_dir(rec.id), rec.owner, ::geteuid()); !st)
      problems.push_back(make_error("lease " + rec.id, st.error().what()));
    for (const auto& a : rec.accounts) {
      GmsaRef ref{a.account, a.domain};
      std::string key = identity_key(ref, who);
      lease.keys.push_back(key);
      if (!can_fetch) continue;
      identities_.hold(ref, who);  // kept on failure: the scheduler retries
      auto tgt = identities_.acquire(ref, who);
      if (!tgt) {
        problems.push_back(make_error("lease " + rec.id, a.account + ": " + tgt.error().what()));
        continue;
      }
      if (auto st = write_account_files(rec, ref, key, *tgt); !st) {
        problems.push_back(make_error("lease " + rec.id, st.error().what()));
      }
    }
    log::info("lease_restored", {{"lease_id", rec.id}, {"kind", to_string(rec.kind)}});
    std::lock_guard<std::mutex> lock(mu_);
    leases_.emplace(rec.id, std::move(lease));
    if (pin) watcher_->bind(*pin, rec.id, *rec.process);
  }
  return problems;
}

void LeaseManager::refresh_due() {
  auto changed = identities_.refresh_due();
  if (changed.empty()) return;
  // One ccache image per refreshed identity.
  struct Image {
    krb::Credentials tgt;
    SecretBytes bytes;
  };
  std::map<std::string, Image> images;
  for (const auto& key : changed) {
    auto tgt = identities_.credentials(key);
    if (!tgt) continue;
    auto bytes = krb::ccache_image(*tgt);
    if (!bytes) {
      log::warn("cache_rewrite_failed", {{"identity", key}, {"error", bytes.error().what()}});
      continue;
    }
    images.emplace(key, Image{std::move(*tgt), std::move(bytes).value()});
  }
  std::vector<std::pair<LeaseRecord, std::vector<std::string>>> todo;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, l] : leases_) todo.emplace_back(l.record, l.keys);
  }
  // The image is written once per (identity, owner) as a file of its own with
  // the leases' final owner and mode, then hard-linked into each lease's
  // directory (link + rename: no data written per lease, docs/daemon.md).
  // Any failure to link falls back to writing that lease's file.
  // (identity, owner) -> the image file written for it; "" if that failed.
  std::map<std::tuple<std::string, std::optional<uid_t>, std::optional<gid_t>, mode_t>, std::string>
      published;
  std::size_t written = 0, linked = 0;
  for (const auto& [rec, lkeys] : todo) {
    for (std::size_t i = 0; i < rec.accounts.size(); ++i) {
      auto img = images.find(lkeys[i]);
      if (img == images.end()) continue;
      GmsaRef ref{rec.accounts[i].account, rec.accounts[i].domain};
      std::lock_guard<std::mutex> files_lock(files_mu_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (leases_.count(rec.id) == 0) continue;  // deleted meanwhile
      }
      if (rec.kind != LeaseKind::kKeytab) {
        auto [pub, fresh] =
            published.try_emplace({lkeys[i], rec.owner.uid, rec.owner.gid, rec.owner.mode});
        if (fresh) {
          std::string path = temp_path_for(images_dir(krbdir()) + "/krb5cc");
          auto st = krb::write_ccache_image(path, img->second.bytes, ownership(rec.owner, false));
          if (st) pub->second = path;
        }
        if (!pub->second.empty() &&
            link_file_atomic(pub->second, account_dir(rec.id, ref) + "/krb5cc",
                             ownership(rec.owner, false), "ccache")) {
          ++linked;
          continue;
        }
      }
      if (auto st = write_account_files(rec, ref, lkeys[i], img->second.tgt, img->second.bytes);
          !st) {
        log::warn("cache_rewrite_failed",
                  {{"lease_id", rec.id}, {"account", ref.account}, {"error", st.error().what()}});
      } else {
        ++written;
      }
    }
  }
  for (const auto& [owner, path] : published) {
    if (!path.empty()) ::unlink(path.c_str());
  }
  log::info("caches_rewritten", {{"identities", std::to_string(images.size())},
                                 {"files", std::to_string(written + linked)},
                                 {"linked", std::to_string(linked)}});
}

}  // namespace gmsa::daemon
