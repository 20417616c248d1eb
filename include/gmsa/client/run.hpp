// `gmsa run`: a container command run with a lease (docs/run.md). The pieces
// with decisions in them are pure or behind interfaces: the argument-vector
// rewrite, and the lease-then-exec sequence over a ProcessRunner (the real
// one execs; the unit tests' fake records).
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

// What `gmsa run` does to its own process: names it (the lease is bound to
// it) and replaces it with podman, which keeps the pid and start time.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual Result<BoundProcess> self() = 0;
  // execvp with the argument vector (PATH lookup, no shell). Returns only
  // when the program cannot be run: "argv[0]: cannot run: <reason>".
  virtual Error exec(const std::vector<std::string>& argv) = 0;
};

// The real one. `extra_env` ("NAME=value") is added to the inherited
// environment of the program exec'd.
std::unique_ptr<ProcessRunner> make_process_runner(std::vector<std::string> extra_env = {});

struct RunOptions {
  LeaseRequest lease;
  std::vector<std::string> command;  // podman run ...
  std::optional<std::uint32_t> uid;
};

// Obtains the lease bound to this process, then execs the rewritten command
// in place: podman gets the signals, the shell gets podman's status, and
// gmsa-brokerd deletes the lease when podman exits, however it exits.
// Returns only when that cannot happen: 2 for a bad command (no lease asked),
// 1 otherwise (a lease obtained is deleted first). Progress/errors go to `err`.
int run_with_lease(Daemon& daemon, ProcessRunner& runner, RunOptions options, std::ostream& err);

}  // namespace gmsa::client
