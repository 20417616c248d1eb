// `gmsa run`: a container command run with a lease (docs/run.md). The pieces
// with decisions in them are pure or behind interfaces: the argument-vector
// rewrite, and the supervision loop over a ProcessRunner (fork/exec, signal
// forwarding and exit status in the real one; scripted in unit tests).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/client/client.hpp"
#include "gmsa/common/result.hpp"

namespace gmsa::client {

inline constexpr const char* kContainerKrbDir = "/var/credentials-fetcher/krbdir";
inline constexpr const char* kContainerCcache = "FILE:/var/credentials-fetcher/krbdir/krb5cc";

// `command` must be `podman [global options] run ...` (argv[0] named podman,
// by path or not). Returns it with, right after "run":
//   -v LEASE_DIR:/var/credentials-fetcher/krbdir:ro
//   -e KRB5CCNAME=FILE:/var/credentials-fetcher/krbdir/krb5cc
//   [--user UID]            (when uid is set)
// Errors name "command" and the rule; lease_dir must be absolute with no ':' or ','.
Result<std::vector<std::string>> insert_identity(const std::vector<std::string>& command,
                                                 const std::string& lease_dir,
                                                 std::optional<std::uint32_t> uid);

// Maps a wait status to the exit code a shell would give: the code, or
// 128 + signal number.
int exit_code_of(int wait_status);

// Starts one child and reports what happens while it runs.
class ProcessRunner {
 public:
  struct Event {
    enum class Kind { kSignal, kExited };
    Kind kind;
    int value;  // kSignal: signal number received by us; kExited: wait status
    // kSignal from the terminal (Ctrl-C): the kernel sent it to our whole
    // process group, which the child shares, so it is not forwarded again.
    bool to_group = false;
  };
  virtual ~ProcessRunner() = default;
  virtual Result<pid_t> spawn(const std::vector<std::string>& argv) = 0;
  // Blocks until SIGINT/SIGTERM/SIGHUP arrives or the child ends.
  virtual Result<Event> next_event() = 0;
  virtual void forward(int signal) = 0;
};

// The real runner: blocks SIGINT, SIGTERM, SIGHUP and SIGCHLD in this process
// from construction (so none is lost before or during spawn), fork/execvp with
// the argument vector (no shell), the child's mask and dispositions restored.
// `extra_env` ("NAME=value") is added to the child's inherited environment.
std::unique_ptr<ProcessRunner> make_process_runner(std::vector<std::string> extra_env = {});

struct RunOptions {
  LeaseRequest lease;
  std::vector<std::string> command;  // podman run ...
  std::optional<std::uint32_t> uid;
};

// Obtains the lease, runs the rewritten command, forwards signals, deletes the
// lease when the child ends (whatever the reason) and returns the child's exit
// code (1 when nothing could be started). Progress/errors go to `err`.
int run_with_lease(Daemon& daemon, ProcessRunner& runner, RunOptions options, std::ostream& err);

}  // namespace gmsa::client
