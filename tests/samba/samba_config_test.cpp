// The Samba profile's generated text (no servers).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gmsa/lab/samba.hpp"

namespace gmsa::lab {
namespace {

TEST(SambaConfig, Krb5ConfNamesTheDcByAddressAndNeverAsksDns) {
  SambaConfig c;
  const std::string conf = samba_krb5_conf(c);
  for (const char* line :
       {"default_realm = SAMDOM.TEST", "dns_lookup_kdc = false", "dns_lookup_realm = false",
        "rdns = false", "dns_canonicalize_hostname = false", "kdc = 10.215.0.11"}) {
    EXPECT_NE(conf.find(line), std::string::npos) << line;
  }
}

TEST(SambaConfig, SmbConfDropsTheForwarderAndHostLogs) {
  SambaConfig c;
  const std::string provisioned =
      "# Global parameters\n[global]\n\tdns forwarder = 10.255.255.53\n\tinterfaces = "
      "10.215.0.11\n\tlog file = /var/log/samba/log.%m\n\tlogging = file\n\tpanic action = "
      "/usr/share/samba/panic-action %d\n\trealm = SAMDOM.TEST\n\n[sysvol]\n\tpath = /x\n";
  const std::string conf = samba_smb_conf(c, provisioned);
  EXPECT_EQ(conf.find("10.255.255.53"), std::string::npos);
  EXPECT_EQ(conf.find("/var/log/samba"), std::string::npos);
  EXPECT_EQ(conf.find("panic-action"), std::string::npos);
  EXPECT_NE(conf.find("\tdns forwarder =\n"), std::string::npos);
  EXPECT_NE(conf.find("\tdns update command = /bin/true\n"), std::string::npos);
  EXPECT_NE(conf.find("\tinterfaces = 10.215.0.11\n"), std::string::npos);
  EXPECT_NE(conf.find("[sysvol]\n\tpath = /x\n"), std::string::npos);
}

TEST(SambaConfig, GmsaLdifAllowsDomainComputers) {
  SambaConfig c;
  const std::string ldif = samba_gmsa_ldif(c);
  EXPECT_EQ(ldif.rfind("dn: CN=WEBAPP01,CN=Managed Service Accounts,DC=samdom,DC=test\n", 0), 0u);
  EXPECT_NE(ldif.find("objectClass: msDS-GroupManagedServiceAccount\n"), std::string::npos);
  EXPECT_NE(ldif.find("sAMAccountName: WEBAPP01$\n"), std::string::npos);
  EXPECT_NE(ldif.find("msDS-GroupMSAMembership: O:BAD:(A;;0xf01ff;;;DC)\n"), std::string::npos);
}

TEST(SambaConfig, LabJsonCarriesWhatCredspecNewReads) {
  SambaConfig c;
  c.dir = "/tmp/x";
  auto j = nlohmann::json::parse(samba_lab_json(c, {"S-1-5-21-1-2-3", "guid"}));
  EXPECT_EQ(j["profile"], "samba");
  EXPECT_EQ(j["domain"], "samdom.test");
  EXPECT_EQ(j["baseDn"], "DC=samdom,DC=test");
  EXPECT_EQ(j["krb5Config"], "/tmp/x/krb5.conf");
  EXPECT_EQ(j["hostKeytab"], "/tmp/x/keytabs/host.keytab");
  EXPECT_EQ(j["hostPrincipal"], "GMSAHOST$@SAMDOM.TEST");
  EXPECT_EQ(j["domainSid"], "S-1-5-21-1-2-3");
  EXPECT_EQ(j["dcs"][0]["name"], "dc1.samdom.test");
  EXPECT_EQ(j["dcs"][0]["ldapPort"], 389);
  EXPECT_EQ(j["gmsas"][0]["account"], "WEBAPP01$");
}

TEST(SambaConfig, ProfileMarker) {
  const auto dir = std::filesystem::temp_directory_path() / "gmsa-samba-profile-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "profile") << "mit\n";
  EXPECT_FALSE(is_samba_lab(dir));
  std::ofstream(dir / "profile") << "samba\n";
  EXPECT_TRUE(is_samba_lab(dir));
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(is_samba_lab(dir));
}

}  // namespace
}  // namespace gmsa::lab
