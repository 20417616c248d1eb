#include "gmsa/lab/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace gmsa::lab {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> c_array(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void child_fail(int report_fd, int err) {
  ssize_t n = ::write(report_fd, &err, sizeof err);
  (void)n;
  _exit(127);
}

}  // namespace

Result<pid_t> spawn_impl(const SpawnOptions& o, int* stdin_write) {
  if (o.argv.empty() || o.argv[0].empty() || o.argv[0][0] != '/') {
    return Error{"argv[0]", "must be an absolute program path"};
  }
  auto argv = c_array(o.argv);
  auto envp = c_array(o.env);
  Fd ns, log, report_r, report_w, in_r, in_w;
  if (!o.netns.empty()) {
    ns.fd = ::open(("/run/netns/" + o.netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns.fd < 0)
      return Error{o.argv[0], "network namespace " + o.netns + ": " + std::strerror(errno)};
  }
  log.fd = ::open(o.log_file.empty() ? "/dev/null" : o.log_file.c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log.fd < 0) return Error{o.argv[0], "log file " + o.log_file + ": " + std::strerror(errno)};
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0)
    return Error{o.argv[0], std::string("pipe: ") + std::strerror(errno)};
  report_r.fd = p[0];
  report_w.fd = p[1];
  if (::pipe2(p, O_CLOEXEC) != 0)
    return Error{o.argv[0], std::string("pipe: ") + std::strerror(errno)};
  in_r.fd = p[0];
  in_w.fd = p[1];

  pid_t pid = ::fork();
  if (pid < 0) return Error{o.argv[0], std::string("fork: ") + std::strerror(errno)};
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (o.new_session) setsid();
    if (ns.fd >= 0 && setns(ns.fd, CLONE_NEWNET) != 0) child_fail(report_w.fd, errno);
    if (::dup2(in_r.fd, 0) < 0 || ::dup2(log.fd, 1) < 0 || ::dup2(log.fd, 2) < 0) {
      child_fail(report_w.fd, errno);
    }
    if (o.gid && (::setgroups(0, nullptr) != 0 || ::setgid(*o.gid) != 0))
      child_fail(report_w.fd, errno);
    if (o.uid && ::setuid(*o.uid) != 0) child_fail(report_w.fd, errno);
    if (::chdir("/") != 0) child_fail(report_w.fd, errno);
    ::execve(argv[0], argv.data(), envp.data());
    child_fail(report_w.fd, errno);
  }
  ::close(report_w.fd);
  report_w.fd = -1;
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report_r.fd, &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    ::waitpid(pid, nullptr, 0);
    return Error{o.argv[0], std::string("cannot start: ") + std::strerror(child_errno)};
  }
  if (stdin_write) {
    *stdin_write = in_w.fd;
    in_w.fd = -1;
  }
  return pid;
}

Result<pid_t> spawn(const SpawnOptions& o) { return spawn_impl(o, nullptr); }

Result<int> run(const SpawnOptions& o, std::chrono::milliseconds timeout) {
  int in_w = -1;
  auto pid = spawn_impl(o, &in_w);
  if (!pid.ok()) return pid.error();
  // Feed stdin, then close it.
  const char* data = o.stdin_data.data();
  std::size_t left = o.stdin_data.size();
  signal(SIGPIPE, SIG_IGN);
  while (left > 0) {
    ssize_t w = ::write(in_w, data, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    data += w;
    left -= static_cast<std::size_t>(w);
  }
  ::close(in_w);
  return wait_child(*pid, o.argv[0], timeout);
}

Result<int> wait_child(pid_t pid, const std::string& what, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  // A pidfd becomes readable the moment the child exits, so the wait ends
  // then: the benchmark times processes with this, and a polling interval
  // would add up to one interval to every measured process. Without pidfds
  // (kernels before 5.3), waitpid is polled every millisecond.
  Fd pidfd;
  pidfd.fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR)
      return Error{what, std::string("waitpid: ") + std::strerror(errno)};
    const auto now = Clock::now();
    if (now > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Error{what, "timed out after " + std::to_string(timeout.count()) + " ms"};
    }
    if (pidfd.fd >= 0) {
      pollfd p{pidfd.fd, POLLIN, 0};
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
      (void)::poll(&p, 1, static_cast<int>(std::min<long long>(left + 1, 60'000)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  if (WIFSIGNALED(status))
    return Error{what, "killed by signal " + std::to_string(WTERMSIG(status))};
  return WEXITSTATUS(status);
}

Status run_ok(const SpawnOptions& o, std::chrono::milliseconds timeout) {
  auto r = run(o, timeout);
  if (!r.ok()) return r.error();
  if (*r != 0) {
    return Error{o.argv[0], "exited with status " + std::to_string(*r) +
                                (o.log_file.empty() ? "" : " (see " + o.log_file + ")")};
  }
  return ok_status();
}

std::string format_pid_record(const PidRecord& r) {
  return std::to_string(r.pid) + " " + std::to_string(r.start_time) + "\n";
}

Result<PidRecord> parse_pid_record(const std::string& text) {
  const Error bad{"pid file", "expected \"<pid> <start time>\""};
  std::istringstream in(text);
  long long pid = 0;
  unsigned long long start = 0;
  std::string rest;
  if (!(in >> pid >> start) || (in >> rest) || pid <= 1 || pid > 4194304) return bad;
  return PidRecord{static_cast<pid_t>(pid), start};
}

Result<ProcStat> parse_proc_stat(const std::string& stat) {
  const Error bad{"/proc/<pid>/stat", "unexpected format"};
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return bad;
  std::istringstream in(stat.substr(close + 2));
  ProcStat out;
  std::string field;
  if (!(in >> out.state)) return bad;
  // Fields 4..21 are skipped; field 22 is starttime (field 3 is the state).
  for (int i = 4; i <= 21; ++i) {
    if (!(in >> field)) return bad;
  }
  if (!(in >> out.start_time)) return bad;
  return out;
}

namespace {
std::optional<ProcStat> proc_stat(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  if (!f) return std::nullopt;
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto st = parse_proc_stat(s);
  if (!st.ok()) return std::nullopt;
  return *st;
}
}  // namespace

std::optional<PidRecord> record_of(pid_t pid) {
  auto st = proc_stat(pid);
  if (!st) return std::nullopt;
  return PidRecord{pid, st->start_time};
}

bool alive(const PidRecord& r) {
  auto st = proc_stat(r.pid);
  return st && st->start_time == r.start_time && st->state != 'Z' && st->state != 'X';
}

Status write_pid_file(const std::string& path, const PidRecord& r) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!(f << format_pid_record(r))) return Error{path, "cannot write"};
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Error{path, std::strerror(errno)};
  return ok_status();
}

std::optional<PidRecord> read_pid_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto r = parse_pid_record(s);
  if (!r.ok()) return std::nullopt;
  return *r;
}

Status stop_recorded(const std::string& pid_file, std::chrono::milliseconds grace, int signal) {
  auto rec = read_pid_file(pid_file);
  if (rec && alive(*rec)) {
    ::kill(rec->pid, signal);
    const auto deadline = Clock::now() + grace;
    while (alive(*rec) && Clock::now() < deadline) {
      ::waitpid(rec->pid, nullptr, WNOHANG);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (alive(*rec)) {
      ::kill(rec->pid, SIGKILL);
      while (alive(*rec)) {
        ::waitpid(rec->pid, nullptr, WNOHANG);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    ::waitpid(rec->pid, nullptr, WNOHANG);
  }
  std::remove(pid_file.c_str());
  return ok_status();
}

Status wait_for_port(const std::string& what, const std::string& address, int port,
                     std::chrono::milliseconds timeout, const std::optional<PidRecord>& watched) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1)
    return Error{what, "bad address " + address};
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error{what, std::string("socket: ") + std::strerror(errno)};
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    bool up = rc == 0;
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      if (::poll(&pfd, 1, 100) == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        up = err == 0;
      }
    }
    ::close(fd);
    if (up) return ok_status();
    if (watched && !alive(*watched)) {
      return Error{what, "exited before listening on " + address + ":" + std::to_string(port)};
    }
    if (Clock::now() > deadline) {
      return Error{what, "not listening on " + address + ":" + std::to_string(port) + " after " +
                             std::to_string(timeout.count()) + " ms"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace gmsa::lab
