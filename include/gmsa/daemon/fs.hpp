// File-system helpers for the state directory: directories with an owner,
// reading, removal of a lease's tree. Atomic writes: gmsa/common/atomic_file.hpp
// (state_dir_attrs() below gives the daemon's settings).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gmsa/common/atomic_file.hpp"
#include "gmsa/common/result.hpp"

namespace gmsa::daemon::fs {

// mkdir (not -p) if missing, then chown/chmod to the given values. An
// existing path that is not a directory, or a symlink, is an error.
Status ensure_dir(const std::string& path, mode_t mode, std::optional<uid_t> uid = std::nullopt,
                  std::optional<gid_t> gid = std::nullopt);

Result<std::string> read_file(const std::string& path, std::size_t max_bytes = 1 << 20);

// Recursively removes path (no symlink following); returns the removed
// regular files. Missing path = empty list.
Result<std::vector<std::string>> remove_tree(const std::string& path);

// Whether path is on a tmpfs (statfs); false when it cannot be told.
bool on_tmpfs(const std::string& path);

// Directory mode matching a file mode: an x bit wherever an r bit is set, plus
// owner rwx (the daemon must manage the entries).
mode_t dir_mode_for(mode_t file_mode);

// Attributes for a file written under the state directory: a full file
// system is reported as "state directory full: No space left on device
// (writing <path>)".
FileAttrs state_dir_attrs(std::optional<uid_t> uid, std::optional<gid_t> gid, mode_t mode,
                          bool sync);

}  // namespace gmsa::daemon::fs
