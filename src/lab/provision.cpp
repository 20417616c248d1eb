#include "src/lab/provision.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include "gmsa/common/clock.hpp"
#include "gmsa/lab/kdc_admin.hpp"
#include "gmsa/lab/process.hpp"
#include "src/lab/files.hpp"

namespace gmsa::lab {
namespace {

constexpr auto kToolTimeout = std::chrono::milliseconds(30000);
constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin/";

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

SpawnOptions tool(const LabConfig& c, std::vector<std::string> argv) {
  SpawnOptions o;
  o.argv = std::move(argv);
  o.env = server_env(c);
  o.log_file = c.path("logs/setup.log");
  o.new_session = false;
  return o;
}

// Sets an environment variable for one scope.
class EnvOverride {
 public:
  EnvOverride(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~EnvOverride() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  EnvOverride(const EnvOverride&) = delete;
  EnvOverride& operator=(const EnvOverride&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

std::vector<std::string> server_env(const LabConfig& c) {
  return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C",
          "KRB5_CONFIG=" + c.path("etc/krb5-server.conf"),
          "KRB5_KDC_PROFILE=" + c.path("etc/kdc.conf")};
}

Status provision_kdc(const LabConfig& c) {
  if (auto s = write_file(c.path("kdc/kadm5.acl"), ""); !s.ok()) return s;
  // The master password goes to kdb5_util on stdin, never on its command line.
  auto master = random_password(32);
  auto o = tool(c, {"/usr/sbin/kdb5_util", "create", "-s", "-r", c.realm});
  std::string pw(reinterpret_cast<const char*>(master.data()), master.size());
  o.stdin_data = pw + "\n" + pw + "\n";
  secure_wipe(pw.data(), pw.size());
  auto created = run_ok(o, kToolTimeout);
  secure_wipe(o.stdin_data.data(), o.stdin_data.size());
  if (!created.ok()) return created;

  // This process edits the database in-process through kadm5, whose
  // context reads the KDC profile from the environment once, at open; the
  // caller's environment is restored right after (up may run inside a test).
  auto admin = [&] {
    EnvOverride cfg("KRB5_CONFIG", c.path("etc/krb5-server.conf"));
    EnvOverride profile("KRB5_KDC_PROFILE", c.path("etc/kdc.conf"));
    return KdcAdmin::open(c.realm);
  }();
  if (!admin.ok()) return admin.error();

  // Hosts, as a domain join makes them: a random machine password, AES keys
  // with the AD salt, the same keys under NAME$ and host/<fqdn>.
  for (const auto& h : c.hosts()) {
    auto password = random_password(120);
    const std::string salt = c.realm + "host" + lower(h.cn) + "." + c.domain;
    auto keys = aes_keys(password, salt, 1);
    if (!keys.ok()) return keys.error();
    const std::string keytab = c.path("keytabs/" + lower(h.cn) + ".keytab");
    for (const std::string& name :
         {h.sam + "@" + c.realm, "host/" + h.dns_host_name + "@" + c.realm}) {
      if (auto s = (*admin)->set_keys(name, *keys); !s.ok()) return s;
      if (auto s = write_keytab(keytab, name, *keys); !s.ok()) return s;
    }
  }
  for (const auto& dc : {c.dc1, c.dc2}) {
    if (auto s =
            (*admin)->create_random("ldap/" + dc + "@" + c.realm, c.path("keytabs/ldap.keytab"));
        !s.ok()) {
      return s;
    }
  }
  if (auto s =
          (*admin)->create_random("postgres/" + c.db + "@" + c.realm, c.path("pg/postgres.keytab"));
      !s.ok()) {
    return s;
  }
  // The domainless user: its password exists only in domainless-user.json.
  auto password = random_password(32);
  if (auto s = (*admin)->create_with_password(c.domainless_user + "@" + c.realm, password);
      !s.ok()) {
    return s;
  }
  SecretBytes json =
      SecretBytes::from_string("{\"username\":\"" + c.domainless_user + "\",\"password\":\"");
  json.append(password.data(), password.size());  // alphabet needs no JSON escaping
  const std::string tail = "\",\"domainName\":\"" + c.domain + "\"}\n";
  json.append(reinterpret_cast<const std::uint8_t*>(tail.data()), tail.size());
  return write_secret_file(c.path("domainless-user.json"), json);
}

Status provision_tls(const LabConfig& c) {
  const std::string d = c.path("tls/");
  std::string san = "subjectAltName=DNS:" + c.dc1 + ",DNS:" + c.dc2 + ",DNS:" + c.domain +
                    ",IP:" + c.dc1_address() + ",IP:" + c.dc2_address() +
                    "\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n";
  if (auto s = write_file(d + "ext.cnf", san); !s.ok()) return s;
  const std::vector<std::vector<std::string>> steps = {
      {"/usr/bin/openssl",
       "req",
       "-x509",
       "-newkey",
       "ec",
       "-pkeyopt",
       "ec_paramgen_curve:P-256",
       "-nodes",
       "-keyout",
       d + "ca.key",
       "-out",
       d + "ca.pem",
       "-days",
       "30",
       "-subj",
       "/CN=gmsa lab CA",
       "-addext",
       "basicConstraints=critical,CA:TRUE",
       "-addext",
       "keyUsage=critical,keyCertSign,cRLSign"},
      {"/usr/bin/openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", d + "dc.key", "-out", d + "dc.csr", "-subj", "/CN=" + c.dc1},
      {"/usr/bin/openssl", "x509", "-req", "-in", d + "dc.csr", "-CA", d + "ca.pem", "-CAkey",
       d + "ca.key", "-CAcreateserial", "-out", d + "dc.pem", "-days", "30", "-extfile",
       d + "ext.cnf"},
  };
  for (const auto& argv : steps) {
    if (auto s = run_ok(tool(c, argv), kToolTimeout); !s.ok()) return s;
  }
  return ok_status();
}

Status provision_directory(const LabConfig& c) {
  auto core = read_file("/etc/ldap/schema/core.ldif");
  if (!core.ok()) return core.error();
  auto o = tool(c, {"/usr/sbin/slapadd", "-n0", "-F", c.path("ldap/slapd.d")});
  o.stdin_data = slapd_config_ldif(c, *core, "/usr/lib/ldap");
  if (auto s = run_ok(o, kToolTimeout); !s.ok()) return s;

  RootKeyFacts rk;
  auto id_bytes = random_bytes(16);
  id_bytes[7] = static_cast<std::uint8_t>((id_bytes[7] & 0x0F) | 0x40);  // version 4 (wire order)
  id_bytes[8] = static_cast<std::uint8_t>((id_bytes[8] & 0x3F) | 0x80);
  std::copy(id_bytes.begin(), id_bytes.end(), rk.id.bytes.begin());
  rk.data = random_bytes(64);
  rk.create_time_nt = to_nt_time(std::chrono::system_clock::now());
  auto data = tool(c, {"/usr/sbin/slapadd", "-n1", "-F", c.path("ldap/slapd.d"), "-q"});
  data.stdin_data = directory_ldif(c, rk);  // carries the root key: stdin only, never a file
  secure_wipe(rk.data.data(), rk.data.size());
  auto st = run_ok(data, kToolTimeout);
  secure_wipe(data.stdin_data.data(), data.stdin_data.size());
  return st;
}

Result<PostgresUser> postgres_user() {
  passwd* pw = ::getpwnam("postgres");
  if (!pw) return Error{"postgres", "no such user (install postgresql-15)"};
  return PostgresUser{pw->pw_uid, pw->pw_gid};
}

Result<pid_t> start_initdb(const LabConfig& c) {
  auto pg = postgres_user();
  if (!pg.ok()) return pg.error();
  if (auto s = make_dirs(c.path("pg/run"), 0700); !s.ok()) return s.error();
  if (auto s = chown_tree(c.path("pg"), pg->uid, pg->gid); !s.ok()) return s.error();
  SpawnOptions o = tool(c, {std::string(kPgBin) + "initdb", "-D", c.path("pg/data"), "-U",
                            "postgres", "--no-sync", "--auth=peer", "-E", "UTF8", "--locale=C"});
  o.log_file = c.path("logs/postgres-setup.log");
  o.uid = pg->uid;
  o.gid = pg->gid;
  return spawn(o);
}

Status finish_postgres(const LabConfig& c, pid_t initdb) {
  auto pg = postgres_user();
  if (!pg.ok()) return pg.error();
  auto rc = wait_child(initdb, "initdb", kToolTimeout);
  if (!rc.ok()) return rc.error();
  if (*rc != 0) return Error{"initdb", "failed (see " + c.path("logs/postgres-setup.log") + ")"};
  const std::string data = c.path("pg/data/");
  if (auto s = write_file(data + "postgresql.conf", postgresql_conf(c), 0600); !s.ok()) return s;
  if (auto s = write_file(data + "pg_hba.conf", pg_hba_conf(c), 0600); !s.ok()) return s;
  if (auto s = write_file(data + "pg_ident.conf", pg_ident_conf(c), 0600); !s.ok()) return s;
  if (auto s = chown_tree(c.path("pg"), pg->uid, pg->gid); !s.ok()) return s;
  SpawnOptions o =
      tool(c, {std::string(kPgBin) + "postgres", "--single", "-D", c.path("pg/data"), "postgres"});
  o.log_file = c.path("logs/postgres-setup.log");
  o.uid = pg->uid;
  o.gid = pg->gid;
  o.stdin_data = "CREATE ROLE webapp LOGIN;\nCREATE DATABASE webapp OWNER webapp;\n";
  return run_ok(o, kToolTimeout);
}

}  // namespace gmsa::lab
