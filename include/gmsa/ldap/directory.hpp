// In-process LDAP client for Active Directory-like directories (libldap + SASL
// GSSAPI). The password attribute is only ever read over an encrypted
// connection: SASL GSSAPI with sealing (checked through the negotiated SSF) or
// LDAPS; the client refuses before any search otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::ldap {

// One domain controller endpoint. The connection is made to `address`
// (an IP literal: the client never resolves names itself); `host` is the DC's
// DNS name, used for the LDAP service principal ldap/<host>.
struct DcEndpoint {
  std::string host;     // "dc1.contoso.test"
  std::string address;  // "10.213.0.11" or "::1"
  std::uint16_t port = 389;
  bool ldaps = false;  // TLS from the start (port 636 usually)
};

struct ConnectOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds operation_timeout{5000};
  // Minimum security strength factor for reading secrets; GSSAPI sealing and
  // TLS both exceed 56.
  unsigned min_ssf = 56;
  std::string ca_file;  // for LDAPS
  // GSSAPI credentials come from this Kerberos ccache (e.g. "MEMORY:host-tgt"),
  // passed per connection, never through the process environment.
  std::string ccache_name;
  // Path to krb5.conf ("" = library default). GSSAPI reads KRB5_CONFIG
  // process-wide: connect_gssapi sets it if unset and refuses a different one.
  std::string krb5_config;
};

// Attributes of an msDS-GroupManagedServiceAccount object.
struct GmsaEntry {
  std::string dn;
  std::string sam_account_name;  // "WEBAPP01$"
  std::string dns_host_name;
  std::vector<std::string> service_principal_names;
  std::vector<std::uint8_t> object_sid;         // binary
  std::optional<SecretBytes> managed_password;  // msDS-ManagedPassword blob, if readable
  std::vector<std::uint8_t> managed_password_id;
  std::optional<std::uint32_t> managed_password_interval_days;
};

// The domain object (for credential specs).
struct DomainInfo {
  std::string dn;                         // "DC=contoso,DC=test"
  std::vector<std::uint8_t> object_sid;   // binary
  std::vector<std::uint8_t> object_guid;  // 16 bytes, wire order
  std::string netbios_name;
  std::string dns_name;
  std::string forest_dns_name;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // SSF negotiated on this connection (0 = plaintext).
  virtual unsigned ssf() const = 0;
  // Exactly one msDS-GroupManagedServiceAccount with sAMAccountName
  // "<account>$" under base_dn (subtree); zero or several is an error. The
  // password is requested only when the connection is encrypted (ssf >= min_ssf).
  virtual Result<GmsaEntry> find_gmsa(const std::string& base_dn, const std::string& account) = 0;
  virtual Result<DomainInfo> domain_info(const std::string& base_dn) = 0;
};

// Connects to one DC and binds with SASL GSSAPI (or over LDAPS). Errors say
// which DC and what failed (connect timeout, bind refused, ssf too low, ...).
Result<std::unique_ptr<Connection>> connect_gssapi(const DcEndpoint& dc,
                                                   const ConnectOptions& options);

}  // namespace gmsa::ldap
