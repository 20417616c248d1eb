// slapd's cn=config and the directory's data, as LDIF for slapadd.
#include <sstream>
#include <string>

#include "gmsa/common/encoding.hpp"
#include "gmsa/lab/config.hpp"

namespace gmsa::lab {
namespace {

constexpr const char* kRootPeer = "gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth";

std::string b64(const std::vector<std::uint8_t>& v) { return to_base64(v); }

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// A literal for a POSIX regex inside a quoted slapd value ('.' as "[.]", so
// no backslash has to survive slapd's own unquoting).
std::string regex_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '.') {
      out += "[.]";
    } else {
      out += ch;
    }
  }
  return out;
}

// MS-GKDI 2.2.1 KDF parameters naming the hash ("SHA512", UTF-16LE with NUL).
std::vector<std::uint8_t> kdf_param(const std::string& hash) {
  std::vector<std::uint8_t> v;
  auto u32 = [&](std::uint32_t x) {
    for (int i = 0; i < 4; ++i) v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
  };
  u32(0);
  u32(1);
  u32(static_cast<std::uint32_t>((hash.size() + 1) * 2));
  u32(0);
  for (char ch : hash) {
    v.push_back(static_cast<std::uint8_t>(ch));
    v.push_back(0);
  }
  v.push_back(0);
  v.push_back(0);
  return v;
}

}  // namespace

std::string slapd_config_ldif(const LabConfig& c, const std::string& core_schema_ldif,
                              const std::string& module_dir) {
  std::ostringstream o;
  const std::string realm_re = regex_escape(lower(c.realm));
  o << "dn: cn=config\nobjectClass: olcGlobal\ncn: config\n"
    << "olcPidFile: " << c.path("run/slapd.pid") << "\n"
    << "olcArgsFile: " << c.path("run/slapd.args") << "\n"
    << "olcSaslHost: " << c.dc1 << "\n"
    << "olcSaslRealm: " << c.realm
    << "\n"
    // Unsealed and anonymous SASL binds are refused, as AD refuses them.
    << "olcSaslSecProps: noanonymous,noplain,minssf=56\n"
    << "olcDisallows: bind_anon\n"
    << "olcRequires: authc\n"
    << "olcTLSCACertificateFile: " << c.path("tls/ca.pem") << "\n"
    << "olcTLSCertificateFile: " << c.path("tls/dc.pem") << "\n"
    << "olcTLSCertificateKeyFile: " << c.path("tls/dc.key") << "\n"
    << "olcLogLevel: stats\n"
    // SASL identities -> directory entries: host/<fqdn> by SPN, NAME$ and
    // users by sAMAccountName.
    << "olcAuthzRegexp: {0}\"^uid=(host/[^,]+),(cn=" << realm_re
    << ",)?cn=gssapi,cn=auth$\" \"ldap:///" << c.base_dn << "??sub?(servicePrincipalName=$1)\"\n"
    << "olcAuthzRegexp: {1}\"^uid=([^,/]+),(cn=" << realm_re << ",)?cn=gssapi,cn=auth$\" \"ldap:///"
    << c.base_dn << "??sub?(sAMAccountName=$1)\"\n\n";

  o << "dn: cn=module{0},cn=config\nobjectClass: olcModuleList\ncn: module{0}\n"
    << "olcModulePath: " << module_dir << "\nolcModuleLoad: {0}back_mdb\n\n";
  o << "dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n\n";
  o << core_schema_ldif << "\n\n" << ad_schema_ldif();

  o << "dn: olcDatabase={-1}frontend,cn=config\nobjectClass: olcDatabaseConfig\n"
    << "objectClass: olcFrontendConfig\nolcDatabase: {-1}frontend\n"
    << "olcAccess: {0}to dn.base=\"\" by * read\n"
    << "olcAccess: {1}to dn.base=\"cn=subschema\" by * read\n\n";
  o << "dn: olcDatabase={0}config,cn=config\nobjectClass: olcDatabaseConfig\n"
    << "olcDatabase: {0}config\nolcAccess: {0}to * by dn.exact=\"" << kRootPeer
    << "\" manage by * none\n\n";

  o << "dn: olcDatabase={1}mdb,cn=config\nobjectClass: olcDatabaseConfig\n"
    << "objectClass: olcMdbConfig\nolcDatabase: {1}mdb\n"
    << "olcSuffix: " << c.base_dn << "\n"
    << "olcDbDirectory: " << c.path("ldap/data") << "\n"
    << "olcDbMaxSize: 67108864\n"
    << "olcDbIndex: objectClass eq\nolcDbIndex: sAMAccountName eq\n"
    << "olcDbIndex: servicePrincipalName eq\n";
  int n = 0;
  o << "olcAccess: {" << n++ << "}to * by dn.exact=\"" << kRootPeer << "\" manage by * break\n";
  o << "olcAccess: {" << n++ << "}to attrs=msKds-RootKeyData by * none\n";
  // msDS-ManagedPassword: only the principals named in msDS-GroupMSAMembership
  // (the allowed group) and only over an encrypted connection.
  for (const auto& g : c.gmsas()) {
    o << "olcAccess: {" << n++ << "}to dn.exact=\"" << account_dn(c, g)
      << "\" attrs=msDS-ManagedPassword by group/group/member.exact=\"" << group_dn(c)
      << "\" ssf=" << kPasswordMinSsf << " read by * none\n";
  }
  o << "olcAccess: {" << n++ << "}to attrs=msDS-ManagedPassword by * none\n";
  o << "olcAccess: {" << n++ << "}to * by ssf=56 users read by anonymous auth by * none\n\n";
  return o.str();
}

std::string directory_ldif(const LabConfig& c, const RootKeyFacts& rk) {
  std::ostringstream o;
  auto guid_bytes = [](const std::string& text) {
    auto g = Guid::parse(text);
    if (!g.ok()) std::abort();  // built-in constant
    return std::vector<std::uint8_t>(g->bytes.begin(), g->bytes.end());
  };
  auto container = [&](const std::string& dn, const std::string& cls, const std::string& cn) {
    o << "dn: " << dn << "\nobjectClass: top\nobjectClass: " << cls << "\ncn: " << cn << "\n\n";
  };
  auto domain_sid = Sid::parse(c.domain_sid);
  if (!domain_sid.ok()) std::abort();

  o << "dn: " << c.base_dn << "\nobjectClass: top\nobjectClass: domainDNS\ndc: contoso\n"
    << "objectSid:: " << b64(domain_sid->to_binary()) << "\n"
    << "objectGUID:: " << b64(guid_bytes(c.domain_guid)) << "\n\n";
  container("CN=Users," + c.base_dn, "container", "Users");
  container("CN=Computers," + c.base_dn, "container", "Computers");
  container("CN=Managed Service Accounts," + c.base_dn, "container", "Managed Service Accounts");
  const std::string config_dn = "CN=Configuration," + c.base_dn;
  container(config_dn, "configuration", "Configuration");
  container("CN=Partitions," + config_dn, "crossRefContainer", "Partitions");
  o << "dn: CN=" << c.netbios << ",CN=Partitions," << config_dn
    << "\nobjectClass: top\nobjectClass: crossRef\ncn: " << c.netbios << "\nnCName: " << c.base_dn
    << "\ndnsRoot: " << c.domain << "\nnETBIOSName: " << c.netbios << "\n\n";
  container("CN=Services," + config_dn, "container", "Services");
  container("CN=Group Key Distribution Service,CN=Services," + config_dn, "container",
            "Group Key Distribution Service");
  container("CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services," + config_dn,
            "container", "Master Root Keys");
  const std::uint64_t ten_hours = 360'000'000'000ULL;
  o << "dn: " << root_key_dn(c, rk.id) << "\nobjectClass: top\nobjectClass: msKds-ProvRootKey\n"
    << "cn: " << rk.id.to_string() << "\nmsKds-Version: 1\n"
    << "msKds-KDFAlgorithmID: SP800_108_CTR_HMAC\n"
    << "msKds-KDFParam:: " << b64(kdf_param("SHA512")) << "\n"
    << "msKds-SecretAgreementAlgorithmID: DH\nmsKds-PublicKeyLength: 2048\n"
    << "msKds-PrivateKeyLength: 512\n"
    << "msKds-RootKeyData:: " << b64(rk.data) << "\n"
    << "msKds-CreateTime: " << rk.create_time_nt
    << "\n"
    // Usable at once, as with Add-KdsRootKey -EffectiveTime ((Get-Date).AddHours(-10)).
    << "msKds-UseStartTime: " << (rk.create_time_nt - ten_hours) << "\n"
    << "msKds-DomainID: CN=DC1,OU=Domain Controllers," << c.base_dn << "\n\n";

  const std::string gdn = group_dn(c);
  auto account = [&](const Account& a, const std::string& classes, int uac) {
    o << "dn: " << account_dn(c, a) << "\nobjectClass: top\n"
      << classes << "cn: " << a.cn << "\nsAMAccountName: " << a.sam
      << "\nuserAccountControl: " << uac
      << "\nsAMAccountType: 805306369\ndNSHostName: " << a.dns_host_name
      << "\nobjectSid:: " << b64(account_sid(c, a.rid).to_binary()) << "\n";
    for (const auto& spn : a.spns) o << "servicePrincipalName: " << spn << "\n";
  };
  std::vector<std::string> members;
  for (const auto& h : c.hosts()) {
    account(h, "objectClass: user\nobjectClass: computer\n", 4096);
    if (h.in_allowed_group) {
      o << "memberOf: " << gdn << "\n";
      members.push_back(account_dn(c, h));
    }
    o << "\n";
  }
  const Sid group_sid = account_sid(c, 1105);
  for (const auto& g : c.gmsas()) {
    account(
        g,
        "objectClass: user\nobjectClass: computer\nobjectClass: msDS-GroupManagedServiceAccount\n",
        4096);
    o << "msDS-ManagedPasswordInterval: " << c.password_interval_days << "\n"
      << "msDS-GroupMSAMembership:: " << b64(membership_descriptor(group_sid)) << "\n\n";
  }
  o << "dn: " << user_dn(c) << "\nobjectClass: top\nobjectClass: user\ncn: " << c.domainless_user
    << "\nsAMAccountName: " << c.domainless_user << "\nuserAccountControl: 66048"
    << "\nsAMAccountType: 805306368\nobjectSid:: " << b64(account_sid(c, 1106).to_binary())
    << "\nmemberOf: " << gdn << "\n\n";
  members.push_back(user_dn(c));
  o << "dn: " << gdn << "\nobjectClass: top\nobjectClass: group\ncn: " << c.allowed_group
    << "\nsAMAccountName: " << c.allowed_group << "\nsAMAccountType: 268435456"
    << "\ngroupType: -2147483646\nobjectSid:: " << b64(group_sid.to_binary()) << "\n";
  for (const auto& m : members) o << "member: " << m << "\n";
  o << "\n";
  return o.str();
}

}  // namespace gmsa::lab
