// Internal: small file-system and randomness helpers for the lab.
#pragma once

#include <sys/types.h>

#include <functional>
#include <iosfwd>
#include <string>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::lab {

// Writes atomically (temp file + rename) with `mode` from the start.
Status write_file(const std::string& path, const std::string& content, mode_t mode = 0644);
Status write_secret_file(const std::string& path, const SecretBytes& content);  // 0600
Result<std::string> read_file(const std::string& path);
Status make_dirs(const std::string& path, mode_t mode = 0755);
Status remove_tree(const std::string& path);
Status chown_tree(const std::string& path, uid_t uid, gid_t gid);

// Serialises up/down on one lab directory (flock on a file in it).
class DirLock {
 public:
  explicit DirLock(const std::string& path);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// `lab down`'s frame, for both profiles: needs root; a missing DIR is down
// already; otherwise runs `body` holding DIR's lock.
Status down_locked(const std::string& dir, std::ostream& log, const std::function<Status()>& body);

// Random printable password (letters, digits, punctuation without quotes,
// backslash or whitespace) from OpenSSL's CSPRNG.
SecretBytes random_password(std::size_t length);
std::vector<std::uint8_t> random_bytes(std::size_t n);

}  // namespace gmsa::lab
