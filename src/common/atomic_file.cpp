#include "gmsa/common/atomic_file.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "gmsa/common/encoding.hpp"

namespace gmsa {

Error file_error(const std::string& field, const std::string& what, const std::string& path,
                 const FileAttrs& attrs, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return make_error(field,
                      attrs.volume + " full: " + std::strerror(ENOSPC) + " (writing " + path + ")");
  }
  return make_error(field, what + ": " + std::strerror(err));
}

namespace {

void fsync_dir_of(const std::string& path) {
  std::string dir = path.substr(0, path.find_last_of('/') + 1);
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

std::string temp_path_for(const std::string& path) {
  std::array<std::uint8_t, 8> r{};
  if (RAND_bytes(r.data(), static_cast<int>(r.size())) != 1) std::abort();
  return path + ".tmp." + to_hex(r);
}

namespace {

Status write_all(int fd, std::span<const std::uint8_t> data, const std::string& tmp,
                 const std::string& path, const FileAttrs& attrs, const std::string& field) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return file_error(field, "cannot write " + tmp, path, attrs, n < 0 ? errno : EIO);
    off += static_cast<std::size_t>(n);
  }
  return ok_status();
}

// Owner, mode, optional fsync on the open fd; close; rename; directory fsync.
// Closes fd and removes tmp on failure.
Status finish(int fd, const std::string& tmp, const std::string& path, const FileAttrs& attrs,
              const std::string& field) {
  auto fail = [&](const std::string& what) -> Status {
    Error e = file_error(field, what + " " + tmp, path, attrs, errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  if (attrs.uid || attrs.gid) {
    uid_t u = attrs.uid ? *attrs.uid : static_cast<uid_t>(-1);
    gid_t g = attrs.gid ? *attrs.gid : static_cast<gid_t>(-1);
    if (::fchown(fd, u, g) != 0) return fail("cannot chown");
  }
  // After the chown (which clears set-id bits), independent of the umask.
  if (::fchmod(fd, attrs.mode & 07777) != 0) return fail("cannot chmod");
  if (attrs.sync && ::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {  // NFS and friends report write errors here
    Error e = file_error(field, "cannot write " + tmp, path, attrs, errno);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = file_error(field, "cannot rename " + tmp + " to " + path, path, attrs, errno);
    ::unlink(tmp.c_str());
    return e;
  }
  if (attrs.sync) fsync_dir_of(path);
  return ok_status();
}

int open_temp(const std::string& tmp) {
  return ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

}  // namespace

Result<std::string> create_temp_file(const std::string& path, std::span<const std::uint8_t> initial,
                                     const std::string& field, const FileAttrs& attrs) {
  std::string tmp = temp_path_for(path);
  int fd = open_temp(tmp);
  if (fd < 0) return file_error(field, "cannot create " + tmp, path, attrs, errno);
  Status st = write_all(fd, initial, tmp, path, attrs, field);
  if (::close(fd) != 0 && st) st = file_error(field, "cannot write " + tmp, path, attrs, errno);
  if (!st) {
    ::unlink(tmp.c_str());
    return st.error();
  }
  return tmp;
}

Status publish_temp_file(const std::string& tmp, const std::string& path, const FileAttrs& attrs,
                         const std::string& field) {
  int fd = ::open(tmp.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    Error e = file_error(field, "cannot open " + tmp, path, attrs, errno);
    ::unlink(tmp.c_str());
    return e;
  }
  return finish(fd, tmp, path, attrs, field);
}

Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> content,
                         const FileAttrs& attrs, const std::string& field) {
  std::string tmp = temp_path_for(path);
  int fd = open_temp(tmp);
  if (fd < 0) return file_error(field, "cannot create " + tmp, path, attrs, errno);
  if (auto st = write_all(fd, content, tmp, path, attrs, field); !st) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  }
  return finish(fd, tmp, path, attrs, field);
}

Status link_file_atomic(const std::string& source, const std::string& path, const FileAttrs& attrs,
                        const std::string& field) {
  std::string tmp = temp_path_for(path);
  if (::link(source.c_str(), tmp.c_str()) != 0) {
    return file_error(field, "cannot link " + source + " to " + tmp, path, attrs, errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = file_error(field, "cannot rename " + tmp + " to " + path, path, attrs, errno);
    ::unlink(tmp.c_str());
    return e;
  }
  return ok_status();
}

Status write_file_atomic(const std::string& path, std::string_view content, const FileAttrs& attrs,
                         const std::string& field) {
  return write_file_atomic(
      path,
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(content.data()),
                                    content.size()),
      attrs, field);
}

}  // namespace gmsa
