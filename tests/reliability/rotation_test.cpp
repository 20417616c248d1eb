// Rotation under load: the lab rotates gMSA passwords every 20 s (lab
// --rotation); clients using gmsa-brokerd's lease caches log in to the lab's
// PostgreSQL (GSSAPI, psql as a separate process) every second for more than
// three rotations. Zero failed logins; the passwords really changed; the
// daemon re-read them and the caches hold a TGT obtained after the last one.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmsa/daemon/server.hpp"
#include "gmsa/krb/krb.hpp"
#include "gmsa/lab/process.hpp"
#include "lab_fixture.hpp"

namespace gmsa::reliability {
namespace {

using namespace std::chrono_literals;

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// One psql login with the given ccache; "" on success, else its output.
std::string psql_login(const std::string& ccache, const std::string& out) {
  const auto& pg = the_lab().facts["postgres"];
  lab::SpawnOptions o;
  o.argv = {"/usr/bin/psql",
            "host=" + pg["host"].get<std::string>() +
                " hostaddr=" + pg["address"].get<std::string>() +
                " port=" + std::to_string(pg["port"].get<int>()) +
                " dbname=webapp user=webapp krbsrvname=postgres connect_timeout=5",
            "-w",
            "-X",
            "-At",
            "-c",
            "select current_user"};
  o.env = {"PATH=/usr/bin:/bin", "KRB5CCNAME=FILE:" + ccache,
           "KRB5_CONFIG=" + the_lab().facts["krb5Config"].get<std::string>()};
  o.log_file = out;
  o.new_session = false;
  std::remove(out.c_str());
  auto st = lab::run(o, 10s);
  const std::string text = slurp(out);
  if (!st.ok()) return st.error().what();
  if (*st != 0 || text != "webapp\n") return "exit " + std::to_string(*st) + ": " + text;
  return "";
}

TEST(Rotation, LoginsWithLeaseCachesNeverFailAcrossRotations) {
  ASSERT_TRUE(lab_is_up());
  const std::string dir = the_lab().config.dir + "/rotation";
  std::filesystem::create_directories(dir);
  RealClock clock;
  daemon::OpenSslRandom random;
  auto d = prove::start_daemon(the_lab(), dir, clock, random);
  ASSERT_TRUE(d.ok()) << d.error().what();
  auto daemon = std::move(d).value();
  auto stub = ecs_client(prove::daemon_socket(dir));
  std::vector<std::string> caches;
  for (int i = 0; i < 3; ++i) {
    cf::CreateKerberosLeaseResponse r;
    auto st = add_lease(*stub, {"WEBAPP01"}, &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
    caches.push_back(r.created_kerberos_file_paths(0) + "/krb5cc");
  }
  const auto before = prove::counters(the_lab());
  int logins = 0, failures = 0;
  std::string first_failure;
  const auto end = std::chrono::steady_clock::now() + 70s;  // > 3 periods of 20 s
  while (std::chrono::steady_clock::now() < end) {
    const auto tick = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < caches.size(); ++i) {
      auto why = psql_login(caches[i], dir + "/psql-" + std::to_string(i) + ".txt");
      ++logins;
      if (!why.empty() && failures++ == 0) first_failure = why;
    }
    std::this_thread::sleep_until(tick + 1s);
  }
  const auto after = prove::counters(the_lab());
  const auto loop_end = std::chrono::system_clock::now();
  EXPECT_EQ(failures, 0) << first_failure;
  EXPECT_GE(logins, 180);
  // The controller published new passwords (one MOD per gMSA per rotation).
  EXPECT_GE(after.password_writes - before.password_writes, 3u * 10u);
  // The daemon refreshed across the rotations: it re-read the password and
  // got a new TGT at each change (its password_due follows the blob's query
  // interval; a 70 s window holds at least 3 changes, the last may fall after
  // the counters were taken) ...
  EXPECT_GE(after.password_requests - before.password_requests, 2u);
  EXPECT_GE(after.as_issued - before.as_issued, 2u);
  daemon.reset();  // stops refreshes racing the reads below; the files stay
  // ... and every lease cache now holds the same TGT, issued within the last
  // rotation period. The KDC checks pre-authentication against the newest key
  // only, so a TGT issued after the last change was obtained with the new
  // password: the cache did not merely survive on a ticket from before.
  auto ctx = krb::Context::open(the_lab().facts["krb5Config"].get<std::string>());
  ASSERT_TRUE(ctx.ok()) << ctx.error().what();
  std::optional<krb::Credentials> first;
  for (const auto& cache : caches) {
    auto tgt = krb::read_ccache_file(*ctx, cache);
    ASSERT_TRUE(tgt.ok()) << cache << ": " << tgt.error().what();
    EXPECT_EQ(tgt->client, "WEBAPP01$@" + the_lab().config.realm);
    EXPECT_GT(tgt->start_time, loop_end - 25s) << cache << " holds a TGT from before the rotations";
    if (!first)
      first = std::move(tgt).value();
    else
      EXPECT_EQ(tgt->start_time, first->start_time) << "leases of one gMSA share one TGT";
  }
  std::cerr << "logins " << logins << ", failures " << failures << ", password writes "
            << after.password_writes - before.password_writes << ", AS issued "
            << after.as_issued - before.as_issued << ", password reads "
            << after.password_requests - before.password_requests << "\n";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace gmsa::reliability
