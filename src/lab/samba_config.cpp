// Text the Samba profile writes: pure functions of SambaConfig (unit-tested).
#include <nlohmann/json.hpp>
#include <sstream>

#include "gmsa/lab/samba.hpp"

namespace gmsa::lab {

std::string samba_krb5_conf(const SambaConfig& c) {
  std::ostringstream o;
  o << "[libdefaults]\n"
    << "  default_realm = " << c.realm << "\n"
    << "  dns_lookup_kdc = false\n"
    << "  dns_lookup_realm = false\n"
    << "  rdns = false\n"
    << "  dns_canonicalize_hostname = false\n"
    << "  udp_preference_limit = 1\n"
    << "[realms]\n"
    << "  " << c.realm << " = {\n"
    << "    kdc = " << c.dc_address() << "\n"
    << "    admin_server = " << c.dc_address() << "\n"
    << "    kpasswd_server = " << c.dc_address() << "\n"
    << "  }\n"
    << "[domain_realm]\n"
    << "  ." << c.domain << " = " << c.realm << "\n"
    << "  " << c.domain << " = " << c.realm << "\n";
  return o.str();
}

std::string samba_smb_conf(const SambaConfig& c, const std::string& provisioned) {
  std::istringstream in(provisioned);
  std::ostringstream out;
  std::string line;
  auto starts = [&](const char* key) {
    auto p = line.find_first_not_of(" \t");
    return p != std::string::npos && line.compare(p, std::char_traits<char>::length(key), key) == 0;
  };
  while (std::getline(in, line)) {
    // Dropped: the forwarder provision copied from the host's resolv.conf,
    // the host-wide log file and the panic action.
    if (starts("dns forwarder") || starts("log file") || starts("logging") ||
        starts("panic action"))
      continue;
    out << line << "\n";
    if (line == "[global]") {
      out << "\t# gmsa lab: nothing leaves the namespace; only the services the lab uses\n"
          << "\tdns update command = /bin/true\n"
          << "\tspn update command = /bin/true\n"  // the lab writes the DC's SPNs
          << "\tserver services = -s3fs -nbt -winbindd -kcc -drepl -dnsupdate -wrepl -ntp_signd\n"
          << "\tprefork children = 1\n"
          << "\tdns forwarder =\n"
          << "\tlog level = 1\n"
          << "\t# the DC answers for " << c.dc() << " at " << c.dc_address() << "\n";
    }
  }
  return out.str();
}

std::string samba_dc_spn_ldif(const SambaConfig& c) {
  // What samba_spnupdate would add at the DC's first start (its list in
  // /usr/share/samba/setup/spn_update_list), written before the start so a
  // client can bind to ldap/<dc> at once.
  std::string upper = c.dc_short;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::ostringstream o;
  o << "dn: CN=" << upper << ",OU=Domain Controllers," << c.base_dn << "\n"
    << "changetype: modify\n"
    << "add: servicePrincipalName\n";
  for (const std::string& spn :
       {"ldap/" + c.dc(), "ldap/" + c.dc() + "/" + c.domain, "ldap/" + c.dc() + "/" + c.netbios,
        "ldap/" + upper, "GC/" + c.dc() + "/" + c.domain})
    o << "servicePrincipalName: " << spn << "\n";
  return o.str();
}

std::string samba_gmsa_ldif(const SambaConfig& c) {
  // msDS-GroupMSAMembership as SDDL (Samba's LDIF reader takes it): full
  // control to Domain Computers (DC), the joined host's primary group.
  std::string lower = c.gmsa_cn;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::ostringstream o;
  o << "dn: " << c.gmsa_dn() << "\n"
    << "changetype: add\n"
    << "objectClass: msDS-GroupManagedServiceAccount\n"
    << "cn: " << c.gmsa_cn << "\n"
    << "sAMAccountName: " << c.gmsa_cn << "$\n"
    << "dNSHostName: " << lower << "." << c.domain << "\n"
    << "servicePrincipalName: HTTP/" << lower << "." << c.domain << "\n"
    << "userAccountControl: 4096\n"
    << "msDS-ManagedPasswordInterval: 30\n"
    << "msDS-SupportedEncryptionTypes: 24\n"
    << "msDS-GroupMSAMembership: O:BAD:(A;;0xf01ff;;;DC)\n";
  return o.str();
}

std::string samba_lab_json(const SambaConfig& c, const SambaFacts& f) {
  using nlohmann::json;
  std::string lower = c.gmsa_cn;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  json dc = {{"name", c.dc()},  {"address", c.dc_address()},
             {"ldapPort", 389}, {"ldapsPort", 636},
             {"kdcPort", 88},   {"dnsPort", 53}};
  json host = {{"account", c.host_cn + "$"},
               {"principal", c.host_principal()},
               {"keytab", c.host_keytab()},
               {"dn", "CN=" + c.host_cn + ",CN=Computers," + c.base_dn},
               {"allowed", true}};
  json gmsa = {{"account", c.gmsa_cn + "$"},
               {"dn", c.gmsa_dn()},
               {"dnsHostName", lower + "." + c.domain},
               {"spns", json::array({"HTTP/" + lower + "." + c.domain})}};
  json j = {{"version", 1},
            {"profile", "samba"},
            {"dir", c.dir},
            {"logsDir", c.path("logs")},
            {"realm", c.realm},
            {"domain", c.domain},
            {"forest", c.domain},
            {"netbios", c.netbios},
            {"baseDn", c.base_dn},
            {"domainSid", f.domain_sid},
            {"domainGuid", f.domain_guid},
            {"netns", c.netns},
            {"subnet", c.subnet + ".0/24"},
            {"hostAddress", c.host_address()},
            {"krb5Config", c.path("krb5.conf")},
            {"caFile", c.path("samba/private/tls/ca.pem")},
            {"samDb", c.sam_ldb()},
            {"smbConf", c.smb_conf()},
            {"dcs", json::array({dc})},
            {"dnsServers", json::array({c.dc_address()})},
            {"hosts", json::array({host})},
            {"hostKeytab", c.host_keytab()},
            {"hostPrincipal", c.host_principal()},
            {"gmsas", json::array({gmsa})}};
  return j.dump(2) + "\n";
}

}  // namespace gmsa::lab
