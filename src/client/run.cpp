#include "gmsa/client/run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

extern char** environ;

namespace gmsa::client {
namespace {

bool named_podman(const std::string& arg0) {
  auto slash = arg0.find_last_of('/');
  return (slash == std::string::npos ? arg0 : arg0.substr(slash + 1)) == "podman";
}

}  // namespace

Result<std::vector<std::string>> insert_identity(const std::vector<std::string>& command,
                                                 const std::string& lease_dir,
                                                 std::optional<std::uint32_t> uid) {
  if (command.empty())
    return Error{"command", "missing: give it after --, e.g. -- podman run IMAGE"};
  if (!named_podman(command[0]))
    return Error{"command", "must start with podman (got '" + command[0] + "')"};
  std::size_t run = 1;
  while (run < command.size() && command[run] != "run") {
    // Only global options (and their values) may come before the verb.
    if (command[run].empty() || (command[run][0] != '-' && command[run - 1][0] != '-'))
      return Error{"command",
                   "must be 'podman [global options] run ...' (got '" + command[run] + "')"};
    ++run;
  }
  if (run >= command.size()) return Error{"command", "must be 'podman [global options] run ...'"};
  if (lease_dir.empty() || lease_dir[0] != '/' ||
      lease_dir.find_first_of(":,") != std::string::npos)
    return Error{"lease directory", "must be an absolute path without ':' or ','"};
  std::vector<std::string> insert = {"-v", lease_dir + ":" + kContainerKrbDir + ":ro", "-e",
                                     std::string("KRB5CCNAME=") + kContainerCcache};
  if (uid) {
    insert.push_back("--user");
    insert.push_back(std::to_string(*uid));
  }
  std::vector<std::string> out(command.begin(), command.begin() + static_cast<long>(run) + 1);
  out.insert(out.end(), insert.begin(), insert.end());
  out.insert(out.end(), command.begin() + static_cast<long>(run) + 1, command.end());
  return out;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

namespace {

class RealRunner final : public ProcessRunner {
 public:
  explicit RealRunner(std::vector<std::string> extra_env) : extra_env_(std::move(extra_env)) {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~RealRunner() override {
    // Signals that arrived after the child ended were handled by ending; drop them.
    timespec zero{};
    while (sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

  Result<pid_t> spawn(const std::vector<std::string>& argv) override {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e) {
      std::string entry = *e;
      bool overridden = false;
      for (const auto& x : extra_env_)
        overridden |= entry.compare(0, x.find('=') + 1, x, 0, x.find('=') + 1) == 0;
      if (!overridden) env_store.push_back(std::move(entry));
    }
    env_store.insert(env_store.end(), extra_env_.begin(), extra_env_.end());
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Error{argv[0], std::strerror(errno)};
    pid_t pid = ::fork();
    if (pid < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      return Error{argv[0], std::string("fork: ") + std::strerror(errno)};
    }
    if (pid == 0) {
      for (int s : {SIGINT, SIGTERM, SIGHUP}) ::signal(s, SIG_DFL);
      pthread_sigmask(SIG_SETMASK, &old_, nullptr);
      ::execvpe(args[0], args.data(), envp.data());
      int e = errno;
      [[maybe_unused]] auto n = ::write(fds[1], &e, sizeof e);
      ::_exit(127);
    }
    ::close(fds[1]);
    int e = 0;
    ssize_t n;
    do {
      n = ::read(fds[0], &e, sizeof e);
    } while (n < 0 && errno == EINTR);
    ::close(fds[0]);
    if (n == sizeof e) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      return Error{argv[0], std::string("cannot run: ") + std::strerror(e)};
    }
    pid_ = pid;
    return pid;
  }

  Result<Event> next_event() override {
    for (;;) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) return Event{Event::Kind::kExited, status};
      if (r < 0 && errno != EINTR) return Error{"wait", std::strerror(errno)};
      siginfo_t info{};
      int s = ::sigwaitinfo(&set_, &info);
      if (s < 0) {
        if (errno == EINTR) continue;
        return Error{"wait", std::strerror(errno)};
      }
      if (s != SIGCHLD) return Event{Event::Kind::kSignal, s, info.si_code == SI_KERNEL};
    }
  }

  void forward(int signal) override {
    if (pid_ > 0) ::kill(pid_, signal);
  }

 private:
  std::vector<std::string> extra_env_;
  sigset_t set_{};
  sigset_t old_{};
  pid_t pid_ = -1;
};

}  // namespace

std::unique_ptr<ProcessRunner> make_process_runner(std::vector<std::string> extra_env) {
  return std::make_unique<RealRunner>(std::move(extra_env));
}

int run_with_lease(Daemon& daemon, ProcessRunner& runner, RunOptions o, std::ostream& err) {
  if (auto check = insert_identity(o.command, "/", o.uid); !check) {
    err << "gmsa run: " << check.error().what() << "\n";
    return 2;
  }
  auto lease = daemon.add_lease(o.lease);
  if (!lease) {
    err << "gmsa run: no lease: " << lease.error().what() << "\n";
    return 1;
  }
  auto release = [&] {
    auto d = daemon.delete_lease(lease->id);
    if (!d) {
      err << "gmsa run: lease " << lease->id << " NOT deleted: " << d.error().what() << "\n";
      return false;
    }
    return true;
  };
  if (lease->accounts.size() != 1) {
    err << "gmsa run: lease " << lease->id << " has " << lease->accounts.size()
        << " accounts; one credential spec (one gMSA) per container is supported\n";
    release();
    return 1;
  }
  const auto& account = lease->accounts[0];
  auto argv = insert_identity(o.command, account.path, o.uid);
  if (!argv) {
    err << "gmsa run: " << argv.error().what() << "\n";
    release();
    return 1;
  }
  err << "gmsa run: lease " << lease->id << " (" << account.account << ") mounted at "
      << kContainerKrbDir << "\n";
  auto pid = runner.spawn(*argv);
  if (!pid) {
    err << "gmsa run: " << pid.error().what() << "\n";
    release();
    return 1;
  }
  int code = 1;
  for (;;) {
    auto ev = runner.next_event();
    if (!ev) {
      // Cannot wait any more: stop the child rather than leave it holding the lease.
      err << "gmsa run: " << ev.error().what() << "\n";
      runner.forward(SIGKILL);
      break;
    }
    if (ev->kind == ProcessRunner::Event::Kind::kSignal) {
      if (!ev->to_group) runner.forward(ev->value);
      continue;
    }
    code = exit_code_of(ev->value);
    break;
  }
  if (!release()) return code == 0 ? 1 : code;
  err << "gmsa run: lease " << lease->id << " deleted\n";
  return code;
}

}  // namespace gmsa::client
