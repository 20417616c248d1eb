// A tree snapshot for "nothing changed on disk" checks: every path under a
// directory with its type, mode, owner, and content digest (SHA-256) or
// symlink target. Times are not part of it (reads change atime).
#pragma once

#include <map>
#include <string>

namespace gmsa::reliability {

using Tree = std::map<std::string, std::string>;  // relative path -> "type mode uid:gid sha256"

Tree snapshot(const std::string& dir);

// Human-readable difference ("+ path", "- path", "~ path: old -> new"), empty if equal.
std::string diff(const Tree& before, const Tree& after);

}  // namespace gmsa::reliability
