// The lab directory as AD presents it: sealed GSSAPI binds by allowed hosts
// read msDS-ManagedPassword; everyone else does not.
#include <arpa/inet.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gtest/gtest.h>
#include <ldap.h>
#include <netinet/in.h>
#include <openldap.h>
#include <sasl/sasl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/common/encoding.hpp"
#include "gmsa/common/ids.hpp"
#include "lab_env.hpp"

namespace gmsa::labtest {
namespace {

const char* kHost1 = "MEMORY:lab-host01";
const char* kHost2 = "MEMORY:lab-host02";

class Directory : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!lab().up) GTEST_SKIP() << "lab not up";
    const auto& hosts = lab().facts["hosts"];
    ASSERT_TRUE(tgt_from_keytab(hosts[0]["principal"], hosts[0]["keytab"], kHost1).ok());
    ASSERT_TRUE(tgt_from_keytab(hosts[1]["principal"], hosts[1]["keytab"], kHost2).ok());
  }
};

TEST_F(Directory, HostKeytabGetsTgtAsNameDollarAndAsHostSpn) {
  const auto& h = lab().facts["hosts"][0];
  auto st = tgt_from_keytab(h["principal"], h["keytab"], "MEMORY:lab-host01-a");
  EXPECT_TRUE(st.ok()) << st.error().what();
  st = tgt_from_keytab(h["servicePrincipal"], h["keytab"], "MEMORY:lab-host01-b");
  EXPECT_TRUE(st.ok()) << st.error().what();
}

TEST_F(Directory, SealedBindOfAllowedHostReadsTheBlobOnBothDcs) {
  for (int i = 0; i < 2; ++i) {
    auto conn = ldap::connect_gssapi(dc(i), options(kHost1));
    ASSERT_TRUE(conn.ok()) << conn.error().what();
    // Measured: the cyrus GSSAPI plugin reports the sealed layer as 256 (AES).
    EXPECT_EQ((*conn)->ssf(), 256u);
    auto e = (*conn)->find_gmsa(base_dn(), "WEBAPP01");
    ASSERT_TRUE(e.ok()) << e.error().what();
    EXPECT_EQ(e->sam_account_name, "WEBAPP01$");
    EXPECT_EQ(e->dns_host_name, "webapp01.contoso.test");
    EXPECT_EQ(e->service_principal_names, std::vector<std::string>{"HTTP/webapp01.contoso.test"});
    auto sid = Sid::from_binary(e->object_sid);
    ASSERT_TRUE(sid.ok());
    EXPECT_EQ(sid->to_string(), lab().facts["gmsas"][0]["sid"].get<std::string>());
    EXPECT_EQ(e->managed_password_interval_days, 30u);
    ASSERT_TRUE(e->managed_password.has_value());
    auto blob = blob::parse(e->managed_password->span());
    ASSERT_TRUE(blob.ok()) << blob.error().what();
    EXPECT_EQ(blob->current.size(), blob::kPasswordBytes);
    EXPECT_GT(blob->query_interval_100ns, 0u);
    EXPECT_EQ(e->managed_password_id.size() > 52, true);
  }
}

TEST_F(Directory, LdapsBindReadsTheBlob) {
  auto conn = ldap::connect_gssapi(dc(1, true), options(kHost1));
  ASSERT_TRUE(conn.ok()) << conn.error().what();
  EXPECT_GE((*conn)->ssf(), 128u);
  auto e = (*conn)->find_gmsa(base_dn(), "WEBAPP02$");
  ASSERT_TRUE(e.ok()) << e.error().what();
  EXPECT_EQ(e->sam_account_name, "WEBAPP02$");
  EXPECT_TRUE(e->managed_password.has_value());
}

TEST_F(Directory, HostOutsideTheGroupSeesTheAccountButNotThePassword) {
  auto conn = ldap::connect_gssapi(dc(0), options(kHost2));
  ASSERT_TRUE(conn.ok()) << conn.error().what();
  auto e = (*conn)->find_gmsa(base_dn(), "WEBAPP01");
  ASSERT_TRUE(e.ok()) << e.error().what();
  EXPECT_EQ(e->sam_account_name, "WEBAPP01$");
  EXPECT_FALSE(e->managed_password.has_value());
}

TEST_F(Directory, MissingAccountAndHostileNamesAreErrorsNotMatches) {
  auto conn = ldap::connect_gssapi(dc(0), options(kHost1));
  ASSERT_TRUE(conn.ok()) << conn.error().what();
  auto none = (*conn)->find_gmsa(base_dn(), "NOPE01");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "no gMSA named NOPE01 under DC=contoso,DC=test");
  // A '*' must be a literal, not a wildcard that matches both gMSAs.
  auto star = (*conn)->find_gmsa(base_dn(), "WEBAPP0*");
  ASSERT_FALSE(star.ok());
  EXPECT_EQ(star.error().message, "no gMSA named WEBAPP0* under DC=contoso,DC=test");
}

TEST_F(Directory, RequiredSsfAboveWhatGssapiOffersFailsTheConnect) {
  auto o = options(kHost1);
  o.min_ssf = 1000;
  auto conn = ldap::connect_gssapi(dc(0), o);
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.error().what().find("dc1.contoso.test (10.213.0.11:389)"), std::string::npos)
      << conn.error().what();
}

TEST_F(Directory, DomainInfoMatchesTheLab) {
  auto conn = ldap::connect_gssapi(dc(0), options(kHost1));
  ASSERT_TRUE(conn.ok()) << conn.error().what();
  auto d = (*conn)->domain_info(base_dn());
  ASSERT_TRUE(d.ok()) << d.error().what();
  EXPECT_EQ(d->netbios_name, "CONTOSO");
  EXPECT_EQ(d->dns_name, "contoso.test");
  EXPECT_EQ(d->forest_dns_name, "contoso.test");
  auto sid = Sid::from_binary(d->object_sid);
  ASSERT_TRUE(sid.ok());
  EXPECT_EQ(sid->to_string(), lab().facts["domainSid"].get<std::string>());
  std::array<std::uint8_t, 16> g{};
  std::copy(d->object_guid.begin(), d->object_guid.end(), g.begin());
  EXPECT_EQ(Guid::from_wire(g).to_string(), lab().facts["domainGuid"].get<std::string>());
}

TEST_F(Directory, NoTicketNoConnection) {
  auto conn = ldap::connect_gssapi(dc(0), options("MEMORY:lab-empty"));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(
      conn.error().what(),
      "dc1.contoso.test (10.213.0.11:389): no Kerberos credentials in ccache MEMORY:lab-empty");
}

// Raw libldap connections for what our client never does.
LDAP* raw_connection(const std::string& address, int port, const std::string& host) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return nullptr;
  LDAP* ld = nullptr;
  if (ldap_init_fd(fd, LDAP_PROTO_TCP, ("ldap://" + host).c_str(), &ld) != LDAP_SUCCESS)
    return nullptr;
  int v3 = LDAP_VERSION3;
  ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
  ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
  return ld;
}

// Attaches the GSS credentials once libldap has made the SASL context (see
// src/ldap/directory.cpp).
int with_creds(LDAP* ld, unsigned, void* defaults, void* prompts) {
  ldap_set_option(ld, LDAP_OPT_X_SASL_GSS_CREDS, defaults);
  for (auto* p = static_cast<sasl_interact_t*>(prompts); p && p->id != SASL_CB_LIST_END; ++p) {
    p->result = "";
    p->len = 0;
  }
  return LDAP_SUCCESS;
}

TEST_F(Directory, UnsealedGssapiBindIsRefused) {
  LDAP* ld = raw_connection(dc(0).address, 389, dc(0).host);
  ASSERT_NE(ld, nullptr);
  gss_key_value_element_desc el{"ccache", kHost1};
  gss_key_value_set_desc store{1, &el};
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  OM_uint32 minor = 0;
  ASSERT_FALSE(
      GSS_ERROR(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                                      GSS_C_INITIATE, &store, &cred, nullptr, nullptr)));
  ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, "maxssf=0");  // no security layer
  int rc = ldap_sasl_interactive_bind_s(ld, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET,
                                        with_creds, cred);
  char* diag = nullptr;
  ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
  EXPECT_NE(rc, LDAP_SUCCESS) << (diag ? diag : "");
  if (diag) ldap_memfree(diag);
  // Nothing can be read on it afterwards.
  LDAPMessage* res = nullptr;
  const char* attrs[] = {"sAMAccountName", nullptr};
  rc = ldap_search_ext_s(ld, base_dn().c_str(), LDAP_SCOPE_SUBTREE, "(sAMAccountName=WEBAPP01$)",
                         const_cast<char**>(attrs), 0, nullptr, nullptr, nullptr, 0, &res);
  EXPECT_NE(rc, LDAP_SUCCESS) << ldap_err2string(rc);
  if (res) ldap_msgfree(res);
  gss_release_cred(&minor, &cred);
  ldap_unbind_ext_s(ld, nullptr, nullptr);
}

TEST_F(Directory, AnonymousBindAndUnauthenticatedSearchAreRefused) {
  LDAP* ld = raw_connection(dc(1).address, 389, dc(1).host);
  ASSERT_NE(ld, nullptr);
  berval empty{0, nullptr};
  int rc = ldap_sasl_bind_s(ld, "", LDAP_SASL_SIMPLE, &empty, nullptr, nullptr, nullptr);
  EXPECT_EQ(rc, LDAP_INAPPROPRIATE_AUTH) << ldap_err2string(rc);  // olcDisallows: bind_anon
  LDAPMessage* res = nullptr;
  const char* attrs[] = {"msDS-ManagedPassword", "sAMAccountName", nullptr};
  rc = ldap_search_ext_s(ld, base_dn().c_str(), LDAP_SCOPE_SUBTREE, "(sAMAccountName=WEBAPP01$)",
                         const_cast<char**>(attrs), 0, nullptr, nullptr, nullptr, 0, &res);
  EXPECT_EQ(rc, LDAP_UNWILLING_TO_PERFORM) << ldap_err2string(rc);  // "authentication required"
  if (res) ldap_msgfree(res);
  ldap_unbind_ext_s(ld, nullptr, nullptr);
}

}  // namespace
}  // namespace gmsa::labtest
