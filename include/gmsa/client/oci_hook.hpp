// `gmsa hook precreate|poststop`: an OCI hook for podman (docs/run.md, "OCI
// hook"). A container annotated io.github.gmsa-broker.credspec=<credential
// spec file on the host> gets a lease at creation: precreate adds the lease's
// directory read-only at /var/credentials-fetcher/krbdir, KRB5CCNAME, and a
// poststop hook of the container's own that deletes the lease when the
// runtime deletes the container.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "gmsa/client/client.hpp"
#include "gmsa/common/result.hpp"

namespace gmsa::client {

inline constexpr const char* kCredspecAnnotation = "io.github.gmsa-broker.credspec";
// Optional: a domainless lease, read by the user in this file (read_domainless_secret).
inline constexpr const char* kDomainlessAnnotation = "io.github.gmsa-broker.domainless-secret";

struct HookContext {
  std::string self_path;  // this gmsa binary (absolute), run by the poststop hook
  std::string socket;     // gmsa-brokerd's socket, also handed to the poststop hook
  // Reads the credential spec named by the annotation.
  std::function<Result<std::string>(const std::string& path)> read_file;
  // Reads the domainless secret file named by its annotation.
  std::function<Result<DomainlessUser>(const std::string& path)> read_secret;
};

// The precreate stage: `config` is the OCI runtime configuration podman is
// about to create the container with; returns the one to use instead.
// Without the annotation it is returned unchanged. With it, a lease owned by
// the container's process.user uid/gid (domainless when the second
// annotation names a secret file) is created and the configuration
// gains the mount, KRB5CCNAME (replacing any other) and the poststop hook
// `<self_path> hook poststop --socket <socket> --lease <id>`. Errors name the
// field ("config", "annotations.<key>", "process.user.uid", "mounts",
// "lease"); after an error no lease is left.
Result<std::string> hook_precreate(Daemon& daemon, std::string_view config, const HookContext& ctx);

// The poststop stage of that container: deletes the lease. A lease that is
// already gone is not an error (the hook may run twice).
Status hook_poststop(Daemon& daemon, const std::string& lease_id);

}  // namespace gmsa::client
