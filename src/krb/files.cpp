// Atomic publication of issued files: temp file -> owner/mode -> fsync -> rename.
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "gmsa/common/encoding.hpp"
#include "internal.hpp"

namespace gmsa::krb::detail {

std::string temp_path_for(const std::string& path) {
  std::array<std::uint8_t, 8> r{};
  if (RAND_bytes(r.data(), static_cast<int>(r.size())) != 1) std::abort();
  return path + ".tmp." + to_hex(r);
}

namespace {
Error sys_error(const std::string& field, const std::string& what) {
  return make_error(field, what + ": " + std::strerror(errno));
}
}  // namespace

Status publish_file(const std::string& tmp, const std::string& path, const FileOwnership& owner,
                    const std::string& field) {
  int fd = ::open(tmp.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    Error e = sys_error(field, "cannot open " + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  auto fail = [&](const std::string& what) -> Status {
    Error e = sys_error(field, what + " " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  if (owner.uid || owner.gid) {
    uid_t u = owner.uid ? *owner.uid : static_cast<uid_t>(-1);
    gid_t g = owner.gid ? *owner.gid : static_cast<gid_t>(-1);
    if (::fchown(fd, u, g) != 0) return fail("cannot chown");
  }
  if (::fchmod(fd, owner.mode & 07777) != 0) return fail("cannot chmod");
  if (owner.sync && ::fsync(fd) != 0) return fail("cannot fsync");
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = sys_error(field, "cannot rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  if (!owner.sync) return ok_status();
  std::string dir = path.substr(0, path.find_last_of('/') + 1);
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok_status();
}

}  // namespace gmsa::krb::detail
