// Sealed LDAP connections kept per DC across gMSA password reads, so a cold
// lease pays only the search (and the gMSA's AS exchange), not a TCP connect,
// a TGS for ldap/<dc> and a SASL GSSAPI bind each time.
//
// A connection is checked out for one search at a time (libldap handles are
// not shared between threads). A reused connection whose search fails is
// dropped and the same DC is tried once more with a fresh connection (the DC
// closed an idle connection, the GSSAPI context expired, ...) unless the
// search ran into the operation timeout: then the DC is treated as failed, as
// a failed connect is, and the caller moves to the next DC. Connections carry
// the generation of the credential that bound them; a newer generation (the
// host TGT was replaced) discards older ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gmsa/common/clock.hpp"
#include "gmsa/common/result.hpp"
#include "gmsa/ldap/directory.hpp"

namespace gmsa::daemon {

class LdapPool {
 public:
  using Connector = std::function<Result<std::unique_ptr<ldap::Connection>>(
      const ldap::DcEndpoint&, const ldap::ConnectOptions&)>;

  LdapPool(Connector connector, const Clock& clock, std::size_t max_idle_per_dc = 4)
      : connector_(std::move(connector)), clock_(clock), max_idle_(max_idle_per_dc) {}

  struct Outcome {
    enum class Kind { kFound, kConnectFailed, kSearchFailed };
    Kind kind = Kind::kConnectFailed;
    Result<ldap::GmsaEntry> entry = make_error("ldap", "not searched");  // kFound: the entry
    Error error;  // otherwise: what failed ("<dc>: ..." from the LDAP client)
  };

  // find_gmsa(base_dn, account) on `dc`. With reuse, an idle connection of
  // this generation is tried first and a working one is kept afterwards;
  // without reuse (a domainless user's binding) a fresh connection is made and
  // closed.
  Outcome find_gmsa(const ldap::DcEndpoint& dc, const ldap::ConnectOptions& opts,
                    const std::string& base_dn, const std::string& account, bool reuse,
                    std::uint64_t generation);

  std::size_t idle(const std::string& dc_host) const;
  std::uint64_t connects() const;

 private:
  std::unique_ptr<ldap::Connection> take(const std::string& dc, std::uint64_t generation);
  void put(const std::string& dc, std::unique_ptr<ldap::Connection> conn, std::uint64_t generation);

  struct Idle {
    std::unique_ptr<ldap::Connection> conn;
    std::uint64_t generation = 0;
  };
  Connector connector_;
  const Clock& clock_;
  std::size_t max_idle_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;
  std::uint64_t connects_ = 0;
};

}  // namespace gmsa::daemon
