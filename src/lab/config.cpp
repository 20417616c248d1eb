// Lab facts and the text of the Kerberos, DNS and PostgreSQL configurations.
#include "gmsa/lab/config.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "gmsa/common/encoding.hpp"

namespace gmsa::lab {

std::vector<Account> LabConfig::hosts() const {
  return {
      {"ECSHOST01",
       "ECSHOST01$",
       1101,
       "ecshost01." + domain,
       {"host/ecshost01." + domain, "HOST/ECSHOST01"},
       true},
      {"ECSHOST02",
       "ECSHOST02$",
       1102,
       "ecshost02." + domain,
       {"host/ecshost02." + domain, "HOST/ECSHOST02"},
       false},
  };
}

std::vector<Account> LabConfig::gmsas() const {
  std::vector<Account> out = {
      {"WEBAPP01", "WEBAPP01$", 1103, "webapp01." + domain, {"HTTP/webapp01." + domain}, false},
      {"WEBAPP02", "WEBAPP02$", 1104, "webapp02." + domain, {"HTTP/webapp02." + domain}, false},
  };
  // WEBAPP03..WEBAPP10 (RIDs 1201..1208): load for the benchmarks (10 gMSAs).
  for (std::uint32_t i = 3; i <= 10; ++i) {
    const std::string n = (i < 10 ? "0" : "") + std::to_string(i);
    out.push_back({"WEBAPP" + n,
                   "WEBAPP" + n + "$",
                   1198 + i,
                   "webapp" + n + "." + domain,
                   {"HTTP/webapp" + n + "." + domain},
                   false});
  }
  return out;
}

std::string LabConfig::ldapi_url() const {
  std::string out = "ldapi://";
  for (char ch : ldapi_path()) {
    if (ch == '/') {
      out += "%2F";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string account_dn(const LabConfig& c, const Account& a) {
  bool gmsa = a.sam.rfind("WEBAPP", 0) == 0;
  return "CN=" + a.cn + (gmsa ? ",CN=Managed Service Accounts," : ",CN=Computers,") + c.base_dn;
}
std::string group_dn(const LabConfig& c) {
  return "CN=" + c.allowed_group + ",CN=Users," + c.base_dn;
}
std::string user_dn(const LabConfig& c) {
  return "CN=" + c.domainless_user + ",CN=Users," + c.base_dn;
}
std::string root_key_dn(const LabConfig& c, const Guid& id) {
  return "CN=" + id.to_string() +
         ",CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services,CN=Configuration," +
         c.base_dn;
}

Sid account_sid(const LabConfig& c, std::uint32_t rid) {
  auto sid = Sid::parse(c.domain_sid);
  if (!sid.ok()) std::abort();  // the built-in constant is valid
  Sid out = sid.value();
  out.sub_authorities.push_back(rid);
  return out;
}

namespace {
void put16(std::vector<std::uint8_t>& v, std::size_t at, std::uint16_t x) {
  v[at] = static_cast<std::uint8_t>(x & 0xff);
  v[at + 1] = static_cast<std::uint8_t>(x >> 8);
}
void put32(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  for (int i = 0; i < 4; ++i)
    v[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(x >> (8 * i));
}
}  // namespace

std::vector<std::uint8_t> membership_descriptor(const Sid& group) {
  // Self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6): header, DACL, owner.
  auto ace_sid = group.to_binary();
  auto owner = Sid{1, 5, {32, 544}}.to_binary();
  const std::size_t ace_size = 8 + ace_sid.size();
  const std::size_t acl_size = 8 + ace_size;
  std::vector<std::uint8_t> sd(20 + acl_size + owner.size(), 0);
  sd[0] = 1;                                                // Revision
  put16(sd, 2, 0x8004);                                     // SE_SELF_RELATIVE | SE_DACL_PRESENT
  put32(sd, 4, static_cast<std::uint32_t>(20 + acl_size));  // OffsetOwner
  put32(sd, 16, 20);                                        // OffsetDacl
  std::size_t a = 20;
  sd[a] = 2;  // AclRevision
  put16(sd, a + 2, static_cast<std::uint16_t>(acl_size));
  put16(sd, a + 4, 1);  // AceCount
  std::size_t e = a + 8;
  sd[e] = 0;  // ACCESS_ALLOWED_ACE_TYPE
  put16(sd, e + 2, static_cast<std::uint16_t>(ace_size));
  put32(sd, e + 4, 0x000F01FF);
  std::copy(ace_sid.begin(), ace_sid.end(), sd.begin() + static_cast<long>(e + 8));
  std::copy(owner.begin(), owner.end(), sd.begin() + static_cast<long>(20 + acl_size));
  return sd;
}

namespace {
std::string libdefaults(const LabConfig& c) {
  return "[libdefaults]\n"
         "  default_realm = " +
         c.realm +
         "\n"
         "  dns_lookup_kdc = false\n"
         "  dns_lookup_realm = false\n"
         "  rdns = false\n"
         "  dns_canonicalize_hostname = false\n";
}
std::string realms(const LabConfig& c) {
  return "\n[realms]\n  " + c.realm + " = {\n    kdc = " + c.dc1_address() +
         ":88\n    kdc = " + c.dc2_address() + ":88\n  }\n\n[domain_realm]\n  ." + c.domain +
         " = " + c.realm + "\n  " + c.domain + " = " + c.realm + "\n";
}
}  // namespace

std::string client_krb5_conf(const LabConfig& c) { return libdefaults(c) + realms(c); }

std::string server_krb5_conf(const LabConfig& c) {
  // slapd accepts tickets for ldap/dc1 and ldap/dc2 with one keytab.
  return libdefaults(c) + "  ignore_acceptor_hostname = true\n" + realms(c);
}

std::string kdc_conf(const LabConfig& c) {
  std::string listen = c.dc1_address() + ":88, " + c.dc2_address() + ":88";
  return "[kdcdefaults]\n"
         "  kdc_listen = " +
         listen +
         "\n"
         "  kdc_tcp_listen = " +
         listen +
         "\n\n"
         "[realms]\n  " +
         c.realm +
         " = {\n"
         "    database_name = " +
         c.path("kdc/principal") +
         "\n"
         "    key_stash_file = " +
         c.path("kdc/stash") +
         "\n"
         "    acl_file = " +
         c.path("kdc/kadm5.acl") +
         "\n"
         "    master_key_type = aes256-cts-hmac-sha1-96\n"
         "    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n"
         "    max_life = 10h\n"
         "    max_renewable_life = 7d\n"
         "  }\n\n"
         "[logging]\n"
         "  kdc = FILE:" +
         c.path("logs/krb5kdc.log") +
         "\n"
         "  admin_server = FILE:" +
         c.path("logs/kadm5.log") + "\n";
}

std::vector<std::string> dnsmasq_args(const LabConfig& c) {
  std::vector<std::string> a = {"/usr/sbin/dnsmasq",
                                "--keep-in-foreground",
                                "--conf-file=/dev/null",
                                "--no-resolv",
                                "--no-hosts",
                                "--no-poll",
                                "--bind-interfaces",
                                "--listen-address=" + c.dc1_address(),
                                "--listen-address=" + c.dc2_address(),
                                "--pid-file=" + c.path("run/dnsmasq.pid"),
                                "--log-facility=" + c.path("logs/dnsmasq.log"),
                                "--log-queries",
                                "--local=/" + c.domain + "/",
                                "--domain=" + c.domain};
  auto host = [&](const std::string& name, const std::string& addr) {
    a.push_back("--host-record=" + name + "," + addr);
  };
  host(c.dc1, c.dc1_address());
  host(c.dc2, c.dc2_address());
  host(c.db, c.db_address());
  for (const auto& h : c.hosts()) host(h.dns_host_name, c.host_address());
  host(c.domain, c.dc1_address());  // the domain name resolves to its DCs, as in AD
  host(c.domain, c.dc2_address());
  for (const std::string& srv :
       {"_ldap._tcp.dc._msdcs." + c.domain, "_ldap._tcp." + c.domain, "_kerberos._tcp." + c.domain,
        "_kerberos._udp." + c.domain, "_kerberos._tcp.dc._msdcs." + c.domain}) {
    std::string port = srv.rfind("_ldap", 0) == 0 ? "389" : "88";
    a.push_back("--srv-host=" + srv + "," + c.dc1 + "," + port + ",0,100");
    a.push_back("--srv-host=" + srv + "," + c.dc2 + "," + port + ",0,100");
  }
  return a;
}

std::string postgresql_conf(const LabConfig& c) {
  return "listen_addresses = '" + c.db_address() +
         "'\n"
         "port = 5432\n"
         "unix_socket_directories = '" +
         c.path("pg/run") +
         "'\n"
         "krb_server_keyfile = 'FILE:" +
         c.path("pg/postgres.keytab") +
         "'\n"
         "log_connections = on\n"
         "log_destination = 'stderr'\n"
         "logging_collector = off\n"
         "max_connections = 20\n"
         "shared_buffers = 16MB\n"
         "fsync = off\n";
}

std::string pg_hba_conf(const LabConfig& c) {
  std::string net = c.subnet + ".0/24";
  return "# TYPE  DATABASE  USER      ADDRESS  METHOD\n"
         "local   all       postgres           peer\n"
         "host    webapp    webapp    " +
         net + "  gss map=gmsa include_realm=1 krb_realm=" + c.realm +
         "\n"
         "host    all       all       0.0.0.0/0  reject\n";
}

std::string pg_ident_conf(const LabConfig& c) {
  std::string realm_re;
  for (char ch : c.realm) {
    if (ch == '.') realm_re += '\\';
    realm_re += ch;
  }
  return "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\ngmsa  /^WEBAPP01\\$@" + realm_re + "$  webapp\n";
}

std::string lab_json(const LabConfig& c) {
  using nlohmann::json;
  json j;
  j["version"] = 1;
  j["dir"] = c.dir;
  j["realm"] = c.realm;
  j["domain"] = c.domain;
  j["netbios"] = c.netbios;
  j["forest"] = c.domain;
  j["baseDn"] = c.base_dn;
  j["domainSid"] = c.domain_sid;
  j["domainGuid"] = c.domain_guid;
  j["netns"] = c.netns;
  j["subnet"] = c.subnet + ".0/24";
  j["hostAddress"] = c.host_address();
  j["krb5Config"] = c.path("krb5.conf");
  j["caFile"] = c.path("tls/ca.pem");
  j["logsDir"] = c.path("logs");
  json dcs = json::array();
  for (auto [name, addr] : {std::pair{c.dc1, c.dc1_address()}, std::pair{c.dc2, c.dc2_address()}}) {
    dcs.push_back({{"name", name},
                   {"address", addr},
                   {"ldapPort", 389},
                   {"ldapsPort", 636},
                   {"kdcPort", 88},
                   {"dnsPort", 53}});
  }
  j["dcs"] = dcs;
  j["dnsServers"] = {c.dc1_address(), c.dc2_address()};
  json hosts = json::array();
  for (const auto& h : c.hosts()) {
    std::string lower = h.cn;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    hosts.push_back({{"account", h.sam},
                     {"principal", h.sam + "@" + c.realm},
                     {"servicePrincipal", "host/" + h.dns_host_name + "@" + c.realm},
                     {"keytab", c.path("keytabs/" + lower + ".keytab")},
                     {"dn", account_dn(c, h)},
                     {"allowed", h.in_allowed_group}});
  }
  j["hosts"] = hosts;
  j["hostKeytab"] = hosts[0]["keytab"];
  j["hostPrincipal"] = hosts[0]["principal"];
  j["domainlessUser"] = {{"username", c.domainless_user}, {"file", c.path("domainless-user.json")}};
  j["allowedGroup"] = {{"dn", group_dn(c)}, {"sid", account_sid(c, 1105).to_string()}};
  json gmsas = json::array();
  for (const auto& g : c.gmsas()) {
    gmsas.push_back({{"account", g.sam},
                     {"dn", account_dn(c, g)},
                     {"sid", account_sid(c, g.rid).to_string()},
                     {"dnsHostName", g.dns_host_name},
                     {"spns", g.spns}});
  }
  j["gmsas"] = gmsas;
  j["postgres"] = {{"host", c.db},         {"address", c.db_address()}, {"port", 5432},
                   {"database", "webapp"}, {"role", "webapp"},          {"gmsa", "WEBAPP01$"}};
  j["rotation"] = {{"intervalDays", c.password_interval_days},
                   {"realSecondsPerPeriod", c.rotation.count()}};
  return j.dump(2) + "\n";
}

namespace {
std::string sq(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out += ch;
    }
  }
  return out + "'";
}
}  // namespace

std::string env_lines(const LabConfig& c) {
  const auto hosts = c.hosts();
  std::ostringstream o;
  auto e = [&](const std::string& k, const std::string& v) {
    o << "export " << k << "=" << sq(v) << "\n";
  };
  e("GMSA_LAB_DIR", c.dir);
  e("GMSA_LAB_JSON", c.path("lab.json"));
  e("KRB5_CONFIG", c.path("krb5.conf"));
  e("GMSA_LAB_REALM", c.realm);
  e("GMSA_LAB_DOMAIN", c.domain);
  e("GMSA_LAB_NETBIOS", c.netbios);
  e("GMSA_LAB_DC1", c.dc1);
  e("GMSA_LAB_DC1_ADDRESS", c.dc1_address());
  e("GMSA_LAB_DC2", c.dc2);
  e("GMSA_LAB_DC2_ADDRESS", c.dc2_address());
  e("GMSA_LAB_DNS_SERVER", c.dc1_address());
  e("GMSA_LAB_CA_FILE", c.path("tls/ca.pem"));
  e("GMSA_LAB_HOST_KEYTAB", c.path("keytabs/ecshost01.keytab"));
  e("GMSA_LAB_HOST_PRINCIPAL", hosts[0].sam + "@" + c.realm);
  e("GMSA_LAB_DOMAINLESS_USER_FILE", c.path("domainless-user.json"));
  e("PGHOST", c.db);
  e("PGHOSTADDR", c.db_address());
  e("PGPORT", "5432");
  e("PGDATABASE", "webapp");
  return o.str();
}

Result<std::chrono::seconds> parse_duration(const std::string& text) {
  const Error bad{"--rotation", "must be a positive duration such as 20s, 5m, 2h or 1d"};
  if (text.size() < 2 || text.size() > 10) return bad;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return bad;
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  std::uint64_t mul = 0;
  switch (text.back()) {
    case 's':
      mul = 1;
      break;
    case 'm':
      mul = 60;
      break;
    case 'h':
      mul = 3600;
      break;
    case 'd':
      mul = 86400;
      break;
    default:
      return bad;
  }
  if (n == 0) return bad;
  return std::chrono::seconds(static_cast<std::int64_t>(n * mul));
}

}  // namespace gmsa::lab
