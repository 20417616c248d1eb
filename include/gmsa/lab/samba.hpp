// The Samba AD DC profile of the lab (`gmsa lab up --samba`): a real Active
// Directory domain controller (Samba 4.17: KDC, LDAP, DNS) in its own network
// namespace, with the container host joined by adcli and one gMSA object.
// Samba 4.17 does not serve msDS-ManagedPassword, so this profile proves
// everything on the fetch path except the password blob. docs/lab.md.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"

namespace gmsa::lab {

struct SambaConfig {
  std::string dir = "/var/lib/gmsa-samba";
  std::string netns = "gmsa-samba";  // never the default lab's gmsa-lab
  std::string veth_host = "gmsasmb0";
  std::string veth_ns = "gmsasmb1";
  std::string subnet = "10.215.0";  // /24; .1 host, .11 the DC
  std::string host_address() const { return subnet + ".1"; }
  std::string dc_address() const { return subnet + ".11"; }

  std::string realm = "SAMDOM.TEST";
  std::string domain = "samdom.test";
  std::string netbios = "SAMDOM";
  std::string base_dn = "DC=samdom,DC=test";
  std::string dc_short = "dc1";
  std::string dc() const { return dc_short + "." + domain; }  // dc1.samdom.test
  std::string host_cn = "GMSAHOST";                           // the joined container host
  std::string gmsa_cn = "WEBAPP01";                           // the gMSA object

  std::string path(const std::string& rel) const { return dir + "/" + rel; }
  std::string smb_conf() const { return path("samba/etc/smb.conf"); }
  std::string sam_ldb() const { return path("samba/private/sam.ldb"); }
  std::string host_keytab() const { return path("keytabs/host.keytab"); }
  std::string host_principal() const { return host_cn + "$@" + realm; }
  std::string gmsa_dn() const {
    return "CN=" + gmsa_cn + ",CN=Managed Service Accounts," + base_dn;
  }
};

// Facts read back from the provisioned directory (ldbsearch on sam.ldb).
struct SambaFacts {
  std::string domain_sid;
  std::string domain_guid;
};

// True when DIR holds a Samba-profile lab (DIR/profile says "samba").
bool is_samba_lab(const std::string& dir);

// Brings the DC up (idempotent like lab::up); progress lines go to `log`.
Status samba_up(const SambaConfig& c, std::ostream& log);
// Stops the DC and removes the namespace; safe on a lab that is down.
Status samba_down(const SambaConfig& c, std::ostream& log);
Status samba_status(const SambaConfig& c, std::ostream& out);

// Pure text generators (unit-tested without servers).
std::string samba_krb5_conf(const SambaConfig& c);
// The provisioned smb.conf with the lab's changes: no DNS forwarder (no name
// lookup leaves the machine), no dynamic DNS updates, only the services the
// lab uses, logs to standard output.
std::string samba_smb_conf(const SambaConfig& c, const std::string& provisioned);
std::string samba_gmsa_ldif(const SambaConfig& c);
std::string samba_dc_spn_ldif(const SambaConfig& c);  // ldap/<dc> and friends
std::string samba_lab_json(const SambaConfig& c, const SambaFacts& facts);
// Programs the profile needs (absolute paths), for a clear error when absent.
std::vector<std::string> samba_programs();

}  // namespace gmsa::lab
