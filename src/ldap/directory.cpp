// libldap client: our own non-blocking connect to the DC's IP, ldap_init_fd
// with an ldap://<host> URL (so SASL targets ldap/<host> without any DNS),
// SASL GSSAPI with per-connection credentials and a minimum SSF, or LDAPS.
#include "gmsa/ldap/directory.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <lber.h>
#include <ldap.h>
#include <netinet/in.h>
#include <openldap.h>
#include <poll.h>
#include <sasl/sasl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "gmsa/ldap/query.hpp"

namespace gmsa::ldap {
namespace {

using std::chrono::milliseconds;

std::string where(const DcEndpoint& dc) {
  return dc.host + " (" + dc.address + ":" + std::to_string(dc.port) + ")";
}

Result<int> tcp_connect(const DcEndpoint& dc, milliseconds timeout) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, dc.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(dc.port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, dc.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(dc.port);
    len = sizeof *v6;
  } else {
    return Error{where(dc), "address must be an IP literal"};
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{where(dc), std::string("socket: ") + std::strerror(errno)};
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  if (rc != 0 && errno != EINPROGRESS) {
    int e = errno;
    ::close(fd);
    return Error{where(dc), std::string("connect: ") + std::strerror(e)};
  }
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    int n;
    do {
      n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (n < 0 && errno == EINTR);
    int err = 0;
    socklen_t el = sizeof err;
    if (n == 0) {
      ::close(fd);
      return Error{where(dc), "connect timed out after " + std::to_string(timeout.count()) + " ms"};
    }
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (n < 0 || err != 0) {
      ::close(fd);
      return Error{where(dc), std::string("connect: ") + std::strerror(n < 0 ? errno : err)};
    }
  }
  // libldap does blocking I/O on the socket, bounded by its own timeouts.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

// libldap creates the SASL context inside the bind, and the GSSAPI plugin asks
// for the (empty) authorization id before gss_init_sec_context: that prompt is
// where the per-connection credentials are attached to the context.
int sasl_interact(LDAP* ld, unsigned, void* defaults, void* prompts) {
  auto cred = static_cast<gss_cred_id_t>(defaults);
  if (cred != GSS_C_NO_CREDENTIAL &&
      ldap_set_option(ld, LDAP_OPT_X_SASL_GSS_CREDS, cred) != LDAP_OPT_SUCCESS) {
    return LDAP_LOCAL_ERROR;
  }
  for (auto* p = static_cast<sasl_interact_t*>(prompts); p && p->id != SASL_CB_LIST_END; ++p) {
    p->result = p->defresult ? p->defresult : "";
    p->len = static_cast<unsigned>(std::strlen(static_cast<const char*>(p->result)));
  }
  return LDAP_SUCCESS;
}

std::string ldap_error(LDAP* ld, int rc) {
  std::string s = ldap_err2string(rc);
  char* diag = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) == LDAP_SUCCESS && diag) {
    if (*diag) s += " (" + std::string(diag) + ")";
    ldap_memfree(diag);
  }
  return s;
}

class Messages {
 public:
  ~Messages() {
    if (m) ldap_msgfree(m);
  }
  LDAPMessage* m = nullptr;
};

std::vector<std::vector<std::uint8_t>> values(LDAP* ld, LDAPMessage* e, const char* attr) {
  std::vector<std::vector<std::uint8_t>> out;
  berval** v = ldap_get_values_len(ld, e, attr);
  if (!v) return out;
  for (int i = 0; v[i]; ++i) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(v[i]->bv_val);
    out.emplace_back(p, p + v[i]->bv_len);
  }
  ldap_value_free_len(v);
  return out;
}

std::string text(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

class LdapConnection final : public Connection {
 public:
  LdapConnection(LDAP* ld, DcEndpoint dc, ConnectOptions o, unsigned ssf)
      : ld_(ld), dc_(std::move(dc)), opts_(std::move(o)), ssf_(ssf) {}
  ~LdapConnection() override { ldap_unbind_ext_s(ld_, nullptr, nullptr); }

  unsigned ssf() const override { return ssf_; }

  Result<GmsaEntry> find_gmsa(const std::string& base_dn, const std::string& account) override {
    auto filter = gmsa_filter(account);
    if (!filter.ok()) return filter.error();
    // Never ask for the password over a connection that is not encrypted.
    auto attrs = gmsa_attributes(ssf_, opts_.min_ssf);
    Messages res;
    int rc = search(base_dn, LDAP_SCOPE_SUBTREE, *filter, attrs, 2, &res.m);
    if (rc == LDAP_SIZELIMIT_EXCEEDED) {
      return Error{where(dc_), "several gMSAs named " + account + " under " + base_dn};
    }
    if (rc != LDAP_SUCCESS)
      return Error{where(dc_), "search for " + account + ": " + ldap_error(ld_, rc)};
    int n = ldap_count_entries(ld_, res.m);
    if (n == 0) return Error{where(dc_), "no gMSA named " + account + " under " + base_dn};
    if (n > 1) return Error{where(dc_), "several gMSAs named " + account + " under " + base_dn};
    LDAPMessage* e = ldap_first_entry(ld_, res.m);
    GmsaEntry out;
    char* dn = ldap_get_dn(ld_, e);
    if (dn) {
      out.dn = dn;
      ldap_memfree(dn);
    }
    if (auto v = values(ld_, e, "sAMAccountName"); !v.empty()) out.sam_account_name = text(v[0]);
    if (auto v = values(ld_, e, "dNSHostName"); !v.empty()) out.dns_host_name = text(v[0]);
    for (auto& v : values(ld_, e, "servicePrincipalName"))
      out.service_principal_names.push_back(text(v));
    if (auto v = values(ld_, e, "objectSid"); !v.empty()) out.object_sid = v[0];
    if (auto v = values(ld_, e, "msDS-ManagedPasswordId"); !v.empty())
      out.managed_password_id = v[0];
    if (auto v = values(ld_, e, "msDS-ManagedPasswordInterval"); !v.empty()) {
      char* end = nullptr;
      std::string s = text(v[0]);
      unsigned long d = std::strtoul(s.c_str(), &end, 10);
      if (end && *end == '\0' && d <= 0xFFFFFFFFul)
        out.managed_password_interval_days = static_cast<std::uint32_t>(d);
    }
    if (berval** pw = ldap_get_values_len(ld_, e, "msDS-ManagedPassword")) {
      if (pw[0]) {
        out.managed_password =
            SecretBytes(reinterpret_cast<const std::uint8_t*>(pw[0]->bv_val), pw[0]->bv_len);
      }
      for (int i = 0; pw[i]; ++i) secure_wipe(pw[i]->bv_val, pw[i]->bv_len);
      ldap_value_free_len(pw);
    }
    return out;
  }

  Result<DomainInfo> domain_info(const std::string& base_dn) override {
    DomainInfo out;
    Messages base;
    int rc = search(base_dn, LDAP_SCOPE_BASE, "(objectClass=*)", {"objectSid", "objectGUID"}, 1,
                    &base.m);
    if (rc != LDAP_SUCCESS)
      return Error{where(dc_), "read " + base_dn + ": " + ldap_error(ld_, rc)};
    LDAPMessage* e = ldap_first_entry(ld_, base.m);
    if (!e) return Error{where(dc_), base_dn + " not found"};
    char* dn = ldap_get_dn(ld_, e);
    out.dn = dn ? dn : base_dn;
    if (dn) ldap_memfree(dn);
    if (auto v = values(ld_, e, "objectSid"); !v.empty()) out.object_sid = v[0];
    if (auto v = values(ld_, e, "objectGUID"); !v.empty()) out.object_guid = v[0];
    if (out.object_sid.empty() || out.object_guid.size() != 16) {
      return Error{where(dc_), base_dn + " has no objectSid/objectGUID"};
    }
    // NetBIOS and DNS names live on the domain's crossRef in the
    // configuration partition (rootDSE names it; AD always does).
    std::string config_nc = "CN=Configuration," + base_dn;
    std::string forest_nc;
    Messages root;
    if (search("", LDAP_SCOPE_BASE, "(objectClass=*)",
               {"configurationNamingContext", "rootDomainNamingContext"}, 1,
               &root.m) == LDAP_SUCCESS) {
      if (LDAPMessage* r = ldap_first_entry(ld_, root.m)) {
        if (auto v = values(ld_, r, "configurationNamingContext"); !v.empty())
          config_nc = text(v[0]);
        if (auto v = values(ld_, r, "rootDomainNamingContext"); !v.empty()) forest_nc = text(v[0]);
      }
    }
    Messages xref;
    std::string filter = "(&(objectClass=crossRef)(nCName=" + escape_filter_value(out.dn) + "))";
    rc = search("CN=Partitions," + config_nc, LDAP_SCOPE_ONELEVEL, filter,
                {"nETBIOSName", "dnsRoot"}, 2, &xref.m);
    if (rc != LDAP_SUCCESS)
      return Error{where(dc_), "read the crossRef of " + base_dn + ": " + ldap_error(ld_, rc)};
    LDAPMessage* x = ldap_first_entry(ld_, xref.m);
    if (!x) return Error{where(dc_), "no crossRef names " + base_dn};
    if (auto v = values(ld_, x, "nETBIOSName"); !v.empty()) out.netbios_name = text(v[0]);
    if (auto v = values(ld_, x, "dnsRoot"); !v.empty()) out.dns_name = text(v[0]);
    if (out.netbios_name.empty())
      return Error{where(dc_), "the crossRef of " + base_dn + " has no nETBIOSName"};
    if (out.dns_name.empty()) out.dns_name = dn_to_dns_name(out.dn);
    out.forest_dns_name = forest_nc.empty() ? out.dns_name : dn_to_dns_name(forest_nc);
    return out;
  }

 private:
  int search(const std::string& base, int scope, const std::string& filter,
             const std::vector<std::string>& attrs, int sizelimit, LDAPMessage** res) {
    std::vector<char*> a;
    for (const auto& s : attrs) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    timeval tv{static_cast<time_t>(opts_.operation_timeout.count() / 1000),
               static_cast<suseconds_t>((opts_.operation_timeout.count() % 1000) * 1000)};
    int rc = ldap_search_ext_s(ld_, base.c_str(), scope, filter.c_str(), a.data(), 0, nullptr,
                               nullptr, &tv, sizelimit, res);
    if (rc == LDAP_SIZELIMIT_EXCEEDED && sizelimit == 1) rc = LDAP_SUCCESS;
    return rc;
  }

  LDAP* ld_;
  DcEndpoint dc_;
  ConnectOptions opts_;
  unsigned ssf_;
};

struct GssCred {
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  ~GssCred() {
    OM_uint32 minor = 0;
    if (cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &cred);
  }
};

unsigned tls_ssf(LDAP* ld) {
  // Debian's libldap uses GnuTLS, so the session is not an OpenSSL object:
  // take the strength from the negotiated cipher's name.
  char* cipher = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_X_TLS_CIPHER, &cipher) != LDAP_OPT_SUCCESS || !cipher) return 0;
  unsigned ssf = tls_cipher_ssf(cipher);
  ldap_memfree(cipher);
  return ssf;
}

// GSSAPI reads KRB5_CONFIG process-wide, so a per-connection file is honoured
// by making it the process's: set once if unset, refused if another is set.
Status use_krb5_config(const std::string& path) {
  if (path.empty()) return ok_status();
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  const char* env = std::getenv("KRB5_CONFIG");
  if (env == nullptr || *env == '\0') {
    ::setenv("KRB5_CONFIG", path.c_str(), 1);
    return ok_status();
  }
  if (path != env) {
    return Error{"krb5_config", "differs from the process's KRB5_CONFIG (" + std::string(env) +
                                    "); GSSAPI reads one configuration per process"};
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Connection>> connect_gssapi(const DcEndpoint& dc, const ConnectOptions& o) {
  if (dc.host.empty() || dc.host.find_first_of("/:@ ") != std::string::npos) {
    return Error{"host", "must be a DNS name such as dc1.contoso.test"};
  }
  if (auto st = use_krb5_config(o.krb5_config); !st.ok()) return st.error();
  GssCred cred;
  if (!o.ccache_name.empty()) {
    gss_key_value_element_desc el{"ccache", o.ccache_name.c_str()};
    gss_key_value_set_desc store{1, &el};
    OM_uint32 minor = 0;
    OM_uint32 major =
        gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                              GSS_C_INITIATE, &store, &cred.cred, nullptr, nullptr);
    if (GSS_ERROR(major))
      return Error{where(dc), "no Kerberos credentials in ccache " + o.ccache_name};
  }
  auto fd = tcp_connect(dc, o.connect_timeout);
  if (!fd.ok()) return fd.error();
  const std::string url =
      std::string(dc.ldaps ? "ldaps://" : "ldap://") + dc.host + ":" + std::to_string(dc.port);
  LDAP* ld = nullptr;
  int rc = ldap_init_fd(*fd, LDAP_PROTO_TCP, url.c_str(), &ld);
  if (rc != LDAP_SUCCESS) {
    ::close(*fd);
    return Error{where(dc), std::string("ldap_init_fd: ") + ldap_err2string(rc)};
  }
  struct Guard {
    LDAP* ld;
    ~Guard() {
      if (ld) ldap_unbind_ext_s(ld, nullptr, nullptr);
    }
  } guard{ld};
  int v3 = LDAP_VERSION3;
  ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
  ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  timeval op{static_cast<time_t>(o.operation_timeout.count() / 1000),
             static_cast<suseconds_t>((o.operation_timeout.count() % 1000) * 1000)};
  ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op);
  ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &op);
  ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);  // ldap/<host> as given, no DNS

  unsigned transport_ssf = 0;
  if (dc.ldaps) {
    int demand = LDAP_OPT_X_TLS_DEMAND;
    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
    if (!o.ca_file.empty()) ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, o.ca_file.c_str());
    int zero = 0;
    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
    rc = ldap_install_tls(ld);
    if (rc != LDAP_SUCCESS) return Error{where(dc), "TLS: " + ldap_error(ld, rc)};
    transport_ssf = tls_ssf(ld);
    // Like AD: no SASL signing or sealing inside TLS.
    ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, "noanonymous,noplain,minssf=0,maxssf=0");
  } else {
    // SASL picks the strongest layer the DC offers (sealing when it offers
    // it). The minimum is enforced below, after the bind and before any
    // search, so a DC without a security layer gets a precise refusal rather
    // than SASL's "mechanism too weak"; the bind carries no secret.
    ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, "noanonymous,noplain,minssf=0");
  }
  rc = ldap_sasl_interactive_bind_s(ld, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET,
                                    sasl_interact, cred.cred);
  if (rc != LDAP_SUCCESS)
    return Error{where(dc), "SASL GSSAPI bind refused: " + ldap_error(ld, rc)};
  ber_len_t sasl_ssf = 0;
  ldap_get_option(ld, LDAP_OPT_X_SASL_SSF, &sasl_ssf);
  unsigned ssf = std::max(transport_ssf, static_cast<unsigned>(sasl_ssf));
  if (ssf == 0 && o.min_ssf > 0) {
    return Error{where(dc),
                 "the DC completed the SASL GSSAPI bind without a security layer "
                 "(SSF 0); at least SSF " +
                     std::to_string(o.min_ssf) + " (sealing) or LDAPS is required"};
  }
  if (ssf < o.min_ssf) {
    return Error{where(dc), "connection SSF " + std::to_string(ssf) + " is below the required " +
                                std::to_string(o.min_ssf)};
  }
  guard.ld = nullptr;
  return std::unique_ptr<Connection>(new LdapConnection(ld, dc, o, ssf));
}

}  // namespace gmsa::ldap
