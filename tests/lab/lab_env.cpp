#include "lab_env.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmsa/lab/process.hpp"

namespace gmsa::labtest {

Lab& lab() {
  static Lab l;
  return l;
}

RunResult gmsa_cli(const std::vector<std::string>& args) {
  RunResult r;
  const std::string out = lab().dir + "/cli-output.txt";
  std::remove(out.c_str());
  lab::SpawnOptions o;
  o.argv = {std::string(GMSA_BINARY_DIR) + "/src/bin/gmsa"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.log_file = out;
  o.new_session = false;
  auto st = lab::run(o, std::chrono::seconds(90));
  r.status = st.ok() ? *st : -1;
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  r.output = ss.str();
  if (!st.ok()) r.output += st.error().what();
  return r;
}

namespace {

std::string krb_error(krb5_context ctx, krb5_error_code code) {
  const char* m = krb5_get_error_message(ctx, code);
  std::string s = m;
  krb5_free_error_message(ctx, m);
  return s;
}

struct Ctx {
  krb5_context c = nullptr;
  Ctx() { krb5_init_context(&c); }
  ~Ctx() { krb5_free_context(c); }
};

Status store_creds(krb5_context ctx, krb5_principal p, krb5_creds* creds,
                   const std::string& ccache) {
  krb5_ccache cc = nullptr;
  krb5_error_code rc = krb5_cc_resolve(ctx, ccache.c_str(), &cc);
  if (rc == 0) rc = krb5_cc_initialize(ctx, cc, p);
  if (rc == 0) rc = krb5_cc_store_cred(ctx, cc, creds);
  std::string msg = rc ? krb_error(ctx, rc) : "";
  if (cc) krb5_cc_close(ctx, cc);
  if (rc != 0) return Error{ccache, msg};
  return ok_status();
}

}  // namespace

Status tgt_from_keytab(const std::string& principal, const std::string& keytab,
                       const std::string& ccache) {
  Ctx k;
  krb5_principal p = nullptr;
  krb5_keytab kt = nullptr;
  krb5_creds creds{};
  krb5_error_code rc = krb5_parse_name(k.c, principal.c_str(), &p);
  if (rc == 0) rc = krb5_kt_resolve(k.c, ("FILE:" + keytab).c_str(), &kt);
  if (rc == 0) rc = krb5_get_init_creds_keytab(k.c, &creds, p, kt, 0, nullptr, nullptr);
  Status st =
      rc ? Status(Error{principal, krb_error(k.c, rc)}) : store_creds(k.c, p, &creds, ccache);
  if (rc == 0) krb5_free_cred_contents(k.c, &creds);
  if (kt) krb5_kt_close(k.c, kt);
  if (p) krb5_free_principal(k.c, p);
  return st;
}

Status tgt_from_password(const std::string& principal, const SecretBytes& utf8_password,
                         const std::string& ccache) {
  Ctx k;
  krb5_principal p = nullptr;
  krb5_creds creds{};
  std::string pw(reinterpret_cast<const char*>(utf8_password.data()), utf8_password.size());
  krb5_error_code rc = krb5_parse_name(k.c, principal.c_str(), &p);
  if (rc == 0) {
    rc = krb5_get_init_creds_password(k.c, &creds, p, pw.c_str(), nullptr, nullptr, 0, nullptr,
                                      nullptr);
  }
  secure_wipe(pw.data(), pw.size());
  Status st =
      rc ? Status(Error{principal, krb_error(k.c, rc)}) : store_creds(k.c, p, &creds, ccache);
  if (rc == 0) krb5_free_cred_contents(k.c, &creds);
  if (p) krb5_free_principal(k.c, p);
  return st;
}

Result<ServiceTicket> service_ticket(const std::string& ccache, const std::string& service) {
  Ctx k;
  krb5_ccache cc = nullptr;
  krb5_creds in{}, *out = nullptr;
  krb5_ticket* tkt = nullptr;
  krb5_error_code rc = krb5_cc_resolve(k.c, ccache.c_str(), &cc);
  if (rc == 0) rc = krb5_cc_get_principal(k.c, cc, &in.client);
  if (rc == 0) rc = krb5_parse_name(k.c, service.c_str(), &in.server);
  if (rc == 0) rc = krb5_get_credentials(k.c, 0, cc, &in, &out);
  if (rc == 0) rc = krb5_decode_ticket(&out->ticket, &tkt);
  Result<ServiceTicket> r = Error{service, rc ? krb_error(k.c, rc) : ""};
  if (rc == 0) {
    ServiceTicket t;
    t.kvno = static_cast<int>(tkt->enc_part.kvno);
    t.enctype = tkt->enc_part.enctype;
    const auto* d = reinterpret_cast<const std::uint8_t*>(out->ticket.data);
    t.ticket.assign(d, d + out->ticket.length);
    r = t;
  }
  if (tkt) krb5_free_ticket(k.c, tkt);
  if (out) krb5_free_creds(k.c, out);
  krb5_free_cred_contents(k.c, &in);
  if (cc) krb5_cc_close(k.c, cc);
  return r;
}

bool ticket_decrypts(const ServiceTicket& t, int enctype, const SecretBytes& key) {
  Ctx k;
  krb5_data der{KV5M_DATA, static_cast<unsigned int>(t.ticket.size()),
                const_cast<char*>(reinterpret_cast<const char*>(t.ticket.data()))};
  krb5_ticket* tkt = nullptr;
  if (krb5_decode_ticket(&der, &tkt) != 0) return false;
  krb5_keyblock kb{};
  kb.enctype = enctype;
  kb.length = static_cast<unsigned int>(key.size());
  kb.contents = const_cast<krb5_octet*>(key.data());
  krb5_data plain{};
  plain.length = tkt->enc_part.ciphertext.length;
  std::vector<char> buf(plain.length);
  plain.data = buf.data();
  bool ok =
      krb5_c_decrypt(k.c, &kb, KRB5_KEYUSAGE_KDC_REP_TICKET, nullptr, &tkt->enc_part, &plain) == 0;
  krb5_free_ticket(k.c, tkt);
  return ok;
}

ldap::DcEndpoint dc(int index, bool ldaps) {
  const auto& d = lab().facts["dcs"][static_cast<std::size_t>(index)];
  ldap::DcEndpoint e;
  e.host = d["name"];
  e.address = d["address"];
  e.ldaps = ldaps;
  e.port = static_cast<std::uint16_t>(ldaps ? d["ldapsPort"].get<int>() : d["ldapPort"].get<int>());
  return e;
}

ldap::ConnectOptions options(const std::string& ccache) {
  ldap::ConnectOptions o;
  o.ccache_name = ccache;
  o.ca_file = lab().facts["caFile"];
  o.min_ssf = 56;
  return o;
}

std::string base_dn() { return lab().facts["baseDn"]; }

namespace {

class LabEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the lab needs root";
    char tmpl[] = "/tmp/gmsa-lab-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    lab().dir = tmpl;
    // Tests hold RESOURCE_LOCK lab: a lab another test left running (e.g.
    // the daemon's, in /var/lib/gmsa-lab) is stopped first.
    if (std::ifstream owner("/run/gmsa-lab/gmsa-lab.owner"); owner) {
      std::string other;
      std::getline(owner, other);
      if (!other.empty()) gmsa_cli({"lab", "down", "--dir", other});
    }
    auto r = gmsa_cli({"lab", "up", "--dir", lab().dir, "--rotation", "30s"});
    ASSERT_EQ(r.status, 0) << r.output;
    std::ifstream f(lab().dir + "/lab.json");
    lab().facts = nlohmann::json::parse(f);
    ::setenv("KRB5_CONFIG", lab().facts["krb5Config"].get<std::string>().c_str(), 1);
    lab().up = true;
  }
  void TearDown() override {
    if (lab().dir.empty()) return;
    auto r = gmsa_cli({"lab", "down", "--dir", lab().dir});
    EXPECT_EQ(r.status, 0) << r.output;
    if (std::getenv("GMSA_KEEP_LAB_DIR") == nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(lab().dir, ec);
    }
  }
};

[[maybe_unused]] auto* const env = ::testing::AddGlobalTestEnvironment(new LabEnvironment);

}  // namespace
}  // namespace gmsa::labtest
