// A real gmsa-brokerd process against the private lab: after domain-joined,
// domainless and keytab leases were made, no secret (gMSA password, its keys,
// the domainless user's password) appears in its argv, environment, log or
// state files, in raw, hex or base64 form; socket and issued files have the
// documented owners and modes, and the container user cannot replace its
// lease's files; and the daemon starts no process to serve leases. (An
// unsealed LDAP connection: plain_ldap_test.cpp.)
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "as_user.hpp"
#include "gmsa/blob/managed_password.hpp"
#include "gmsa/common/encoding.hpp"
#include "gmsa/keys/keys.hpp"
#include "gmsa/ldap/directory.hpp"
#include "lab_fixture.hpp"

namespace gmsa::reliability {
namespace {

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Named needles: every secret in raw, hex (both cases) and base64 form, plus
// 16-byte / 24-character prefixes (a truncated leak is still a leak).
using Needles = std::vector<std::pair<std::string, std::string>>;
void add_secret(Needles& n, const std::string& name, std::span<const std::uint8_t> bytes) {
  std::string raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::string hex = to_hex(bytes), b64 = to_base64(bytes);
  n.push_back({name + " raw", raw});
  n.push_back({name + " raw prefix", raw.substr(0, 16)});
  n.push_back({name + " hex", hex});
  n.push_back({name + " HEX", upper(hex)});
  n.push_back({name + " hex prefix", hex.substr(0, 24)});
  n.push_back({name + " base64", b64});
  n.push_back({name + " base64 prefix", b64.substr(0, 24)});
}

// The lab gMSA's current password (UTF-16LE), read as the daemon does.
std::optional<SecretBytes> gmsa_password(const std::string& account) {
  auto& f = the_lab().facts;
  auto ctx = krb::Context::open(f["krb5Config"]);
  if (!ctx) return std::nullopt;
  auto host = krb::tgt_from_keytab(*ctx, f["hostKeytab"], f["hostPrincipal"]);
  if (!host) return std::nullopt;
  auto cc = krb::MemoryCcache::create(*ctx, *host);
  if (!cc) return std::nullopt;
  ldap::ConnectOptions o;
  o.ccache_name = cc->name();
  o.krb5_config = f["krb5Config"];
  auto conn = ldap::connect_gssapi({f["dcs"][0]["name"], f["dcs"][0]["address"], 389, false}, o);
  if (!conn) return std::nullopt;
  auto e = (*conn)->find_gmsa(f["baseDn"], account);
  if (!e || !e->managed_password) return std::nullopt;
  auto pw = blob::parse(e->managed_password->span());
  if (!pw) return std::nullopt;
  return pw->current;
}

// The lab's domainless user ({"username", "password", "domainName"}).
nlohmann::json lab_user() {
  return nlohmann::json::parse(slurp(the_lab().facts["domainlessUser"]["file"]));
}

// A domainless lease for `account`, with the lab user's password in the request.
grpc::Status add_domainless_lease(cf::CredentialsFetcherService::Stub& ecs,
                                  const std::string& account) {
  auto user = lab_user();
  cf::CreateNonDomainJoinedKerberosLeaseRequest req;
  req.add_credspec_contents(gmsa::testing::lab_credspec(account));
  req.set_username(user["username"]);
  req.set_password(user["password"].get<std::string>());
  req.set_domain(user["domainName"]);
  cf::CreateNonDomainJoinedKerberosLeaseResponse resp;
  grpc::ClientContext ctx;
  return ecs.AddNonDomainJoinedKerberosLease(&ctx, req, &resp);
}

// A keytab lease for `account` through the project's own API.
grpc::Status add_keytab_lease(const std::string& socket, const std::string& account) {
  pb::AddLeaseRequest req;
  req.add_credspec_contents(gmsa::testing::lab_credspec(account));
  pb::Lease lease;
  grpc::ClientContext ctx;
  return broker_client(socket)->AddKeytabLease(&ctx, req, &lease);
}

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(lab_is_up());
    dir_ = the_lab().config.dir + "/secrets";
    std::filesystem::create_directories(dir_);
    auto b = prove::start_brokerd(the_lab(), dir_, dir_ + "/state", bin_dir() + "/gmsa-brokerd");
    ASSERT_TRUE(b.ok()) << b.error().what();
    brokerd_ = *b;
  }
  void TearDown() override {
    if (brokerd_.pid) (void)prove::stop_brokerd(brokerd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  prove::Brokerd brokerd_;
};

TEST_F(ProcessTest, NoSecretInArgvEnvironLogsOrState) {
  auto ecs = ecs_client(brokerd_.socket);
  cf::CreateKerberosLeaseResponse r1;
  auto st = add_lease(*ecs, {"WEBAPP01", "WEBAPP02"}, &r1);
  ASSERT_TRUE(st.ok()) << st.error_message();
  // Domainless, with the user's password in the request.
  const std::string user_pw = lab_user()["password"];
  st = add_domainless_lease(*ecs, "WEBAPP03");
  ASSERT_TRUE(st.ok()) << st.error_message();
  // Keytab lease: the daemon holds the gMSA's keys too.
  st = add_keytab_lease(brokerd_.socket, "WEBAPP01");
  ASSERT_TRUE(st.ok()) << st.error_message();

  Needles needles;
  for (const char* account : {"WEBAPP01", "WEBAPP02", "WEBAPP03"}) {
    auto pw = gmsa_password(account);
    ASSERT_TRUE(pw.has_value()) << account;
    add_secret(needles, std::string(account) + " password (UTF-16LE)", pw->span());
    auto k = keys::derive(pw->span(), "contoso.test", std::string(account) + "$");
    ASSERT_TRUE(k.ok());
    add_secret(needles, std::string(account) + " password (UTF-8)", k->utf8_password.span());
    add_secret(needles, std::string(account) + " AES256 key", k->aes256.span());
    add_secret(needles, std::string(account) + " AES128 key", k->aes128.span());
    add_secret(needles, std::string(account) + " NT hash", k->nt_hash.span());
  }
  add_secret(needles, "domainless password",
             std::span(reinterpret_cast<const std::uint8_t*>(user_pw.data()), user_pw.size()));

  std::vector<std::pair<std::string, std::string>> haystacks = {
      {"cmdline", prove::proc_file(brokerd_.pid, "cmdline")},
      {"environ", prove::proc_file(brokerd_.pid, "environ")},
      {"log", slurp(brokerd_.log_file)},
      {"config", slurp(brokerd_.config_file)}};
  ASSERT_FALSE(haystacks[0].second.empty());
  ASSERT_NE(haystacks[2].second.find("lease_created"), std::string::npos) << haystacks[2].second;
  // Every state file except the keytab the keytab lease asked for.
  for (auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/state")) {
    if (e.is_regular_file() && e.path().filename() != "krb5.keytab") {
      haystacks.push_back({e.path().string(), slurp(e.path())});
    }
  }
  ASSERT_GT(haystacks.size(), 6u);
  for (const auto& [where, text] : haystacks) {
    for (const auto& [what, needle] : needles) {
      EXPECT_EQ(text.find(needle), std::string::npos) << what << " found in " << where;
    }
  }
}

TEST_F(ProcessTest, SocketAndIssuedFilesHaveTheDocumentedOwnersAndModes) {
  struct stat st {};
  ASSERT_EQ(::lstat(brokerd_.socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_EQ(st.st_gid, ::getegid());

  auto ecs = ecs_client(brokerd_.socket);
  cf::CreateKerberosLeaseResponse r;
  ASSERT_TRUE(add_lease(*ecs, {"WEBAPP01"}, &r).ok());
  const std::string cc = r.created_kerberos_file_paths(0) + "/krb5cc";
  ASSERT_EQ(::stat(cc.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());

  // A lease for a container user: owner and mode as asked.
  auto broker = broker_client(brokerd_.socket);
  pb::AddLeaseRequest req;
  req.add_credspec_contents(gmsa::testing::lab_credspec("WEBAPP02"));
  req.mutable_owner()->set_uid(4321);
  req.mutable_owner()->set_gid(4322);
  req.mutable_owner()->set_mode(0440);
  pb::Lease lease;
  grpc::ClientContext ctx;
  auto s = broker->AddLease(&ctx, req, &lease);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(lease.accounts_size(), 1);
  // Files as asked; directories the daemon's (group: the request's gid), r-x
  // for the group, --x for others so the owner reaches its file.
  const std::string account_dir = lease.accounts(0).path();
  const std::string lease_dir = account_dir.substr(0, account_dir.rfind('/'));
  const std::string daemon = std::to_string(::geteuid());
  EXPECT_EQ(gmsa::testing::describe_path(lease.accounts(0).ccache_path()), "file 0440 4321:4322");
  EXPECT_EQ(gmsa::testing::describe_path(account_dir), "dir 0751 " + daemon + ":4322");
  EXPECT_EQ(gmsa::testing::describe_path(lease_dir), "dir 0751 " + daemon + ":4322");
  // The container user reads its ticket cache and cannot replace, move or
  // delete anything in its lease. (The private lab's directory is mkdtemp's
  // 0700: let the user pass it, as a real state directory's parents do.)
  const std::string lab_dir = the_lab().config.dir;
  ASSERT_EQ(::chmod(lab_dir.c_str(), 0711), 0);
  const std::string can =
      gmsa::testing::allowed(4321, 4322, account_dir, lease.accounts(0).ccache_path());
  ::chmod(lab_dir.c_str(), 0700);
  EXPECT_EQ(can, "read");
  // Lease records are the daemon's alone.
  ASSERT_EQ(::stat((dir_ + "/state/leases").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

// Fields of /proc/<pid>/stat after the command name, from field 3 (state) on.
std::vector<std::string> stat_fields(pid_t pid) {
  const std::string text = prove::proc_file(pid, "stat");
  std::istringstream in(text.substr(text.rfind(')') + 1));
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

// No subprocess per lease (issue 4): after cold, warm, domainless and keytab
// leases and a delete, the daemon has no child and never reaped one. A child
// either is still there (a zombie included: /proc/<pid>/task/*/children) or was
// waited for, which adds its page faults and CPU time to the daemon's
// cminflt/cmajflt/cutime/cstime; with SIGCHLD not ignored (SigIgn) there is no
// third way for a child to go.
TEST_F(ProcessTest, LeasesStartNoProcess) {
  auto ecs = ecs_client(brokerd_.socket);
  // Cold for two gMSAs, deleted (the identities go), cold again, then warm.
  cf::CreateKerberosLeaseResponse first, again, warm;
  auto st = add_lease(*ecs, {"WEBAPP01", "WEBAPP02"}, &first);
  ASSERT_TRUE(st.ok()) << st.error_message();
  cf::DeleteKerberosLeaseRequest del;
  del.set_lease_id(first.lease_id());
  cf::DeleteKerberosLeaseResponse deleted;
  grpc::ClientContext dc;
  ASSERT_TRUE(ecs->DeleteKerberosLease(&dc, del, &deleted).ok());
  for (auto* r : {&again, &warm}) {
    st = add_lease(*ecs, {"WEBAPP01", "WEBAPP02"}, r);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  st = add_domainless_lease(*ecs, "WEBAPP03");
  ASSERT_TRUE(st.ok()) << st.error_message();
  st = add_keytab_lease(brokerd_.socket, "WEBAPP04");
  ASSERT_TRUE(st.ok()) << st.error_message();

  std::string children;
  const std::string tasks = "/proc/" + std::to_string(brokerd_.pid) + "/task";
  for (auto& t : std::filesystem::directory_iterator(tasks)) {
    children += slurp(t.path().string() + "/children");
  }
  EXPECT_EQ(children, "");
  auto f = stat_fields(brokerd_.pid);
  ASSERT_GT(f.size(), 14u);
  // Fields 11, 13, 16, 17 of proc(5): cminflt, cmajflt, cutime, cstime.
  EXPECT_EQ(f[11 - 3], "0") << "cminflt";
  EXPECT_EQ(f[13 - 3], "0") << "cmajflt";
  EXPECT_EQ(f[16 - 3], "0") << "cutime";
  EXPECT_EQ(f[17 - 3], "0") << "cstime";
  const std::string sig_ign = prove::proc_status_field(brokerd_.pid, "SigIgn");
  ASSERT_FALSE(sig_ign.empty());
  EXPECT_EQ(std::stoull(sig_ign, nullptr, 16) & (1ULL << (SIGCHLD - 1)), 0u) << sig_ign;
}

}  // namespace
}  // namespace gmsa::reliability
