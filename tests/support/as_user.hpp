// Test support: what a container user may do to the files issued for it.
// Runs the probes in a forked child that drops to (uid, gid) with no
// supplementary groups (needs root); the parent only waits.
#pragma once

#include <sys/types.h>

#include <string>

namespace gmsa::testing {

struct UserAccess {
  bool read = false;         // open(file, O_RDONLY) and read one byte
  bool replace = false;      // rename(another new file, file) in its directory
  bool rename_file = false;  // rename(file, file + ".moved")
  bool remove = false;       // unlink(file)
  bool create = false;       // open(dir + "/planted", O_CREAT|O_EXCL)
  bool remove_dir = false;   // rename(dir, dir + ".moved") in the parent
  std::string error;         // set when the probe itself could not run
};

// `file` lies in `dir`. Nothing is left changed when every probe but `read`
// fails (what the tests expect); a probe that succeeds may leave its change.
UserAccess probe_as_user(uid_t uid, gid_t gid, const std::string& dir, const std::string& file);

// "dir 0751 0:4322", "file 0440 4321:4322", "link ...", "other ..." (lstat),
// or "missing": type, permission bits (octal), uid:gid in one string.
std::string describe_path(const std::string& path);

// What the user could do, e.g. "read" or "read replace remove" ("" = nothing;
// "error: ..." when the probe could not run): one exact string to assert.
std::string allowed(uid_t uid, gid_t gid, const std::string& dir, const std::string& file);

}  // namespace gmsa::testing
