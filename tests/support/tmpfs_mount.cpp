#include "tmpfs_mount.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace gmsa::testing {

Result<std::unique_ptr<TmpfsMount>> TmpfsMount::create(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=0755,size=256m") != 0) {
    return Error{path, std::string("cannot mount a tmpfs: ") + std::strerror(errno)};
  }
  return std::unique_ptr<TmpfsMount>(new TmpfsMount(path));
}

TmpfsMount::~TmpfsMount() { ::umount2(path_.c_str(), MNT_DETACH); }

}  // namespace gmsa::testing
