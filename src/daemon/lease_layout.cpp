#include "gmsa/daemon/lease_layout.hpp"

#include "gmsa/daemon/fs.hpp"

namespace gmsa::daemon {

mode_t lease_dir_mode(const FileOwner& owner, uid_t daemon_uid) {
  mode_t m = 0700;
  if (owner.mode & 0040) m |= 0050;
  if (owner.mode & 0004) m |= 0005;
  const bool foreign_owner = owner.uid && *owner.uid != daemon_uid;
  // The owner reaches its file as "other", or, when it is in the
  // directory's group (often its own primary group), through the group bits.
  if (foreign_owner && (owner.mode & 0400)) m |= owner.gid ? 0011 : 0001;
  return m;
}

Status ensure_lease_dir(const std::string& path, const FileOwner& owner, uid_t daemon_uid) {
  return fs::ensure_dir(path, lease_dir_mode(owner, daemon_uid), daemon_uid, owner.gid);
}

}  // namespace gmsa::daemon
