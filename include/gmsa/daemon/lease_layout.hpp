// Owners and modes of a lease's directories (docs/daemon.md, "Lease files").
// The container user may read what was issued for it but never replace,
// rename or delete anything: the directories belong to the daemon (group: the
// request's gid), the files to the container user with the requested mode.
#pragma once

#include <sys/types.h>

#include <string>

#include "gmsa/common/result.hpp"
#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon {

// Mode of <state>/krbdir/<lease> and of each account directory in it, for a
// lease whose files get `owner`: rwx for the daemon; r-x for the group where
// the file mode lets the group read, r-x for others where it lets others
// read; and --x for others when the files belong to another user who could
// not otherwise reach them (listing stays closed; the files' own modes apply).
// Never a write bit for anyone but the daemon.
mode_t lease_dir_mode(const FileOwner& owner, uid_t daemon_uid);

// Creates (mkdir, not -p) or repairs one lease directory: owned by
// daemon_uid, group owner.gid when set, mode lease_dir_mode(). Repairing
// re-owns directories an earlier version gave to the container user.
Status ensure_lease_dir(const std::string& path, const FileOwner& owner, uid_t daemon_uid);

}  // namespace gmsa::daemon
