#include "gmsa/daemon/ldap_pool.hpp"

#include "gmsa/daemon/log.hpp"

namespace gmsa::daemon {

std::unique_ptr<ldap::Connection> LdapPool::take(const std::string& dc, std::uint64_t generation) {
  std::vector<Idle> stale;  // closed outside the lock
  std::unique_ptr<ldap::Connection> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(dc);
    if (it == idle_.end()) return nullptr;
    auto& v = it->second;
    while (!v.empty() && !out) {
      Idle i = std::move(v.back());
      v.pop_back();
      if (i.generation == generation) {
        out = std::move(i.conn);
      } else {
        stale.push_back(std::move(i));
      }
    }
  }
  return out;
}

void LdapPool::put(const std::string& dc, std::unique_ptr<ldap::Connection> conn,
                   std::uint64_t generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& v = idle_[dc];
    if (v.size() < max_idle_) {
      v.push_back(Idle{std::move(conn), generation});
      return;
    }
  }
  conn.reset();  // enough idle connections to this DC: close this one (unlocked)
}

LdapPool::Outcome LdapPool::find_gmsa(const ldap::DcEndpoint& dc, const ldap::ConnectOptions& opts,
                                      const std::string& base_dn, const std::string& account,
                                      bool reuse, std::uint64_t generation) {
  Outcome out;
  if (reuse) {
    if (auto conn = take(dc.host, generation)) {
      const SystemTime t0 = clock_.now();
      out.entry = conn->find_gmsa(base_dn, account);
      if (out.entry) {
        out.kind = Outcome::Kind::kFound;
        put(dc.host, std::move(conn), generation);
        return out;
      }
      conn.reset();  // never reused after a failure
      log::info("ldap_reconnect", {{"dc", dc.host}, {"error", out.entry.error().what()}});
      if (clock_.now() - t0 >= opts.operation_timeout) {
        out.kind = Outcome::Kind::kSearchFailed;  // a silent DC: no second wait on it
        out.error = out.entry.error();
        return out;
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++connects_;
  }
  auto conn = connector_(dc, opts);
  if (!conn) {
    out.kind = Outcome::Kind::kConnectFailed;
    out.error = conn.error();
    return out;
  }
  out.entry = (*conn)->find_gmsa(base_dn, account);
  if (!out.entry) {
    out.kind = Outcome::Kind::kSearchFailed;
    out.error = out.entry.error();
    return out;
  }
  out.kind = Outcome::Kind::kFound;
  if (reuse) put(dc.host, std::move(conn).value(), generation);
  return out;
}

std::size_t LdapPool::idle(const std::string& dc_host) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = idle_.find(dc_host);
  return it == idle_.end() ? 0 : it->second.size();
}

std::uint64_t LdapPool::connects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connects_;
}

}  // namespace gmsa::daemon
