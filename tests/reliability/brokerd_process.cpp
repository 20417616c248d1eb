#include "brokerd_process.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "gmsa/lab/process.hpp"

namespace gmsa::prove {

Result<Brokerd> start_brokerd(const ProveLab& lab, const std::string& dir,
                              const std::string& state_dir, const std::string& bin,
                              std::chrono::seconds timeout) {
  Brokerd b;
  b.socket = dir + "/brokerd.sock";
  b.log_file = dir + "/brokerd.log";
  b.config_file = dir + "/brokerd.json";
  auto cfg = daemon_config(lab, state_dir, b.socket);
  nlohmann::json j;
  j["domain"] = cfg.domain;
  j["krb5_conf"] = cfg.krb5_conf;
  j["host_keytab"] = cfg.host_keytab;
  j["host_principal"] = cfg.host_principal;
  j["state_dir"] = state_dir;
  j["socket"] = b.socket;
  j["domainless_secret"] = cfg.domainless_secret;
  j["connect_timeout_ms"] = 1000;
  j["operation_timeout_ms"] = 2000;
  j["dcs"] = nlohmann::json::array();
  for (const auto& dc : cfg.dcs) j["dcs"].push_back(dc.host + "=" + dc.address);
  std::ofstream(b.config_file) << j.dump(2) << "\n";
  lab::SpawnOptions o;
  o.argv = {bin, "--config", b.config_file};
  // KRB5_CONFIG too, for a gmsa-brokerd that does not set it from its configuration yet.
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "KRB5_CONFIG=" + cfg.krb5_conf};
  for (const char* v : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"}) {
    if (const char* val = std::getenv(v)) o.env.push_back(std::string(v) + "=" + val);
  }
  o.log_file = b.log_file;
  o.new_session = false;
  auto pid = lab::spawn(o);
  if (!pid.ok()) return pid.error();
  b.pid = *pid;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Ready = the socket accepts a connection (its file appears a moment earlier).
  auto accepting = [&] {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", b.socket.c_str());
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  };
  while (!accepting()) {
    if (std::chrono::steady_clock::now() > deadline || ::kill(b.pid, 0) != 0) {
      (void)stop_brokerd(b, SIGKILL);
      std::ifstream f(b.log_file);
      std::stringstream s;
      s << f.rdbuf();
      return Error{"gmsa-brokerd", "no socket: " + s.str()};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return b;
}

Result<int> stop_brokerd(const Brokerd& b, int signal) {
  ::kill(b.pid, signal);
  return lab::wait_child(b.pid, "gmsa-brokerd", std::chrono::seconds(15));
}

std::string proc_file(pid_t pid, const std::string& name) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string proc_status_field(pid_t pid, const std::string& field) {
  std::istringstream in(proc_file(pid, "status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    const auto first = line.find_first_not_of(" \t", field.size() + 1);
    return first == std::string::npos ? "" : line.substr(first);
  }
  return "";
}

long proc_status_kb(pid_t pid, const std::string& field) {
  const std::string v = proc_status_field(pid, field);
  return v.empty() ? 0 : std::stol(v);
}

}  // namespace gmsa::prove
