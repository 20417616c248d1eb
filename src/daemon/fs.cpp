#include "gmsa/daemon/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gmsa::daemon::fs {
namespace {

Error sys(const std::string& field, const std::string& what) {
  return make_error(field, what + ": " + std::strerror(errno));
}

}  // namespace

mode_t dir_mode_for(mode_t file_mode) {
  mode_t m = (file_mode & 0777) | 0700;
  if (m & 0040) m |= 0010;
  if (m & 0004) m |= 0001;
  return m;
}

FileAttrs state_dir_attrs(std::optional<uid_t> uid, std::optional<gid_t> gid, mode_t mode,
                          bool sync) {
  FileAttrs a;
  a.uid = uid;
  a.gid = gid;
  a.mode = mode;
  a.sync = sync;
  a.volume = "state directory";
  return a;
}

bool on_tmpfs(const std::string& path) {
  struct statfs st {};
  return ::statfs(path.c_str(), &st) == 0 && st.f_type == TMPFS_MAGIC;
}

Status ensure_dir(const std::string& path, mode_t mode, std::optional<uid_t> uid,
                  std::optional<gid_t> gid) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    if (errno == ENOSPC || errno == EDQUOT) {
      return make_error(path, std::string("state directory full: ") + std::strerror(ENOSPC));
    }
    return sys(path, "cannot create directory");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return sys(path, "cannot stat");
  if (!S_ISDIR(st.st_mode)) return make_error(path, "exists and is not a directory");
  // Skipped when the owner is already right (a new directory is the
  // daemon's): one system call saved per directory of a new lease.
  const bool chown_needed = (uid && *uid != st.st_uid) || (gid && *gid != st.st_gid);
  if (chown_needed && ::lchown(path.c_str(), uid ? *uid : static_cast<uid_t>(-1),
                               gid ? *gid : static_cast<gid_t>(-1)) != 0) {
    return sys(path, "cannot chown");
  }
  if ((st.st_mode & 07777) != mode && ::chmod(path.c_str(), mode) != 0)
    return sys(path, "cannot chmod");
  return ok_status();
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return sys(path, "cannot open");
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = sys(path, "cannot read");
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return make_error(path, "larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

Result<std::vector<std::string>> remove_tree(const std::string& path) {
  std::vector<std::string> removed;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return removed;
    return sys(path, "cannot stat");
  }
  if (S_ISDIR(st.st_mode)) {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) return sys(path, "cannot open directory");
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    for (const std::string& n : names) {
      auto sub = remove_tree(path + "/" + n);
      if (!sub) return sub.error();
      removed.insert(removed.end(), sub->begin(), sub->end());
    }
    if (::rmdir(path.c_str()) != 0) return sys(path, "cannot remove directory");
    return removed;
  }
  if (::unlink(path.c_str()) != 0) return sys(path, "cannot remove");
  removed.push_back(path);
  return removed;
}

}  // namespace gmsa::daemon::fs
