// Test support: a tmpfs on a directory, as dist/ mounts one on the daemon's
// krbdir (nosuid,nodev,noexec, mode 0755). Needs root.
#pragma once

#include <memory>
#include <string>

#include "gmsa/common/result.hpp"

namespace gmsa::testing {

class TmpfsMount {
 public:
  // Creates `path` if missing and mounts a tmpfs on it.
  static Result<std::unique_ptr<TmpfsMount>> create(const std::string& path);
  ~TmpfsMount();  // detaches it (MNT_DETACH)
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit TmpfsMount(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace gmsa::testing
