#include "as_user.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

namespace gmsa::testing {
namespace {

struct Paths {
  std::string dir, file, planted, moved, dir_moved;
};

// Child side (after fork: no allocation, only system calls): one bit per
// probe that succeeded, or 0x80 if dropping to the user failed.
int probe(uid_t uid, gid_t gid, const Paths& p) {
  if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) return 0x80;
  int bits = 0;
  int fd = ::open(p.file.c_str(), O_RDONLY | O_CLOEXEC);
  char c = 0;
  if (fd >= 0 && ::read(fd, &c, 1) == 1) bits |= 1;
  if (fd >= 0) ::close(fd);
  fd = ::open(p.planted.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    bits |= 16;
    ::close(fd);
    if (std::rename(p.planted.c_str(), p.file.c_str()) == 0) bits |= 2;
  }
  if (std::rename(p.file.c_str(), p.moved.c_str()) == 0) {
    bits |= 4;
    (void)std::rename(p.moved.c_str(), p.file.c_str());
  }
  if (::unlink(p.file.c_str()) == 0) bits |= 8;
  if (std::rename(p.dir.c_str(), p.dir_moved.c_str()) == 0) {
    bits |= 32;
    (void)std::rename(p.dir_moved.c_str(), p.dir.c_str());
  }
  return bits;
}

}  // namespace

UserAccess probe_as_user(uid_t uid, gid_t gid, const std::string& dir, const std::string& file) {
  UserAccess out;
  const Paths paths{dir, file, dir + "/planted", file + ".moved", dir + ".moved"};
  pid_t pid = ::fork();
  if (pid < 0) {
    out.error = "fork failed";
    return out;
  }
  if (pid == 0) ::_exit(probe(uid, gid, paths));
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    out.error = "probe child did not exit normally";
    return out;
  }
  const int bits = WEXITSTATUS(status);
  if (bits & 0x80) {
    out.error = "cannot drop to uid " + std::to_string(uid) + " gid " + std::to_string(gid);
    return out;
  }
  out.read = bits & 1;
  out.replace = bits & 2;
  out.rename_file = bits & 4;
  out.remove = bits & 8;
  out.create = bits & 16;
  out.remove_dir = bits & 32;
  return out;
}

std::string describe_path(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "missing";
  std::ostringstream o;
  o << (S_ISDIR(st.st_mode)   ? "dir "
        : S_ISREG(st.st_mode) ? "file "
        : S_ISLNK(st.st_mode) ? "link "
                              : "other ");
  o << '0' << std::oct << (st.st_mode & 07777) << std::dec << ' ' << st.st_uid << ':' << st.st_gid;
  return o.str();
}

std::string allowed(uid_t uid, gid_t gid, const std::string& dir, const std::string& file) {
  UserAccess a = probe_as_user(uid, gid, dir, file);
  if (!a.error.empty()) return "error: " + a.error;
  std::string out;
  auto add = [&out](bool yes, const char* what) {
    if (yes) out += (out.empty() ? "" : " ") + std::string(what);
  };
  add(a.read, "read");
  add(a.replace, "replace");
  add(a.rename_file, "rename");
  add(a.remove, "remove");
  add(a.create, "create");
  add(a.remove_dir, "move-dir");
  return out;
}

}  // namespace gmsa::testing
