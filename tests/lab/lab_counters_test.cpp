#include <gtest/gtest.h>

#include "gmsa/lab/counters.hpp"

namespace gmsa::lab {
namespace {

TEST(LabCounters, CountsKdcAndSlapdLines) {
  const std::string kdc =
      "Dec 03 16:22:55 vm krb5kdc[1](info): AS_REQ (8 etypes {...}) 10.213.0.1: NEEDED_PREAUTH: "
      "WEBAPP01$@CONTOSO.TEST for krbtgt/CONTOSO.TEST@CONTOSO.TEST, Additional pre-authentication "
      "required\n"
      "Dec 03 16:22:55 vm krb5kdc[1](info): AS_REQ (8 etypes {...}) 10.213.0.1: ISSUE: authtime 1, "
      "etypes {...}, WEBAPP01$@CONTOSO.TEST for krbtgt/CONTOSO.TEST@CONTOSO.TEST\n"
      "Dec 03 16:22:56 vm krb5kdc[1](info): TGS_REQ (8 etypes {...}) 10.213.0.1: ISSUE: authtime "
      "1, "
      "etypes {...}, ECSHOST01$@CONTOSO.TEST for ldap/dc1.contoso.test@CONTOSO.TEST\n"
      "Dec 03 16:22:56 vm krb5kdc[1](info): commencing operation\n";
  const std::string slapd =
      "6b1 0x7f conn=1005 op=2 BIND dn=\"cn=ecshost01,cn=computers,dc=contoso,dc=test\" "
      "mech=GSSAPI "
      "bind_ssf=256 ssf=256\n"
      "6b1 0x7f conn=1005 op=3 SRCH base=\"DC=contoso,DC=test\" scope=2 deref=0 filter=\"(...)\"\n"
      "6b1 0x7f conn=1005 op=3 SRCH attr=sAMAccountName dNSHostName msDS-ManagedPassword\n"
      "6b1 0x7f conn=1004 op=2 MOD attr=msDS-ManagedPassword msDS-ManagedPasswordId\n";
  const LabCounters c = count_logs(kdc, slapd);
  EXPECT_EQ(c.as_issued, 1u);
  EXPECT_EQ(c.as_failed, 1u);
  EXPECT_EQ(c.tgs_issued, 1u);
  EXPECT_EQ(c.gssapi_binds, 1u);
  EXPECT_EQ(c.searches, 1u);
  EXPECT_EQ(c.password_requests, 1u);
  EXPECT_EQ(c.password_writes, 1u);
  EXPECT_EQ(count_logs("", "").as_issued, 0u);
}

}  // namespace
}  // namespace gmsa::lab
