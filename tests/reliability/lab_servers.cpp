#include "lab_servers.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "brokerd_process.hpp"
#include "gmsa/lab/process.hpp"

namespace gmsa::reliability {
namespace {

std::vector<std::string> split_nul(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

}  // namespace

Status LabServer::kill() {
  const int pid = prove::server_pid(lab_, name_);
  if (pid <= 0) return Error{name_, "no pid record"};
  argv_ = split_nul(prove::proc_file(pid, "cmdline"));
  env_ = split_nul(prove::proc_file(pid, "environ"));
  if (argv_.empty()) return Error{name_, "not running"};
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 500 && ::kill(pid, 0) == 0; ++i) {
    ::waitpid(pid, nullptr, WNOHANG);  // the lab was started by this process
    auto rec = lab::record_of(pid);
    if (!rec || !lab::alive(*rec)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ok_status();
}

Status LabServer::restart() {
  lab::SpawnOptions o;
  o.argv = argv_;
  o.env = env_;
  o.netns = lab_.config.netns;
  o.log_file = lab_.config.path("logs/" + name_ + ".log");
  auto pid = lab::spawn(o);
  if (!pid.ok()) return pid.error();
  auto rec = lab::record_of(*pid);
  if (!rec) return Error{name_, "exited at once"};
  if (auto s = lab::write_pid_file(lab_.config.path("run/" + name_ + ".pidrec"), *rec); !s.ok())
    return s;
  const int port = name_ == "krb5kdc" ? 88 : 389;
  return lab::wait_for_port(name_, lab_.config.dc1_address(), port, std::chrono::seconds(15), *rec);
}

Status LabServer::pause() {
  const int pid = prove::server_pid(lab_, name_);
  if (pid <= 0 || ::kill(pid, SIGSTOP) != 0) return Error{name_, "cannot SIGSTOP"};
  return ok_status();
}

Status LabServer::resume() {
  const int pid = prove::server_pid(lab_, name_);
  if (pid <= 0 || ::kill(pid, SIGCONT) != 0) return Error{name_, "cannot SIGCONT"};
  return ok_status();
}

}  // namespace gmsa::reliability
