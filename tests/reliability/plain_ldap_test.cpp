// A DC whose slapd completes SASL GSSAPI binds WITHOUT a security layer
// (olcSaslSecProps maxssf=0: neither integrity nor sealing is offered): the
// daemon's DirectorySource refuses the connection before any search, with an
// error naming the DC and the rule, and slapd sees a bind but no search.
#define LDAP_DEPRECATED 0
#include <ldap.h>

#include <optional>

#include "gmsa/daemon/directory_source.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/ldap/directory.hpp"
#include "lab_fixture.hpp"

namespace gmsa::reliability {
namespace {

int sasl_quiet(LDAP*, unsigned, void*, void*) { return LDAP_SUCCESS; }

// Sets cn=config's olcSaslSecProps on the private lab's slapd (ldapi, SASL
// EXTERNAL as root) and puts the original back when destroyed.
class SaslSecProps {
 public:
  explicit SaslSecProps(const std::string& ldapi_url) {
    if (ldap_initialize(&ld_, ldapi_url.c_str()) != LDAP_SUCCESS) {
      ld_ = nullptr;
      return;
    }
    int v3 = LDAP_VERSION3;
    ldap_set_option(ld_, LDAP_OPT_PROTOCOL_VERSION, &v3);
    if (ldap_sasl_interactive_bind_s(ld_, nullptr, "EXTERNAL", nullptr, nullptr, LDAP_SASL_QUIET,
                                     sasl_quiet, nullptr) != LDAP_SUCCESS) {
      return;
    }
    original_ = read();
  }
  ~SaslSecProps() {
    if (original_ && changed_) (void)set(*original_);
    if (ld_) ldap_unbind_ext_s(ld_, nullptr, nullptr);
  }
  const std::optional<std::string>& original() const { return original_; }
  // "" on success, else the LDAP error.
  std::string set(const std::string& value) {
    changed_ = true;
    std::string v = value;
    char* vals[] = {v.data(), nullptr};
    char attr[] = "olcSaslSecProps";
    LDAPMod mod{LDAP_MOD_REPLACE, attr, {vals}};
    LDAPMod* mods[] = {&mod, nullptr};
    int rc = ldap_modify_ext_s(ld_, "cn=config", mods, nullptr, nullptr);
    return rc == LDAP_SUCCESS ? "" : ldap_err2string(rc);
  }
  std::optional<std::string> read() {
    char attr[] = "olcSaslSecProps";
    char* attrs[] = {attr, nullptr};
    LDAPMessage* res = nullptr;
    if (ldap_search_ext_s(ld_, "cn=config", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, nullptr,
                          nullptr, nullptr, 0, &res) != LDAP_SUCCESS) {
      if (res) ldap_msgfree(res);
      return std::nullopt;
    }
    std::optional<std::string> out;
    if (LDAPMessage* e = ldap_first_entry(ld_, res)) {
      if (berval** v = ldap_get_values_len(ld_, e, attr)) {
        if (v[0]) out = std::string(v[0]->bv_val, v[0]->bv_len);
        ldap_value_free_len(v);
      }
    }
    ldap_msgfree(res);
    return out;
  }

 private:
  LDAP* ld_ = nullptr;
  std::optional<std::string> original_;
  bool changed_ = false;
};

TEST(PlainLdap, DirectorySourceRefusesAnUnsealedBindBeforeAnySearch) {
  ASSERT_TRUE(lab_is_up());
  auto& lab = the_lab();
  auto& f = lab.facts;
  SaslSecProps props(lab.config.ldapi_url());
  ASSERT_EQ(props.original(), std::optional<std::string>("noanonymous,noplain,minssf=56"));
  ASSERT_EQ(props.set("noanonymous,noplain,minssf=0,maxssf=0"), "");
  ASSERT_EQ(props.read(), std::optional<std::string>("noanonymous,noplain,minssf=0,maxssf=0"));

  // Control: a client that accepts SSF 0 does complete the bind, and without
  // any security layer. So the directory really serves plain connections.
  const auto before = prove::counters(lab);
  {
    auto ctx = krb::Context::open(f["krb5Config"]);
    ASSERT_TRUE(ctx.ok());
    auto host = krb::tgt_from_keytab(*ctx, f["hostKeytab"], f["hostPrincipal"]);
    ASSERT_TRUE(host.ok()) << host.error().what();
    auto cc = krb::MemoryCcache::create(*ctx, *host);
    ASSERT_TRUE(cc.ok());
    ldap::ConnectOptions o;
    o.ccache_name = cc->name();
    o.krb5_config = f["krb5Config"];
    o.min_ssf = 0;
    auto plain = ldap::connect_gssapi({f["dcs"][0]["name"], f["dcs"][0]["address"], 389, false}, o);
    ASSERT_TRUE(plain.ok()) << plain.error().what();
    EXPECT_EQ((*plain)->ssf(), 0u);
  }
  const auto after_control = prove::counters(lab);
  EXPECT_EQ(after_control.gssapi_binds, before.gssapi_binds + 1);

  // The daemon's credential source, as configured for this lab (both DCs).
  daemon::OpenSslRandom random;
  RealClock clock;
  daemon::DirectorySource source(prove::daemon_config(lab, lab.config.dir + "/plain", "unused"),
                                 random, clock);
  auto pw = source.read_password({"WEBAPP01", "contoso.test"}, daemon::Authority{});
  ASSERT_FALSE(pw.ok());
  auto refused = [&f](int i) {
    return f["dcs"][i]["name"].get<std::string>() + " (" +
           f["dcs"][i]["address"].get<std::string>() +
           ":389): the DC completed the SASL GSSAPI bind without a security layer (SSF 0); at "
           "least SSF 56 (sealing) or LDAPS is required";
  };
  EXPECT_EQ(pw.error().what(), "dc: no DC reachable: " + refused(0) + "; " + refused(1));
  // Both DCs completed the bind (so the refusal is the client's), and no
  // search reached slapd at all.
  const auto after = prove::counters(lab);
  EXPECT_EQ(after.gssapi_binds, after_control.gssapi_binds + 2);
  EXPECT_EQ(after.searches, before.searches);
  EXPECT_EQ(after.password_requests, before.password_requests);
}

}  // namespace
}  // namespace gmsa::reliability
