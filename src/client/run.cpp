#include "gmsa/client/run.hpp"

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

namespace {

class RealRunner final : public ProcessRunner {
 public:
  explicit RealRunner(std::vector<std::string> extra_env) : extra_env_(std::move(extra_env)) {}

  Result<BoundProcess> self() override { return this_process(); }

  Error exec(const std::vector<std::string>& argv) override {
    if (argv.empty()) return Error{"command", "empty"};
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
    ::execvpe(args[0], args.data(), envp.data());
    return Error{argv[0], std::string("cannot run: ") + std::strerror(errno)};
  }

 private:
  std::vector<std::string> extra_env_;
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
  auto self = runner.self();
  if (!self) {
    err << "gmsa run: " << self.error().what() << "\n";
    return 1;
  }
  // Bound to this process, which becomes podman: if anything below (or
  // podman, later) dies, gmsa-brokerd deletes the lease.
  o.lease.process = *self;
  auto lease = daemon.add_lease(o.lease);
  if (!lease) {
    err << "gmsa run: no lease: " << lease.error().what() << "\n";
    return 1;
  }
  auto release = [&] {
    if (auto d = daemon.delete_lease(lease->id); !d)
      err << "gmsa run: lease " << lease->id << " NOT deleted: " << d.error().what() << "\n";
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
      << kContainerKrbDir << ", bound to pid " << self->pid << "\n";
  err.flush();
  Error e = runner.exec(*argv);
  err << "gmsa run: " << e.what() << "\n";
  release();
  return 1;
}

}  // namespace gmsa::client
