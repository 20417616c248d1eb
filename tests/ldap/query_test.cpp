#include "gmsa/ldap/query.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "gmsa/ldap/directory.hpp"

namespace gmsa::ldap {
namespace {

bool asks_password(const std::vector<std::string>& attrs) {
  return std::find(attrs.begin(), attrs.end(), "msDS-ManagedPassword") != attrs.end();
}

TEST(GmsaAttributes, PasswordOnlyAtOrAboveTheMinimumSsf) {
  EXPECT_FALSE(asks_password(gmsa_attributes(0, 56)));
  EXPECT_FALSE(asks_password(gmsa_attributes(55, 56)));
  EXPECT_TRUE(asks_password(gmsa_attributes(56, 56)));
  EXPECT_TRUE(asks_password(gmsa_attributes(256, 128)));
  EXPECT_FALSE(asks_password(gmsa_attributes(56, 128)));
  // A plaintext connection never asks, even if the caller set min_ssf 0.
  EXPECT_FALSE(asks_password(gmsa_attributes(0, 0)));
  EXPECT_EQ(gmsa_attributes(0, 56).size(), 6u);
}

TEST(GmsaFilter, AddsTheDollarOnceAndEscapes) {
  EXPECT_EQ(gmsa_filter("WEBAPP01").value(),
            "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=WEBAPP01$))");
  EXPECT_EQ(gmsa_filter("WEBAPP01$").value(),
            "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=WEBAPP01$))");
  EXPECT_EQ(
      gmsa_filter("a*)(cn=x\\").value(),
      "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=a\\2A\\29\\28cn=x\\5C$))");
}

TEST(GmsaFilter, RejectsEmptyLongAndNul) {
  EXPECT_EQ(gmsa_filter("").error().what(), "account: is empty");
  EXPECT_EQ(gmsa_filter("$").error().what(), "account: is empty");
  EXPECT_EQ(gmsa_filter(std::string(256, 'A')).error().what(), "account: is longer than 255 bytes");
  EXPECT_EQ(gmsa_filter(std::string("A\0B", 3)).error().what(), "account: contains a NUL byte");
}

TEST(TlsCipherSsf, FromTheCipherName) {
  EXPECT_EQ(tls_cipher_ssf("AES-256-GCM"), 256u);
  EXPECT_EQ(tls_cipher_ssf("TLS_AES_128_GCM_SHA256"), 128u);
  EXPECT_EQ(tls_cipher_ssf("CHACHA20-POLY1305"), 256u);
  EXPECT_EQ(tls_cipher_ssf("ECDHE-RSA-AES256-GCM-SHA384"), 256u);
  EXPECT_EQ(tls_cipher_ssf("ECDHE-RSA-AES128-GCM-SHA256"), 128u);
  EXPECT_EQ(tls_cipher_ssf("NULL-SHA256"), 0u);
  EXPECT_EQ(tls_cipher_ssf(""), 0u);
}

TEST(DnToDnsName, TakesDcComponents) {
  EXPECT_EQ(dn_to_dns_name("DC=contoso,DC=test"), "contoso.test");
  EXPECT_EQ(dn_to_dns_name("CN=Configuration, dc=Corp,dc=Contoso,dc=com"), "Corp.Contoso.com");
  EXPECT_EQ(dn_to_dns_name("CN=x"), "");
}

TEST(ConnectGssapi, RefusesNamesItWouldHaveToResolve) {
  ConnectOptions o;
  auto r = connect_gssapi({"dc1.contoso.test", "dc1.contoso.test", 389, false}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(),
            "dc1.contoso.test (dc1.contoso.test:389): address must be an IP literal");
  r = connect_gssapi({"", "127.0.0.1", 389, false}, o);
  EXPECT_EQ(r.error().what(), "host: must be a DNS name such as dc1.contoso.test");
}

TEST(ConnectGssapi, ConnectFailureNamesTheDc) {
  // A closed loopback port: refused at once, never leaves the machine.
  ConnectOptions o;
  auto r = connect_gssapi({"dc9.contoso.test", "127.0.0.1", 1, false}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "dc9.contoso.test (127.0.0.1:1): connect: Connection refused");
}

}  // namespace
}  // namespace gmsa::ldap
