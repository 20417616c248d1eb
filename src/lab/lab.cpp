// `gmsa lab up/down/status`: the lab's life cycle.
#include "gmsa/lab/lab.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <thread>

#include "gmsa/lab/counters.hpp"
#include "gmsa/lab/process.hpp"
#include "src/lab/files.hpp"
#include "src/lab/netns.hpp"
#include "src/lab/provision.hpp"

namespace gmsa::lab {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string pid_file(const LabConfig& c, const std::string& name) {
  return c.path("run/" + name + ".pidrec");
}

std::vector<std::string> slapd_urls(const LabConfig& c) {
  return {"ldap://" + c.dc1_address() + "/", "ldap://" + c.dc2_address() + "/",
          "ldaps://" + c.dc1_address() + "/", "ldaps://" + c.dc2_address() + "/", c.ldapi_url()};
}

Result<PidRecord> start_server(const LabConfig& c, const std::string& name, SpawnOptions o) {
  o.log_file = c.path("logs/" + name + ".log");
  auto pid = spawn(o);
  if (!pid.ok()) return pid.error();
  auto rec = record_of(*pid);
  if (!rec) return Error{name, "exited at once (see " + o.log_file + ")"};
  if (auto s = write_pid_file(pid_file(c, name), *rec); !s.ok()) return s.error();
  return *rec;
}

Status wait_ports(const std::string& name, const std::vector<std::string>& addresses,
                  const std::vector<int>& ports, const PidRecord& rec) {
  for (const auto& a : addresses) {
    for (int p : ports) {
      if (auto s = wait_for_port(name, a, p, 15s, rec); !s.ok()) return s;
    }
  }
  return ok_status();
}

// The `gmsa` program that runs `lab serve`: this one when `up` runs in the
// CLI; otherwise (up called in-process by a test) $GMSA_LAB_CLI, the build
// tree's, or the installed one.
Result<std::string> cli_program(const LabConfig& c) {
  if (!c.cli_program.empty()) return c.cli_program;
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    std::string path = self;
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, "/gmsa") == 0) return path;
  }
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("GMSA_LAB_CLI"); env && *env) candidates.push_back(env);
#ifdef GMSA_LAB_BUILD_CLI
  candidates.push_back(GMSA_LAB_BUILD_CLI);
#endif
  candidates.push_back("/usr/local/bin/gmsa");
  candidates.push_back("/usr/bin/gmsa");
  for (const auto& p : candidates) {
    if (p[0] == '/' && ::access(p.c_str(), X_OK) == 0) return p;
  }
  return Error{"controller", "cannot find the gmsa program to run `lab serve`; set GMSA_LAB_CLI"};
}

Status start_all(const LabConfig& c, std::ostream& log, pid_t initdb) {
  const auto env = server_env(c);
  const std::vector<std::string> dcs = {c.dc1_address(), c.dc2_address()};

  SpawnOptions kdc;
  kdc.argv = {"/usr/sbin/krb5kdc", "-n", "-r", c.realm};
  kdc.env = env;
  kdc.netns = c.netns;
  auto kdc_rec = start_server(c, "krb5kdc", kdc);
  if (!kdc_rec.ok()) return kdc_rec.error();

  SpawnOptions slapd;
  std::string urls;
  for (const auto& u : slapd_urls(c)) urls += (urls.empty() ? "" : " ") + u;
  slapd.argv = {"/usr/sbin/slapd", "-d", "stats", "-h", urls, "-F", c.path("ldap/slapd.d")};
  slapd.env = env;
  slapd.env.push_back("KRB5_KTNAME=FILE:" + c.path("keytabs/ldap.keytab"));
  slapd.netns = c.netns;
  auto slapd_rec = start_server(c, "slapd", slapd);
  if (!slapd_rec.ok()) return slapd_rec.error();

  SpawnOptions dns;
  dns.argv = dnsmasq_args(c);
  dns.env = env;
  dns.netns = c.netns;
  auto dns_rec = start_server(c, "dnsmasq", dns);
  if (!dns_rec.ok()) return dns_rec.error();

  if (auto s = finish_postgres(c, initdb); !s.ok()) return s;
  auto pg = postgres_user();
  if (!pg.ok()) return pg.error();
  SpawnOptions pgo;
  pgo.argv = {"/usr/lib/postgresql/15/bin/postgres", "-D", c.path("pg/data")};
  pgo.env = env;
  pgo.netns = c.netns;
  pgo.uid = pg->uid;
  pgo.gid = pg->gid;
  auto pg_rec = start_server(c, "postgres", pgo);
  if (!pg_rec.ok()) return pg_rec.error();

  if (auto s = wait_ports("krb5kdc", dcs, {88}, *kdc_rec); !s.ok()) return s;
  if (auto s = wait_ports("slapd", dcs, {389, 636}, *slapd_rec); !s.ok()) return s;
  if (auto s = wait_ports("dnsmasq", dcs, {53}, *dns_rec); !s.ok()) return s;
  if (auto s = wait_ports("postgres", {c.db_address()}, {5432}, *pg_rec); !s.ok()) return s;
  log << "servers listening: krb5kdc, slapd, dnsmasq on " << c.dc1_address() << " and "
      << c.dc2_address() << "; postgres on " << c.db_address() << "\n";

  // The password controller runs in the host namespace and reaches slapd
  // through its ldapi socket.
  auto program = cli_program(c);
  if (!program.ok()) return program.error();
  SpawnOptions ctl;
  ctl.argv = {*program, "lab", "serve", "--dir", c.dir};
  ctl.env = env;
  auto ctl_rec = start_server(c, "controller", ctl);
  if (!ctl_rec.ok()) return ctl_rec.error();
  const auto deadline = SteadyClock::now() + 20s;
  while (::access(c.path("run/controller.ready").c_str(), F_OK) != 0) {
    if (!alive(*ctl_rec))
      return Error{"controller", "exited (see " + c.path("logs/controller.log") + ")"};
    if (SteadyClock::now() > deadline)
      return Error{"controller", "no passwords published after 20 s"};
    std::this_thread::sleep_for(10ms);
  }
  return ok_status();
}

bool all_running(const LabConfig& c) {
  if (!netns_exists(c.netns)) return false;
  for (const char* s : kServers) {
    auto rec = read_pid_file(pid_file(c, s));
    if (!rec || !alive(*rec)) return false;
  }
  return true;
}

Status do_down(const LabConfig& c, std::ostream& log) {
  // Recorded processes first, gracefully (postgres: fast shutdown).
  for (auto it = std::rbegin(kServers); it != std::rend(kServers); ++it) {
    std::string name = *it;
    int sig = name == "postgres" ? SIGINT : SIGTERM;
    if (auto s = stop_recorded(pid_file(c, name), 3s, sig); !s.ok()) return s;
  }
  auto released = release_netns(c, c.path("logs/setup.log"), log);
  if (!released.ok()) return released.error();
  if (*released) {
    std::remove(c.path("run/controller.ready").c_str());
    std::remove(c.ldapi_path().c_str());
  }
  return ok_status();
}

}  // namespace

Result<LabConfig> load_config(const std::string& dir) {
  LabConfig c;
  c.dir = dir;
  auto text = read_file(c.path("lab.json"));
  if (!text.ok()) return text.error();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("rotation"))
    return Error{c.path("lab.json"), "not a lab description"};
  c.rotation = std::chrono::seconds(j["rotation"].value("realSecondsPerPeriod", 0));
  return c;
}

Status up(const LabConfig& c, std::ostream& log) {
  if (::geteuid() != 0) return Error{"lab up", "needs root (network namespaces, servers)"};
  if (auto s = make_dirs(c.dir, 0711); !s.ok()) return s;
  DirLock lock(c.path(".lock"));
  if (!lock.ok()) return Error{c.dir, "cannot lock"};
  if (all_running(c)) {
    log << "lab already running in " << c.dir << "\n";
    return ok_status();
  }
  if (auto s = make_dirs(c.path("logs"), 0700); !s.ok()) return s;
  // Half up (a crash) or down: clear whatever is left, then build afresh.
  if (auto s = do_down(c, log); !s.ok()) return s;
  if (auto s = check_netns_free(c); !s.ok()) return s;
  const auto started = SteadyClock::now();
  for (const char* d : {"etc", "kdc", "keytabs", "pg", "tls", "ldap", "run", "state"}) {
    if (auto s = remove_tree(c.path(d)); !s.ok()) return s;
  }
  std::remove(c.path("lab.json").c_str());
  for (const char* d : {"kdc", "keytabs", "tls", "ldap/slapd.d", "ldap/data", "run", "state"}) {
    if (auto s = make_dirs(c.path(d), 0700); !s.ok()) return s;
  }
  // etc holds no secret; PostgreSQL (user postgres) reads krb5-server.conf.
  if (auto s = make_dirs(c.path("etc"), 0755); !s.ok()) return s;
  if (auto s = make_dirs(c.path("pg"), 0700); !s.ok()) return s;
  struct Out {
    const char* rel;
    std::string text;
  };
  for (const auto& f :
       {Out{"krb5.conf", client_krb5_conf(c)}, Out{"etc/krb5-server.conf", server_krb5_conf(c)},
        Out{"etc/kdc.conf", kdc_conf(c)}}) {
    if (auto s = write_file(c.path(f.rel), f.text); !s.ok()) return s;
  }
  auto initdb = start_initdb(c);
  if (!initdb.ok()) return initdb.error();
  Status st = create_netns(c, c.path("logs/setup.log"));
  if (st.ok()) st = provision_kdc(c);
  if (st.ok()) st = provision_tls(c);
  if (st.ok()) st = provision_directory(c);
  if (st.ok()) {
    nlohmann::json anchor = {
        {"anchorUnixMs", std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()}};
    st = write_file(c.path("state/rotation.json"), anchor.dump() + "\n");
  }
  // lab.json before the controller starts: it reads the rotation from it.
  if (st.ok()) st = write_file(c.path("lab.json"), lab_json(c));
  if (st.ok()) st = start_all(c, log, *initdb);
  if (!st.ok()) {
    ::kill(*initdb, SIGKILL);
    ::waitpid(*initdb, nullptr, WNOHANG);
    std::ostringstream ignored;
    (void)do_down(c, ignored);
    std::remove(c.path("lab.json").c_str());
    return st;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  log << "lab up in " << ms.count() << " ms: realm " << c.realm << ", DCs " << c.dc1 << " ("
      << c.dc1_address() << ") and " << c.dc2 << " (" << c.dc2_address() << "); facts in "
      << c.path("lab.json") << "\n";
  return ok_status();
}

Status down(const LabConfig& c, std::ostream& log) {
  return down_locked(c.dir, log, [&] { return do_down(c, log); });
}

Status status(const LabConfig& c, std::ostream& out) {
  bool ok = netns_exists(c.netns);
  out << "namespace " << c.netns << ": " << (ok ? "present" : "absent") << "\n";
  for (const char* s : kServers) {
    auto rec = read_pid_file(pid_file(c, s));
    bool up = rec && alive(*rec);
    ok = ok && up;
    out << s << ": " << (up ? "running, pid " + std::to_string(rec->pid) : std::string("stopped"))
        << "\n";
  }
  auto kdc_log = read_file(c.path("logs/krb5kdc.log"));
  auto slapd_log = read_file(c.path("logs/slapd.log"));
  const LabCounters n = count_logs(kdc_log.ok() ? *kdc_log : "", slapd_log.ok() ? *slapd_log : "");
  out << "counters (from " << c.path("logs") << "): AS issued " << n.as_issued << ", AS refused "
      << n.as_failed << ", TGS issued " << n.tgs_issued << ", GSSAPI binds " << n.gssapi_binds
      << ", searches " << n.searches << ", password requests " << n.password_requests
      << ", password writes " << n.password_writes << "\n";
  if (!ok) return Error{"lab", "not running"};
  return ok_status();
}

}  // namespace gmsa::lab
