// End to end (needs root, podman, the lab): gmsa-brokerd against the lab
// domain, `gmsa credspec new`, and `gmsa run -- podman run ... psql` logging in
// to the lab's PostgreSQL as the gMSA. One lab per binary (single ctest test,
// RESOURCE_LOCK lab); the demo image is built by scripts/build-demo-image.sh.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "gmsa/client/client.hpp"
#include "gmsa/lab/process.hpp"
#include "tmpfs_mount.hpp"

namespace gmsa::e2e {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

const std::string kGmsa = std::string(GMSA_BINARY_DIR) + "/src/bin/gmsa";
const std::string kBrokerd = std::string(GMSA_BINARY_DIR) + "/src/bin/gmsa-brokerd";
const std::string kImage = "localhost/gmsa-demo:latest";
const std::string kQuery =
    "select current_user || ' ' || principal from pg_stat_gssapi where pid = pg_backend_pid()";

struct World {
  std::string dir;      // this test's files and the daemon's state
  std::string lab_dir;  // the lab's (= dir unless GMSA_E2E_LAB_DIR names a running lab)
  bool own_lab = true;
  nlohmann::json lab;
  std::string socket;
  std::string spec;  // written by CredspecNew (first test)
  lab::PidRecord brokerd;
  std::unique_ptr<testing::TmpfsMount> krbdir;  // the daemon's, while mounted
};
World& world() {
  static World w;
  return w;
}

Strings env() {
  return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
          "CONTAINERS_CONF=" + std::string(GMSA_SOURCE_DIR) + "/dist/podman/containers.conf"};
}

struct RunResult {
  int status = -1;
  std::string output;  // stdout + stderr
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

RunResult run(const Strings& argv, std::chrono::seconds timeout = 120s) {
  static int n = 0;
  const std::string out = world().dir + "/out-" + std::to_string(++n) + ".txt";
  lab::SpawnOptions o;
  o.argv = argv;
  o.env = env();
  o.log_file = out;
  o.new_session = false;
  auto st = lab::run(o, timeout);
  RunResult r;
  r.status = st.ok() ? *st : -1;
  r.output = slurp(out);
  if (!st.ok()) r.output += st.error().what();
  return r;
}

// podman run ... psql, logging in to the lab's database; no identity added.
Strings psql_container(const Strings& extra_run_options = {}) {
  const auto& lab = world().lab;
  Strings c = {"/usr/bin/podman",
               "run",
               "--rm",
               "--network=host",
               "--add-host",
               "db.contoso.test:" + lab["postgres"]["address"].get<std::string>(),
               "-v",
               lab["krb5Config"].get<std::string>() + ":/etc/gmsa/krb5.conf:ro",
               "-e",
               "KRB5_CONFIG=/etc/gmsa/krb5.conf"};
  c.insert(c.end(), extra_run_options.begin(), extra_run_options.end());
  Strings cmd = {kImage, "psql",   "-w",     "-X", "-At", "-h", "db.contoso.test",
                 "-U",   "webapp", "webapp", "-c", kQuery};
  c.insert(c.end(), cmd.begin(), cmd.end());
  return c;
}

Strings gmsa_run(const Strings& options, const Strings& command) {
  Strings a = {kGmsa, "run", "--credspec", world().spec, "--socket", world().socket};
  a.insert(a.end(), options.begin(), options.end());
  a.push_back("--");
  a.insert(a.end(), command.begin(), command.end());
  return a;
}

std::string lease_id_in(const std::string& output) {
  const std::string key = "gmsa run: lease ";
  auto p = output.find(key);
  return p == std::string::npos ? "" : output.substr(p + key.size(), 20);
}

std::size_t lease_count() {
  auto d = client::connect(world().socket);
  if (!d) return 999;
  auto l = (*d)->list_leases();
  return l ? l->size() : 999;
}

// The daemon deletes a bound lease when its process exits, on its own
// thread: poll its list for up to 5 s, then give the count and check the
// lease's files are gone too.
std::size_t leases_after_exit(const std::string& id = "") {
  std::size_t n = lease_count();
  for (int i = 0; i < 100 && n != 0; ++i) {
    std::this_thread::sleep_for(50ms);
    n = lease_count();
  }
  if (!id.empty()) {
    EXPECT_FALSE(std::filesystem::exists(world().dir + "/broker/krbdir/" + id));
  }
  return n;
}

// gmsa run in the background with a container that prints "ready" and waits.
struct Running {
  pid_t pid = -1;
  std::string out;
  std::string id;
};
Running start_waiting_container(const Strings& run_options) {
  Running r;
  static int n = 0;
  r.out = world().dir + "/waiting-" + std::to_string(++n) + ".txt";
  Strings cmd = {"podman", "run", "--rm"};
  cmd.insert(cmd.end(), run_options.begin(), run_options.end());
  Strings rest = {kImage, "sh", "-c", "trap 'exit 143' TERM; echo ready; sleep 120 & wait"};
  cmd.insert(cmd.end(), rest.begin(), rest.end());
  lab::SpawnOptions o;
  o.argv = gmsa_run({}, cmd);
  o.env = env();
  o.log_file = r.out;
  auto pid = lab::spawn(o);
  EXPECT_TRUE(pid.ok()) << pid.error().what();
  if (!pid.ok()) return r;
  r.pid = *pid;
  for (int i = 0; i < 300 && slurp(r.out).find("ready") == std::string::npos; ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_NE(slurp(r.out).find("ready"), std::string::npos) << slurp(r.out);
  r.id = lease_id_in(slurp(r.out));
  return r;
}

// The lease of a running `gmsa run` is bound to that very pid (now podman's).
void expect_bound_to(const Running& r) {
  auto show = run({kGmsa, "lease", "show", r.id, "--socket", world().socket});
  EXPECT_EQ(show.status, 0) << show.output;
  EXPECT_NE(show.output.find("\nbound to: pid " + std::to_string(r.pid) + " (start time "),
            std::string::npos)
      << show.output;
  EXPECT_NE(
      slurp("/proc/" + std::to_string(r.pid) + "/cmdline").find(std::string("podman\0run", 10)),
      std::string::npos);
}

class E2eEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/tmp/gmsa-e2e-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    ::chmod(tmpl, 0755);
    auto& w = world();
    w.dir = tmpl;
    // GMSA_E2E_LAB_DIR: use a lab that is already up (left running afterwards).
    const char* existing = std::getenv("GMSA_E2E_LAB_DIR");
    w.own_lab = existing == nullptr || *existing == '\0';
    w.lab_dir = w.own_lab ? w.dir + "/lab" : existing;
    if (w.own_lab) {
      auto up = run({kGmsa, "lab", "up", "--dir", w.lab_dir});
      ASSERT_EQ(up.status, 0) << up.output;
    }
    w.lab = nlohmann::json::parse(slurp(w.lab_dir + "/lab.json"));
    auto image =
        run({"/bin/bash", std::string(GMSA_SOURCE_DIR) + "/scripts/build-demo-image.sh", kImage});
    ASSERT_EQ(image.status, 0) << image.output;
    w.socket = w.dir + "/broker/brokerd.sock";
    // The ticket caches on a tmpfs of their own, as dist/ deploys the daemon:
    // the containers bind-mount their lease directories from it.
    auto krbdir = testing::TmpfsMount::create(w.dir + "/broker/krbdir");
    ASSERT_TRUE(krbdir.ok()) << krbdir.error().what();
    w.krbdir = std::move(krbdir).value();
    lab::SpawnOptions o;
    o.argv = {kBrokerd,
              "--domain",
              w.lab["domain"],
              "--krb5-conf",
              w.lab["krb5Config"],
              "--host-keytab",
              w.lab["hostKeytab"],
              "--host-principal",
              w.lab["hostPrincipal"],
              "--state-dir",
              w.dir + "/broker",
              "--socket",
              w.socket,
              "--domainless-secret",
              w.lab["domainlessUser"]["file"]};
    for (const auto& dc : w.lab["dcs"])
      o.argv.push_back("--dc"),
          o.argv.push_back(dc["name"].get<std::string>() + "=" + dc["address"].get<std::string>());
    o.env = env();
    // GSSAPI inside libldap reads KRB5_CONFIG process-wide (the LDAP client checks it).
    o.env.push_back("KRB5_CONFIG=" + w.lab["krb5Config"].get<std::string>());
    o.log_file = w.dir + "/brokerd.log";
    auto pid = lab::spawn(o);
    ASSERT_TRUE(pid.ok()) << pid.error().what();
    w.brokerd = lab::record_of(*pid).value_or(lab::PidRecord{*pid, 0});
    for (int i = 0; i < 100 && lease_count() == 999; ++i) std::this_thread::sleep_for(100ms);
    ASSERT_EQ(lease_count(), 0u) << slurp(o.log_file);
    ASSERT_NE(slurp(o.log_file).find("krbdir_fs=tmpfs"), std::string::npos) << slurp(o.log_file);
  }
  void TearDown() override {
    auto& w = world();
    if (w.dir.empty()) return;
    if (w.brokerd.pid > 0) {
      ::kill(w.brokerd.pid, SIGTERM);
      (void)lab::wait_child(w.brokerd.pid, "gmsa-brokerd", 10s);
    }
    w.krbdir.reset();
    if (w.own_lab && std::filesystem::exists(w.lab_dir + "/lab.json")) {
      auto down = run({kGmsa, "lab", "down", "--dir", w.lab_dir});
      EXPECT_EQ(down.status, 0) << down.output;
    }
    if (std::getenv("GMSA_KEEP_LAB_DIR") == nullptr) std::filesystem::remove_all(w.dir);
  }
};
[[maybe_unused]] auto* const env_ = ::testing::AddGlobalTestEnvironment(new E2eEnvironment);

// Runs first (tests in a file run in order): the spec every other test uses.
TEST(E2e, CredspecNewCarriesTheLabsSidAndGuidAndValidates) {
  auto& w = world();
  w.spec = w.dir + "/webapp01.json";
  auto r = run(
      {kGmsa, "credspec", "new", "--account", "WEBAPP01", "--lab-dir", w.lab_dir, "-o", w.spec});
  ASSERT_EQ(r.status, 0) << r.output;
  auto v = run({kGmsa, "credspec", "validate", w.spec});
  EXPECT_EQ(v.status, 0) << v.output;
  auto spec = nlohmann::json::parse(slurp(w.spec));
  EXPECT_EQ(spec["DomainJoinConfig"]["Sid"], w.lab["domainSid"]);
  EXPECT_EQ(spec["DomainJoinConfig"]["Guid"], w.lab["domainGuid"]);
  EXPECT_EQ(spec["DomainJoinConfig"]["NetBiosName"], w.lab["netbios"]);
  EXPECT_EQ(spec["DomainJoinConfig"]["DnsTreeName"], w.lab["forest"]);
  EXPECT_EQ(spec["DomainJoinConfig"]["MachineAccountName"], "WEBAPP01");
  EXPECT_EQ(
      spec["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"],
      nlohmann::json::parse(
          R"([{"Name":"WEBAPP01","Scope":"contoso.test"},{"Name":"WEBAPP01","Scope":"CONTOSO"}])"));
  // Never overwritten without --force; an unknown gMSA is an error.
  auto again = run(
      {kGmsa, "credspec", "new", "--account", "WEBAPP01", "--lab-dir", w.lab_dir, "-o", w.spec});
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.output,
            "gmsa credspec new: " + w.spec + ": exists (use --force to replace it)\n");
  auto unknown = run({kGmsa, "credspec", "new", "--account", "NOSUCH01", "--lab-dir", w.lab_dir});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.output.find("NOSUCH01"), std::string::npos) << unknown.output;
}

TEST(E2e, ContainerLogsInAsTheGmsaAndTheLeaseIsGoneAfterwards) {
  ASSERT_FALSE(world().spec.empty());
  auto r = run(gmsa_run({}, psql_container()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\nwebapp WEBAPP01$@CONTOSO.TEST\n"), std::string::npos) << r.output;
  const std::string id = lease_id_in(r.output);
  ASSERT_EQ(id.size(), 20u) << r.output;
  EXPECT_EQ(leases_after_exit(id), 0u);
}

// The OCI hook (dist/podman/hooks.d): an annotated container gets the lease,
// owned by its user, and the lease goes with the container.
std::string hooks_dir() {
  const std::string dir = world().dir + "/hooks.d";
  std::filesystem::create_directories(dir);
  nlohmann::json hook = nlohmann::json::parse(
      slurp(std::string(GMSA_SOURCE_DIR) + "/dist/podman/hooks.d/gmsa-broker.json"));
  hook["hook"]["path"] = kGmsa;
  hook["hook"]["args"] = {"gmsa", "hook", "precreate", "--socket", world().socket};
  std::ofstream(dir + "/gmsa-broker.json") << hook.dump(2);
  return dir;
}

Strings with_hook(Strings container) {
  container.insert(container.begin() + 1, {"--hooks-dir", hooks_dir()});
  return container;
}

TEST(E2e, OciHookGivesAnAnnotatedContainerItsIdentity) {
  ASSERT_FALSE(world().spec.empty());
  // --user 1000: the image's user "app", group 1000; the lease's files are
  // its own and its group owns their directory.
  auto r = run(with_hook(psql_container(
      {"--user", "1000", "--annotation", "io.github.gmsa-broker.credspec=" + world().spec})));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "webapp WEBAPP01$@CONTOSO.TEST\n");
  EXPECT_EQ(leases_after_exit(), 0u);  // its poststop hook deleted the lease
  // Domainless: the second annotation names the reader's secret file.
  auto domainless = run(with_hook(psql_container(
      {"--annotation", "io.github.gmsa-broker.credspec=" + world().spec, "--annotation",
       "io.github.gmsa-broker.domainless-secret=" +
           world().lab["domainlessUser"]["file"].get<std::string>()})));
  ASSERT_EQ(domainless.status, 0) << domainless.output;
  EXPECT_EQ(domainless.output, "webapp WEBAPP01$@CONTOSO.TEST\n");
  EXPECT_EQ(leases_after_exit(), 0u);
  // Without the annotation the hook does nothing: no lease, no login.
  auto plain = run(with_hook(psql_container()));
  EXPECT_EQ(plain.status, 2) << plain.output;
  EXPECT_EQ(lease_count(), 0u);
}

// podman 4.3 reports a failed precreate hook as "exit status 1" only; the
// hook's own message is checked by running it as podman would.
TEST(E2e, OciHookRefusesABadAnnotationAndTheContainerDoesNotStart) {
  const std::string missing = world().dir + "/nosuch.json";
  auto r =
      run(with_hook(psql_container({"--annotation", "io.github.gmsa-broker.credspec=" + missing})));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("gmsa hook precreate --socket " + world().socket + "]: exit status 1"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("WEBAPP01$@"), std::string::npos) << r.output;
  EXPECT_EQ(lease_count(), 0u);
  const std::string config = world().dir + "/config.json";
  std::ofstream(config) << nlohmann::json{
      {"process", {{"user", {{"uid", 0}}}}},
      {"annotations",
       {{"io.github.gmsa-broker.credspec",
         missing}}}}.dump();
  auto direct = run({"/bin/sh", "-c", "exec \"$0\" hook precreate --socket \"$1\" < \"$2\"", kGmsa,
                     world().socket, config});
  EXPECT_EQ(direct.status, 1);
  EXPECT_EQ(direct.output,
            "gmsa hook precreate: annotations.io.github.gmsa-broker.credspec: cannot read " +
                missing + "\n");
  EXPECT_EQ(lease_count(), 0u);
}

TEST(E2e, TheSameContainerWithoutALeaseIsRefused) {
  auto r = run(psql_container());
  EXPECT_EQ(r.status, 2) << r.output;  // psql: connection failed
  EXPECT_NE(r.output.find("psql: error: connection to server at \"db.contoso.test\""),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("WEBAPP01$@"), std::string::npos) << r.output;
}

TEST(E2e, NonRootContainerReadsItsTicket) {
  ASSERT_FALSE(world().spec.empty());
  auto r = run(gmsa_run({"--uid", "1000"}, psql_container()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\nwebapp WEBAPP01$@CONTOSO.TEST\n"), std::string::npos) << r.output;
  // It really ran as 1000, and only 1000 (and root) can read the ticket.
  auto who = run(gmsa_run({"--uid", "1000"}, {"podman", "run", "--rm", kImage, "id", "-u"}));
  EXPECT_EQ(who.status, 0) << who.output;
  EXPECT_NE(who.output.find("\n1000\n"), std::string::npos) << who.output;
  auto other = run(gmsa_run({"--uid", "1000"}, {"podman", "run", "--rm", "--user", "1001", kImage,
                                                "cat", "/var/credentials-fetcher/krbdir/krb5cc"}));
  EXPECT_NE(other.status, 0) << other.output;
  EXPECT_EQ(leases_after_exit(), 0u);
}

TEST(E2e, DomainlessRun) {
  ASSERT_FALSE(world().spec.empty());
  auto r = run(
      gmsa_run({"--domainless-secret", world().lab["domainlessUser"]["file"]}, psql_container()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\nwebapp WEBAPP01$@CONTOSO.TEST\n"), std::string::npos) << r.output;
  EXPECT_EQ(leases_after_exit(lease_id_in(r.output)), 0u);
}

TEST(E2e, ExitStatusIsTheContainers) {
  auto r = run(gmsa_run({}, {"podman", "run", "--rm", kImage, "sh", "-c", "exit 7"}));
  EXPECT_EQ(r.status, 7) << r.output;
  EXPECT_EQ(leases_after_exit(lease_id_in(r.output)), 0u);
}

TEST(E2e, SigtermStopsTheContainerAndDeletesTheLease) {
  ASSERT_FALSE(world().spec.empty());
  auto r = start_waiting_container({});
  ASSERT_EQ(r.id.size(), 20u) << slurp(r.out);
  ASSERT_EQ(lease_count(), 1u);
  expect_bound_to(r);
  // While it runs, gmsa status and lease show describe its lease.
  auto status = run({kGmsa, "status", "--socket", world().socket});
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_NE(status.output.find(r.id + "  WEBAPP01@contoso.test  "), std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("  ok\n"), std::string::npos) << status.output;
  auto show = run({kGmsa, "lease", "show", r.id, "--socket", world().socket});
  EXPECT_EQ(show.output.rfind("lease " + r.id + "\nkind: domain-joined\n", 0), 0u) << show.output;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(r.pid, SIGTERM), 0);  // podman itself: it proxies it to the container
  auto st = lab::wait_child(r.pid, "gmsa run", 30s);
  ASSERT_TRUE(st.ok()) << st.error().what() << slurp(r.out);
  EXPECT_EQ(*st, 143) << slurp(r.out);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 15s);
  EXPECT_EQ(leases_after_exit(r.id), 0u);
}

TEST(E2e, SigkillOfTheRuntimeProcessDeletesTheLease) {
  ASSERT_FALSE(world().spec.empty());
  const std::string name = "gmsa-e2e-sigkill";
  (void)run({"/usr/bin/podman", "rm", "-f", name});
  auto r = start_waiting_container({"--name", name});
  ASSERT_EQ(r.id.size(), 20u) << slurp(r.out);
  expect_bound_to(r);
  ASSERT_EQ(::kill(r.pid, SIGKILL), 0);
  auto st = lab::wait_child(r.pid, "gmsa run", 30s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().what(), "gmsa run: killed by signal 9");
  EXPECT_EQ(leases_after_exit(r.id), 0u);
  // The container outlives a SIGKILLed podman (conmon keeps it), without its lease.
  auto rm = run({"/usr/bin/podman", "rm", "-f", "-t", "0", name});
  EXPECT_EQ(rm.status, 0) << rm.output;
}

TEST(E2e, PodmanKillDeletesTheLease) {
  ASSERT_FALSE(world().spec.empty());
  const std::string name = "gmsa-e2e-kill";
  (void)run({"/usr/bin/podman", "rm", "-f", name});
  auto r = start_waiting_container({"--name", name});
  ASSERT_EQ(r.id.size(), 20u) << slurp(r.out);
  expect_bound_to(r);
  auto kill = run({"/usr/bin/podman", "kill", name});
  EXPECT_EQ(kill.status, 0) << kill.output;
  auto st = lab::wait_child(r.pid, "gmsa run", 30s);
  ASSERT_TRUE(st.ok()) << st.error().what();
  EXPECT_EQ(*st, 128 + SIGKILL) << slurp(r.out);
  EXPECT_EQ(leases_after_exit(r.id), 0u);
}

}  // namespace
}  // namespace gmsa::e2e
