// The lab domain's fixed facts and the text of every server configuration it
// writes. Everything here is a pure function of LabConfig (no I/O), so the
// generated files are unit-tested without servers. Layout: docs/lab.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gmsa/common/ids.hpp"
#include "gmsa/common/result.hpp"

namespace gmsa::lab {

struct Account {
  std::string cn;   // "WEBAPP01"
  std::string sam;  // "WEBAPP01$"
  std::uint32_t rid = 0;
  std::string dns_host_name;  // "webapp01.contoso.test"
  std::vector<std::string> spns;
  bool in_allowed_group = false;
};

struct LabConfig {
  std::string dir = "/var/lib/gmsa-lab";
  // 0 = real time; otherwise the real duration of one password period.
  std::chrono::seconds rotation{0};

  std::string netns = "gmsa-lab";
  std::string veth_host = "gmsalab0";
  std::string veth_ns = "gmsalab1";
  std::string subnet = "10.213.0";  // /24; .1 host, .11 dc1, .12 dc2, .20 db
  std::string host_address() const { return subnet + ".1"; }
  std::string dc1_address() const { return subnet + ".11"; }
  std::string dc2_address() const { return subnet + ".12"; }
  std::string db_address() const { return subnet + ".20"; }

  std::string realm = "CONTOSO.TEST";
  std::string domain = "contoso.test";
  std::string netbios = "CONTOSO";
  std::string base_dn = "DC=contoso,DC=test";
  std::string domain_sid = "S-1-5-21-3623811015-3361044348-30300820";
  std::string domain_guid = "6f3a1c2e-52d8-4b7a-9e0f-2b1c4d5e6f70";
  std::string dc1 = "dc1.contoso.test";
  std::string dc2 = "dc2.contoso.test";
  std::string db = "db.contoso.test";
  std::string allowed_group = "gMSA-Hosts";
  std::string domainless_user = "gmsa-reader";
  std::uint32_t password_interval_days = 30;
  // The `gmsa` program `up` starts as `gmsa lab serve` ("" = found
  // automatically; see lab.cpp cli_program()).
  std::string cli_program;

  std::vector<Account> hosts() const;  // ECSHOST01$ (allowed), ECSHOST02$ (not)
  std::vector<Account> gmsas() const;  // WEBAPP01$ .. WEBAPP10$ (03-10 for the benchmarks)

  // Paths under dir.
  std::string path(const std::string& rel) const { return dir + "/" + rel; }
  std::string ldapi_path() const { return path("run/ldapi"); }
  std::string ldapi_url() const;  // ldapi://%2F...
};

// DN helpers.
std::string account_dn(const LabConfig& c, const Account& a);  // by kind
std::string group_dn(const LabConfig& c);
std::string user_dn(const LabConfig& c);
std::string root_key_dn(const LabConfig& c, const Guid& root_key_id);
Sid account_sid(const LabConfig& c, std::uint32_t rid);

// msDS-GroupMSAMembership: self-relative security descriptor
// O:S-1-5-32-544 D:(A;;0xf01ff;;;<group SID>) (allow full control to the group).
std::vector<std::uint8_t> membership_descriptor(const Sid& group);

// SSF a connection needs before slapd releases msDS-ManagedPassword. The
// cyrus GSSAPI plugin here reports the sealed layer's strength (256 with
// AES; measured, docs/lab.md); TLS reports the cipher's key bits.
constexpr unsigned kPasswordMinSsf = 128;

// Text generators.
std::string client_krb5_conf(const LabConfig& c);  // for clients (KRB5_CONFIG)
std::string server_krb5_conf(const LabConfig& c);  // for the lab's servers
std::string kdc_conf(const LabConfig& c);
std::string ad_schema_ldif();  // cn=schema entry with the AD subset
// cn=config for slapd; core_schema_ldif is /etc/ldap/schema/core.ldif.
std::string slapd_config_ldif(const LabConfig& c, const std::string& core_schema_ldif,
                              const std::string& module_dir);
struct RootKeyFacts {
  Guid id;
  std::vector<std::uint8_t> data;  // written into the LDIF only; caller wipes
  std::uint64_t create_time_nt = 0;
};
std::string directory_ldif(const LabConfig& c, const RootKeyFacts& root_key);
std::vector<std::string> dnsmasq_args(const LabConfig& c);
std::string postgresql_conf(const LabConfig& c);
std::string pg_hba_conf(const LabConfig& c);
std::string pg_ident_conf(const LabConfig& c);
std::string lab_json(const LabConfig& c);   // the machine-readable facts (docs/lab.md)
std::string env_lines(const LabConfig& c);  // shell export lines

// Parses "20s", "5m", "2h", "1d" (positive). Error names --rotation.
Result<std::chrono::seconds> parse_duration(const std::string& text);

}  // namespace gmsa::lab
