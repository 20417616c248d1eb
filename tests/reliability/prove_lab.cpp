#include "prove_lab.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmsa/daemon/directory_source.hpp"
#include "gmsa/lab/lab.hpp"
#include "gmsa/lab/process.hpp"

namespace gmsa::prove {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Held from lab_up to lab_down (or the process's end): runs of the suite in
// other processes (another build tree, ctest -j) wait instead of colliding.
int g_lock_fd = -1;

Status take_machine_lock(const std::string& netns) {
  ::mkdir("/run/gmsa-lab", 0755);
  const std::string path = "/run/gmsa-lab/" + netns + ".prove-lock";
  g_lock_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (g_lock_fd < 0) return Error{path, std::strerror(errno)};
  if (::flock(g_lock_fd, LOCK_EX) != 0) return Error{path, std::strerror(errno)};
  return ok_status();
}

}  // namespace

Result<ProveLab> lab_up(std::chrono::seconds rotation) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/gmsa-prove-lab-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return Error{"lab", "mkdtemp failed in " + tmpl};
  ProveLab l;
  l.config.dir = tmpl;
  l.config.rotation = rotation;
  l.config.netns = "gmsa-prove";
  l.config.veth_host = "gmsaprv0";
  l.config.veth_ns = "gmsaprv1";
  l.config.subnet = "10.214.0";
  std::ostringstream log;
  if (auto st = take_machine_lock(l.config.netns); !st.ok()) return st.error();
  // A lab left behind by a killed run of this suite owns the namespace: stop it.
  if (std::string owner = slurp("/run/gmsa-lab/" + l.config.netns + ".owner"); !owner.empty()) {
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' ')) owner.pop_back();
    lab::LabConfig old = l.config;
    old.dir = owner;
    (void)lab::down(old, log);
  }
  if (auto st = lab::up(l.config, log); !st.ok()) {
    return Error{"lab up", st.error().what() + "\n" + log.str()};
  }
  l.facts = nlohmann::json::parse(slurp(l.config.path("lab.json")), nullptr, false);
  if (l.facts.is_discarded()) return Error{"lab", "cannot read lab.json"};
  return l;
}

Result<std::unique_ptr<daemon::Daemon>> start_daemon(const ProveLab& lab, const std::string& dir,
                                                     const Clock& clock, daemon::Random& random) {
  daemon::DaemonConfig cfg = daemon_config(lab, daemon_state(dir), daemon_socket(dir));
  if (auto st = daemon::finalize(cfg); !st) return st.error();
  auto d = daemon::Daemon::create(
      cfg, std::make_unique<daemon::DirectorySource>(cfg, random, clock), clock, random);
  if (!d) return d.error();
  if (auto st = (*d)->start(); !st) return st.error();
  return d;
}

Status lab_down(const ProveLab& l) {
  std::ostringstream log;
  auto st = lab::down(l.config, log);
  if (!st.ok()) return Error{"lab down", st.error().what() + "\n" + log.str()};
  if (g_lock_fd >= 0) {
    ::close(g_lock_fd);  // releases the flock
    g_lock_fd = -1;
  }
  if (std::getenv("GMSA_KEEP_LAB_DIR") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(l.config.dir, ec);
  }
  return ok_status();
}

daemon::DaemonConfig daemon_config(const ProveLab& l, const std::string& state_dir,
                                   const std::string& socket_path) {
  daemon::DaemonConfig cfg;
  cfg.state_dir = state_dir;
  cfg.socket_path = socket_path;
  cfg.domain = l.facts["domain"];
  cfg.krb5_conf = l.facts["krb5Config"];
  cfg.host_keytab = l.facts["hostKeytab"];
  cfg.host_principal = l.facts["hostPrincipal"];
  for (const auto& dc : l.facts["dcs"]) cfg.dcs.push_back({dc["name"], dc["address"], 389, false});
  cfg.domainless_secret = l.facts["domainlessUser"]["file"];
  cfg.connect_timeout = std::chrono::milliseconds(1000);
  cfg.operation_timeout = std::chrono::milliseconds(2000);
  return cfg;
}

lab::LabCounters counters(const ProveLab& l) {
  return lab::count_logs(slurp(l.config.path("logs/krb5kdc.log")),
                         slurp(l.config.path("logs/slapd.log")));
}

int server_pid(const ProveLab& l, const std::string& name) {
  auto rec = lab::read_pid_file(l.config.path("run/" + name + ".pidrec"));
  return rec ? rec->pid : 0;
}

}  // namespace gmsa::prove
