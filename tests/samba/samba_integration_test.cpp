// The Samba AD DC profile against real AD behaviour: `gmsa lab up --samba`
// once for the binary, then `gmsa credspec new` and the daemon's fetch path
// against a real DC. Facts are read independently of the code under test
// (ldbsearch on the DC's sam.ldb; libldap for the simple bind).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <ldap.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gmsa/cli/cli.hpp"
#include "gmsa/common/clock.hpp"
#include "gmsa/credspec/credspec.hpp"
#include "gmsa/daemon/directory_source.hpp"
#include "gmsa/daemon/dns_srv.hpp"
#include "gmsa/krb/krb.hpp"
#include "gmsa/lab/process.hpp"
#include "gmsa/lab/samba.hpp"
#include "gmsa/ldap/directory.hpp"

namespace gmsa {
namespace {

struct CliResult {
  int code = -1;
  std::string out, err;
};

CliResult cli(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out, err;
  CliResult r;
  r.code = cli::run(args, {in, out, err});
  r.out = out.str();
  r.err = err.str();
  return r;
}

// The DC, up once for the whole binary, under its own machine-wide flock.
class SambaLab : public ::testing::Environment {
 public:
  static inline lab::SambaConfig config;
  static inline nlohmann::json facts;
  static inline std::string setup_error = "not set up";
  static inline long up_ms = 0;

  void SetUp() override {
    for (const auto& p : lab::samba_programs()) {
      if (::access(p.c_str(), X_OK) != 0) {
        setup_error = p +
                      " is missing: the Samba packages (scripts/deps/samba.txt) are not "
                      "installed; run scripts/install-deps.sh";
        ADD_FAILURE() << setup_error;
        return;
      }
    }
    std::filesystem::create_directories("/run/gmsa-lab");
    lock_fd_ = ::open("/run/gmsa-lab/gmsa-samba.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0) {
      setup_error = "cannot lock /run/gmsa-lab/gmsa-samba.lock";
      ADD_FAILURE() << setup_error;
      return;
    }
    char tmpl[] = "/tmp/gmsa-samba-test-XXXXXX";
    config.dir = ::mkdtemp(tmpl);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = cli({"lab", "up", "--samba", "--dir", config.dir});
    up_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    std::cout << r.out << r.err;
    if (r.code != 0) {
      setup_error = "gmsa lab up --samba failed: " + r.err;
      ADD_FAILURE() << setup_error;
      return;
    }
    std::ifstream f(config.path("lab.json"));
    facts = nlohmann::json::parse(f);
    // GSSAPI inside libldap reads KRB5_CONFIG process-wide.
    ::setenv("KRB5_CONFIG", config.path("krb5.conf").c_str(), 1);
    setup_error.clear();
  }

  void TearDown() override {
    if (!config.dir.empty()) {
      auto r = cli({"lab", "down", "--dir", config.dir});
      EXPECT_EQ(r.code, 0) << r.err;
      EXPECT_NE(r.out.find("no process, namespace gmsa-samba or veth gmsasmb0 left"),
                std::string::npos)
          << r.out;
      struct stat st {};
      EXPECT_NE(::stat("/run/netns/gmsa-samba", &st), 0);
      std::error_code ec;
      std::filesystem::remove_all(config.dir, ec);
    }
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

 private:
  int lock_fd_ = -1;
};

[[maybe_unused]] auto* const env = ::testing::AddGlobalTestEnvironment(new SambaLab);

#define REQUIRE_LAB() ASSERT_TRUE(SambaLab::setup_error.empty()) << SambaLab::setup_error

// ldbsearch on the DC's own database (not through LDAP or the code under
// test): attribute -> first value.
std::map<std::string, std::string> ldb(const std::string& base, const std::string& scope,
                                       const std::string& filter,
                                       const std::vector<std::string>& attrs) {
  const auto& c = SambaLab::config;
  const std::string out = c.path("run/test-ldbsearch.txt");
  std::remove(out.c_str());
  lab::SpawnOptions o;
  o.argv = {"/usr/bin/ldbsearch", "-H", c.sam_ldb(), "-s", scope, "-b", base, filter};
  o.argv.insert(o.argv.end(), attrs.begin(), attrs.end());
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"};
  o.log_file = out;
  o.new_session = false;
  auto st = lab::run_ok(o, std::chrono::seconds(60));
  EXPECT_TRUE(st.ok()) << st.error().what();
  std::ifstream f(out);
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(f, line)) {
    auto colon = line.find(": ");
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    values.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  return values;
}

TEST(SambaLab, UpWritesTheJoinedHostAndTheDc) {
  REQUIRE_LAB();
  std::cout << "gmsa lab up --samba took " << SambaLab::up_ms << " ms\n";
  const auto& f = SambaLab::facts;
  EXPECT_EQ(f["profile"], "samba");
  EXPECT_EQ(f["realm"], "SAMDOM.TEST");
  EXPECT_EQ(f["netns"], "gmsa-samba");
  EXPECT_EQ(f["dcs"][0]["address"], "10.215.0.11");
  EXPECT_EQ(f["hostPrincipal"], "GMSAHOST$@SAMDOM.TEST");
  // The joined host as the DC sees it: an enabled workstation account with
  // the SPNs adcli registered.
  auto host = ldb(SambaLab::config.base_dn, "sub", "(sAMAccountName=GMSAHOST$)",
                  {"userAccountControl", "dNSHostName"});
  // WORKSTATION_TRUST_ACCOUNT | DONT_EXPIRE_PASSWORD, as adcli sets it.
  EXPECT_EQ(host["userAccountControl"], "69632");
  EXPECT_EQ(host["dNSHostName"], "gmsahost.samdom.test");
  auto gmsa = ldb(SambaLab::config.base_dn, "sub", "(sAMAccountName=WEBAPP01$)", {"objectClass"});
  EXPECT_EQ(gmsa["dn"], "CN=WEBAPP01,CN=Managed Service Accounts,DC=samdom,DC=test");
  // No secret in the logs: provision's printed Administrator password is
  // dropped (and replaced at once by a password only `up` ever knew).
  std::ifstream p(SambaLab::config.path("logs/provision.log"));
  std::stringstream text;
  text << p.rdbuf();
  EXPECT_EQ(text.str().find("Admin password"), std::string::npos);
  EXPECT_NE(text.str().find("DOMAIN SID"), std::string::npos);
}

TEST(SambaLab, CredspecNewCarriesWhatSambaReports) {
  REQUIRE_LAB();
  const auto& c = SambaLab::config;
  auto r = cli(
      {"credspec", "new", "--account", "WEBAPP01", "--domain", "samdom.test", "--lab-dir", c.dir});
  ASSERT_EQ(r.code, 0) << r.err;
  auto spec = credspec::parse(r.out);
  ASSERT_TRUE(spec.ok()) << spec.error().what();
  ASSERT_TRUE(credspec::validate(*spec).ok());

  auto domain = ldb(c.base_dn, "base", "(objectClass=*)", {"objectSid", "objectGUID"});
  auto root = ldb("", "base", "(objectClass=*)", {"rootDomainNamingContext"});
  auto xref = ldb("CN=Partitions,CN=Configuration," + c.base_dn, "one",
                  "(nCName=" + c.base_dn + ")", {"nETBIOSName", "dnsRoot"});
  auto forest = ldb("CN=Partitions,CN=Configuration," + c.base_dn, "one",
                    "(nCName=" + root["rootDomainNamingContext"] + ")", {"dnsRoot"});
  ASSERT_FALSE(domain["objectSid"].empty());
  const auto& d = spec->domain_join;
  EXPECT_EQ(d.sid, domain["objectSid"]);
  EXPECT_EQ(d.guid, domain["objectGUID"]);
  EXPECT_EQ(d.netbios_name, xref["nETBIOSName"]);
  EXPECT_EQ(d.dns_name, xref["dnsRoot"]);
  EXPECT_EQ(d.dns_tree_name, forest["dnsRoot"]);
  EXPECT_EQ(d.machine_account_name, "WEBAPP01");
  EXPECT_EQ(d.netbios_name, "SAMDOM");
  EXPECT_EQ(d.sid, SambaLab::facts["domainSid"]);
  ASSERT_EQ(spec->accounts.size(), 2u);
  EXPECT_EQ(spec->accounts[0].name, "WEBAPP01");
  EXPECT_EQ(spec->accounts[0].scope, "samdom.test");
  EXPECT_EQ(spec->accounts[1].scope, "SAMDOM");

  auto missing = cli(
      {"credspec", "new", "--account", "NOSUCH01", "--domain", "samdom.test", "--lab-dir", c.dir});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err,
            "gmsa credspec new: dc1.samdom.test (10.215.0.11:389): no gMSA named NOSUCH01 under "
            "DC=samdom,DC=test\n");
}

daemon::DaemonConfig daemon_config() {
  const auto& c = SambaLab::config;
  daemon::DaemonConfig cfg;
  cfg.domain = c.domain;
  cfg.krb5_conf = c.path("krb5.conf");
  cfg.host_keytab = c.host_keytab();
  cfg.host_principal = c.host_principal();
  cfg.dns_server = c.dc_address();  // Samba's own DNS: SRV discovery, no explicit DC
  return cfg;
}

TEST(SambaLab, DaemonFetchPathNamesTheMissingPassword) {
  REQUIRE_LAB();
  auto cfg = daemon_config();
  ASSERT_TRUE(daemon::finalize(cfg).ok());
  daemon::OpenSslRandom random;
  // SRV discovery of the DC from Samba's DNS.
  auto dcs = daemon::discover_dcs(cfg, random);
  ASSERT_TRUE(dcs.ok()) << dcs.error().what();
  ASSERT_EQ(dcs->size(), 1u);
  EXPECT_EQ((*dcs)[0], (daemon::DcConfig{"dc1.samdom.test", "10.215.0.11", 389, false}));

  // Host TGT from the joined keytab, as NAME$.
  auto ctx = krb::Context::open(cfg.krb5_conf);
  ASSERT_TRUE(ctx.ok());
  auto tgt = krb::tgt_from_keytab(*ctx, cfg.host_keytab, "GMSAHOST$@SAMDOM.TEST");
  ASSERT_TRUE(tgt.ok()) << tgt.error().what();
  auto cc = krb::MemoryCcache::create(*ctx, *tgt);
  ASSERT_TRUE(cc.ok());

  // Sealed GSSAPI bind and the gMSA search, as the daemon does them.
  ldap::ConnectOptions o;
  o.ccache_name = cc->name();
  o.krb5_config = cfg.krb5_conf;
  auto conn = ldap::connect_gssapi({"dc1.samdom.test", "10.215.0.11", 389, false}, o);
  ASSERT_TRUE(conn.ok()) << conn.error().what();
  EXPECT_GE((*conn)->ssf(), 56u);
  auto entry = (*conn)->find_gmsa(cfg.base_dn, "WEBAPP01");
  ASSERT_TRUE(entry.ok()) << entry.error().what();
  EXPECT_EQ(entry->dn, "CN=WEBAPP01,CN=Managed Service Accounts,DC=samdom,DC=test");
  EXPECT_EQ(entry->sam_account_name, "WEBAPP01$");
  EXPECT_EQ(entry->dns_host_name, "webapp01.samdom.test");
  EXPECT_FALSE(entry->managed_password.has_value());  // Samba 4.17 never returns it

  // The whole fetch path in the daemon's source: a clear error.
  RealClock clock;
  daemon::DirectorySource source(cfg, random, clock);
  ASSERT_TRUE(source.check_host().ok());
  auto pw = source.read_password({"WEBAPP01", "samdom.test"}, daemon::Authority{});
  ASSERT_FALSE(pw.ok());
  EXPECT_EQ(pw.error().what(),
            "directory: dc1.samdom.test: msDS-ManagedPassword not returned for WEBAPP01$: the host "
            "may not be allowed to read it (PrincipalsAllowedToRetrieveManagedPassword) or the "
            "DC does not serve it");
  EXPECT_EQ(source.last_dc(), "dc1.samdom.test");
}

TEST(SambaLab, UnencryptedConnectionsAreRefused) {
  REQUIRE_LAB();
  const auto& c = SambaLab::config;
  // A simple bind without TLS: the DC refuses it before checking anything.
  LDAP* ld = nullptr;
  ASSERT_EQ(ldap_initialize(&ld, "ldap://10.215.0.11:389"), LDAP_SUCCESS);
  int v3 = LDAP_VERSION3;
  ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
  berval cred{5, const_cast<char*>("wrong")};
  const std::string dn = "CN=GMSAHOST,CN=Computers," + c.base_dn;
  int rc = ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  char* diag = nullptr;
  ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
  EXPECT_EQ(rc, LDAP_STRONG_AUTH_REQUIRED);
  EXPECT_STREQ(diag, "BindSimple: Transport encryption required.");
  if (diag) ldap_memfree(diag);
  ldap_unbind_ext_s(ld, nullptr, nullptr);

  // GSSAPI over LDAPS: the client asks for no SASL layer inside TLS (AD
  // refuses sign/seal inside TLS), while Samba 4.17 insists on one: the bind
  // fails, and the client makes no search on a connection it could not bind.
  auto ctx = krb::Context::open(c.path("krb5.conf"));
  ASSERT_TRUE(ctx.ok());
  auto tgt = krb::tgt_from_keytab(*ctx, c.host_keytab(), c.host_principal());
  ASSERT_TRUE(tgt.ok());
  auto cc = krb::MemoryCcache::create(*ctx, *tgt);
  ASSERT_TRUE(cc.ok());
  ldap::ConnectOptions o;
  o.ccache_name = cc->name();
  o.krb5_config = c.path("krb5.conf");
  o.ca_file = c.path("samba/private/tls/ca.pem");
  auto conn = ldap::connect_gssapi({"dc1.samdom.test", "10.215.0.11", 636, true}, o);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().what(),
            "dc1.samdom.test (10.215.0.11:636): SASL GSSAPI bind refused: Strong(er) "
            "authentication required (SASL:[GSSAPI]: Sign or Seal are required.)");
}

}  // namespace
}  // namespace gmsa
