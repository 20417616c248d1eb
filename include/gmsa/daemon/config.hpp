// gmsa-brokerd configuration: a JSON file (docs/daemon.md) and command-line
// flags that override it. Validation names the key and the rule.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/daemon/identity.hpp"
#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon {

struct DcConfig {
  std::string host;     // "dc1.contoso.test"
  std::string address;  // IP literal
  std::uint16_t port = 389;
  bool ldaps = false;
  bool operator==(const DcConfig&) const = default;
};

struct DaemonConfig {
  std::string state_dir = "/var/credentials-fetcher";
  std::string socket_path = "/var/credentials-fetcher/socket/credentials_fetcher.sock";
  std::string socket_group;  // group name or number; "" = the daemon's
  mode_t socket_mode = 0660;
  std::string domain;          // DNS domain, "contoso.test" (required)
  std::string realm;           // default: upper-case domain
  std::string base_dn;         // default: DC=contoso,DC=test
  std::string krb5_conf;       // required: never the environment's
  std::string host_keytab;     // domain-joined mode
  std::string host_principal;  // e.g. "HOST01$@CONTOSO.TEST"
  std::vector<DcConfig> dcs;   // explicit DCs, tried in order
  std::string dns_server;  // parse_dns_server() forms; _ldap._tcp SRV discovery when dcs is empty
  std::string ca_file;     // for LDAPS DCs
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds operation_timeout{5000};
  RenewalPolicy renewal;
  std::chrono::seconds host_check_interval{300};
  FileOwner default_owner;        // owner/mode of issued files unless a request says otherwise
  std::string domainless_secret;  // JSON file {"username","password","domainName"}
  // fsync lease records. Off by default: the page cache survives a daemon
  // crash, and after a machine crash the containers are gone too (the agent
  // asks for new leases), so fsync would cost ~3-20 ms per lease for nothing.
  bool sync_store = false;
  std::string log_level = "info";
};

Result<DaemonConfig> parse_config_json(std::string_view text, DaemonConfig base = {});
Result<DaemonConfig> load_config_file(const std::string& path, DaemonConfig base = {});

// argv without the program name. "--config FILE" is applied first, then the
// other flags in order. Unknown flags and missing values are errors.
Result<DaemonConfig> parse_flags(const std::vector<std::string>& args);

// Fills defaults (realm, base_dn) and checks required keys and consistency.
Status finalize(DaemonConfig& cfg);

// An IP literal with an optional port: "10.0.0.1", "10.0.0.1:389",
// "fd00::1", "[fd00::1]" or "[fd00::1]:389" (no port, or an empty one after
// the colon: nullopt). Errors name `field`: "unterminated '[' in '...'",
// "junk after ']'", "bad port '...'", "'...' is not an IP address (names are
// never resolved)".
struct AddressPort {
  std::string address;
  std::optional<std::uint16_t> port;
};
Result<AddressPort> parse_address_port(const std::string& field, std::string_view text);

// "dc1.contoso.test=10.0.0.1[:port]" -> DcConfig.
Result<DcConfig> parse_dc(std::string_view text);

std::string usage();

}  // namespace gmsa::daemon
