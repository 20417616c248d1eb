// The real CredentialSource: host keytab (or a domainless user's password)
// -> TGT in a MEMORY ccache -> DC (config or SRV, with timeouts and failover)
// -> LDAP GSSAPI with sealing (host-bound connections kept per DC, LdapPool)
// -> msDS-ManagedPassword -> blob -> UTF-8
// password -> TGT for NAME$@REALM. All in-process; no subprocess.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gmsa/common/clock.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/ldap_pool.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/source.hpp"

namespace gmsa::daemon {

class DirectorySource final : public CredentialSource {
 public:
  // connector: how an LDAP connection is made (tests inject a fake).
  DirectorySource(DaemonConfig cfg, Random& random, const Clock& clock,
                  LdapPool::Connector connector = ldap::connect_gssapi);

  Result<blob::ManagedPassword> read_password(const GmsaRef& ref, const Authority& who) override;
  Result<krb::Credentials> get_tgt(const GmsaRef& ref, const SecretBytes& utf16_password) override;
  Result<std::vector<krb::KeytabKey>> keytab_keys(const GmsaRef& ref,
                                                  const blob::ManagedPassword& password,
                                                  const krb::Credentials& tgt) override;
  Status check_host() override;
  std::string principal_for(const GmsaRef& ref) const override;

  std::string last_dc() const override;

 private:
  Result<krb::Credentials> authority_tgt(const Authority& who, bool force_fresh);
  // The host TGT in one long-lived MEMORY ccache, so the LDAP service tickets
  // GSSAPI adds to it are reused by later binds (one KDC round trip less per
  // fetch). Replaced when the TGT nears its end.
  Result<std::shared_ptr<krb::MemoryCcache>> host_ccache();

  DaemonConfig cfg_;
  Random& random_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::optional<krb::Credentials> host_tgt_;
  std::optional<krb::Context> own_ctx_;  // creates/destroys host_cc_ (under cc_mu_)
  std::shared_ptr<std::mutex> cc_mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<krb::MemoryCcache> host_cc_;
  SystemTime host_cc_end_{};
  std::string last_dc_;
  std::uint64_t host_generation_ = 0;  // bumped when host_cc_ is replaced (under mu_)
  // Host-bound sealed LDAP connections per DC, reused across fetches.
  LdapPool pool_;
};

// Non-blocking TCP connect with a timeout (DC reachability probe).
Status tcp_probe(const std::string& address, std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace gmsa::daemon
