// Pure configuration generators of the lab (no servers).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gmsa/common/encoding.hpp"
#include "gmsa/lab/config.hpp"
#include "gmsa/lab/rotation.hpp"

namespace gmsa::lab {
namespace {

LabConfig cfg() {
  LabConfig c;
  c.dir = "/tmp/labx";
  return c;
}

TEST(LabConfig, ClientKrb5ConfNeverAsksDns) {
  const std::string k = client_krb5_conf(cfg());
  for (const char* line :
       {"default_realm = CONTOSO.TEST", "dns_lookup_kdc = false", "dns_lookup_realm = false",
        "rdns = false", "dns_canonicalize_hostname = false", "kdc = 10.213.0.11:88",
        "kdc = 10.213.0.12:88", ".contoso.test = CONTOSO.TEST"}) {
    EXPECT_NE(k.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(k.find("ignore_acceptor_hostname"), std::string::npos);
  EXPECT_NE(server_krb5_conf(cfg()).find("ignore_acceptor_hostname = true"), std::string::npos);
}

TEST(LabConfig, KdcListensOnBothDcsAndLogsUnderDir) {
  const std::string k = kdc_conf(cfg());
  EXPECT_NE(k.find("kdc_listen = 10.213.0.11:88, 10.213.0.12:88"), std::string::npos);
  EXPECT_NE(k.find("kdc = FILE:/tmp/labx/logs/krb5kdc.log"), std::string::npos);
  EXPECT_NE(k.find("database_name = /tmp/labx/kdc/principal"), std::string::npos);
}

TEST(LabConfig, SchemaUsesTheRealAdOids) {
  const std::string s = ad_schema_ldif();
  for (const char* def :
       {"( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'",
        "( 1.2.840.113556.1.4.2196 NAME 'msDS-ManagedPassword'",
        "( 1.2.840.113556.1.4.2200 NAME 'msDS-GroupMSAMembership'",
        "( 1.2.840.113556.1.4.146 NAME 'objectSid'",
        "( 1.2.840.113556.1.5.282 NAME 'msDS-GroupManagedServiceAccount' SUP computer",
        "( 1.2.840.113556.1.3.30 NAME 'computer' SUP user",
        "( 1.2.840.113556.1.5.278 NAME 'msKds-ProvRootKey'",
        "( 1.2.840.113556.1.4.2175 NAME 'msKds-RootKeyData'"}) {
    EXPECT_NE(s.find(def), std::string::npos) << def;
  }
}

TEST(LabConfig, SlapdConfigProtectsThePasswordAndMapsSaslIdentities) {
  const std::string s =
      slapd_config_ldif(cfg(), "dn: cn=core,cn=schema,cn=config\n", "/usr/lib/ldap");
  EXPECT_NE(s.find("olcSaslSecProps: noanonymous,noplain,minssf=56\n"), std::string::npos);
  EXPECT_NE(s.find("olcDisallows: bind_anon\n"), std::string::npos);
  EXPECT_NE(
      s.find("to dn.exact=\"CN=WEBAPP01,CN=Managed Service Accounts,DC=contoso,DC=test\" "
             "attrs=msDS-ManagedPassword by group/group/member.exact=\"CN=gMSA-Hosts,CN=Users,"
             "DC=contoso,DC=test\" ssf=128 read by * none"),
      std::string::npos);
  EXPECT_NE(s.find("to attrs=msDS-ManagedPassword by * none"), std::string::npos);
  EXPECT_NE(s.find("\"^uid=(host/[^,]+),(cn=contoso[.]test,)?cn=gssapi,cn=auth$\" "
                   "\"ldap:///DC=contoso,DC=test??sub?(servicePrincipalName=$1)\""),
            std::string::npos);
  EXPECT_NE(s.find("olcTLSCertificateFile: /tmp/labx/tls/dc.pem"), std::string::npos);
}

TEST(LabConfig, DirectoryHoldsTheAccountsWithBinarySids) {
  RootKeyFacts rk;
  rk.id = Guid::parse("0670b5ed-f2aa-9a86-dd0e-49cfc2130533").value();
  rk.data = std::vector<std::uint8_t>(64, 7);
  rk.create_time_nt = 133211195280000000ULL;
  const std::string d = directory_ldif(cfg(), rk);
  const Sid sid = account_sid(cfg(), 1103);
  EXPECT_EQ(sid.to_string(), "S-1-5-21-3623811015-3361044348-30300820-1103");
  EXPECT_NE(d.find("sAMAccountName: WEBAPP01$\n"), std::string::npos);
  EXPECT_NE(d.find("objectSid:: " + to_base64(sid.to_binary()) + "\n"), std::string::npos);
  EXPECT_NE(d.find("member: CN=ECSHOST01,CN=Computers,DC=contoso,DC=test\n"), std::string::npos);
  EXPECT_EQ(d.find("member: CN=ECSHOST02"), std::string::npos);
  EXPECT_NE(d.find("dn: CN=0670b5ed-f2aa-9a86-dd0e-49cfc2130533,CN=Master Root Keys,"),
            std::string::npos);
  EXPECT_NE(d.find("msKds-UseStartTime: 133210835280000000\n"), std::string::npos);
  EXPECT_NE(d.find("nETBIOSName: CONTOSO\n"), std::string::npos);
}

TEST(LabConfig, MembershipDescriptorIsSelfRelativeWithOneAllowAce) {
  const Sid group = Sid::parse("S-1-5-21-1-2-3-1105").value();
  auto sd = membership_descriptor(group);
  auto g = group.to_binary();
  ASSERT_EQ(sd.size(), 20u + 8u + 8u + g.size() + 16u);
  EXPECT_EQ(sd[0], 1);
  EXPECT_EQ(sd[2], 0x04);  // SE_DACL_PRESENT
  EXPECT_EQ(sd[3], 0x80);  // SE_SELF_RELATIVE
  EXPECT_EQ(sd[16], 20);   // OffsetDacl
  EXPECT_EQ(sd[20], 2);    // AclRevision
  EXPECT_EQ(sd[24], 1);    // AceCount
  EXPECT_EQ(sd[28], 0);    // ACCESS_ALLOWED_ACE_TYPE
  EXPECT_TRUE(std::equal(g.begin(), g.end(), sd.begin() + 36));
}

TEST(LabConfig, DnsmasqServesSrvForBothDcsWithoutUpstream) {
  auto a = dnsmasq_args(cfg());
  auto has = [&](const std::string& s) { return std::find(a.begin(), a.end(), s) != a.end(); };
  EXPECT_TRUE(has("--no-resolv"));
  EXPECT_TRUE(has("--no-hosts"));
  EXPECT_TRUE(has("--srv-host=_ldap._tcp.dc._msdcs.contoso.test,dc1.contoso.test,389,0,100"));
  EXPECT_TRUE(has("--srv-host=_ldap._tcp.dc._msdcs.contoso.test,dc2.contoso.test,389,0,100"));
  EXPECT_TRUE(has("--srv-host=_kerberos._tcp.contoso.test,dc2.contoso.test,88,0,100"));
  EXPECT_TRUE(has("--host-record=dc2.contoso.test,10.213.0.12"));
}

TEST(LabConfig, PostgresAcceptsOnlyGssForWebapp) {
  EXPECT_NE(pg_hba_conf(cfg()).find(
                "host    webapp    webapp    10.213.0.0/24  gss map=gmsa include_realm=1 "
                "krb_realm=CONTOSO.TEST"),
            std::string::npos);
  EXPECT_EQ(pg_hba_conf(cfg()).find("md5"), std::string::npos);
  EXPECT_EQ(
      pg_ident_conf(cfg()),
      "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\ngmsa  /^WEBAPP01\\$@CONTOSO\\.TEST$  webapp\n");
}

TEST(LabConfig, LabJsonCarriesTheFacts) {
  auto c = cfg();
  c.rotation = std::chrono::seconds(20);
  auto j = nlohmann::json::parse(lab_json(c));
  EXPECT_EQ(j["realm"], "CONTOSO.TEST");
  EXPECT_EQ(j["dcs"][1]["address"], "10.213.0.12");
  EXPECT_EQ(j["hostPrincipal"], "ECSHOST01$@CONTOSO.TEST");
  EXPECT_EQ(j["hosts"][1]["allowed"], false);
  EXPECT_EQ(j["domainlessUser"]["file"], "/tmp/labx/domainless-user.json");
  EXPECT_EQ(j["postgres"]["address"], "10.213.0.20");
  EXPECT_EQ(j["rotation"]["realSecondsPerPeriod"], 20);
  EXPECT_EQ(j["krb5Config"], "/tmp/labx/krb5.conf");
}

TEST(LabConfig, EnvLinesQuoteValues) {
  const std::string e = env_lines(cfg());
  EXPECT_NE(e.find("export KRB5_CONFIG='/tmp/labx/krb5.conf'\n"), std::string::npos);
  EXPECT_NE(e.find("export GMSA_LAB_HOST_PRINCIPAL='ECSHOST01$@CONTOSO.TEST'\n"),
            std::string::npos);
}

TEST(LabConfig, ParseDuration) {
  EXPECT_EQ(parse_duration("20s").value(), std::chrono::seconds(20));
  EXPECT_EQ(parse_duration("5m").value(), std::chrono::seconds(300));
  EXPECT_EQ(parse_duration("2h").value(), std::chrono::seconds(7200));
  EXPECT_EQ(parse_duration("1d").value(), std::chrono::seconds(86400));
  for (const char* bad : {"", "s", "0s", "-5s", "5", "5x", "1.5m", "99999999999s"}) {
    ASSERT_FALSE(parse_duration(bad).ok()) << bad;
    EXPECT_EQ(parse_duration(bad).error().what(),
              "--rotation: must be a positive duration such as 20s, 5m, 2h or 1d");
  }
}

TEST(TimeMap, RealTimeIsTheIdentity) {
  const SystemTime t0 = from_nt_time(133211195280000000ULL);
  auto m = TimeMap::make(t0, 30, std::chrono::seconds(0));
  EXPECT_FALSE(m.scaled());
  EXPECT_EQ(m.to_virtual(t0 + std::chrono::hours(5)),
            133211195280000000ULL + 5ULL * 36'000'000'000ULL);
  EXPECT_EQ(m.real_interval(12345), 12345u);
}

TEST(TimeMap, OnePeriodTakesTheRotationDuration) {
  const std::uint64_t anchor = 133211195280000000ULL;
  const SystemTime t0 = from_nt_time(anchor);
  auto m = TimeMap::make(t0, 30, std::chrono::seconds(20));
  ASSERT_TRUE(m.scaled());
  const std::uint64_t period = 72ULL * 360'000'000'000ULL;  // 30 days in key cycles
  EXPECT_EQ(m.to_virtual(t0), anchor);
  EXPECT_EQ(m.to_virtual(t0 + std::chrono::seconds(20)), anchor + period);
  EXPECT_EQ(m.to_virtual(t0 + std::chrono::seconds(10)), anchor + period / 2);
  // The 5-minute lead window becomes 5 min * 20 s / 720 h = 2.3148 ms.
  EXPECT_EQ(m.real_interval(3'000'000'000ULL), 23148u);
  // to_real is the inverse (rounded up to the next 100 ns).
  EXPECT_EQ(m.to_real(anchor + period), t0 + std::chrono::seconds(20));
  EXPECT_GE(m.to_virtual(m.to_real(anchor + 12345678901ULL)), anchor + 12345678901ULL);
}

TEST(Kvno, OnePerChangeFromTheFirstKey) {
  EXPECT_EQ(kvno_for(370031, 370031, 72), 1);
  EXPECT_EQ(kvno_for(370031, 370103, 72), 2);
  EXPECT_EQ(kvno_for(370031, 370535, 72), 8);
  EXPECT_EQ(kvno_for(370031, 370000, 72), 1);
}

}  // namespace
}  // namespace gmsa::lab
