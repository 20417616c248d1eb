#include "src/lab/files.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <vector>

namespace gmsa::lab {
namespace fs = std::filesystem;

DirLock::DirLock(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ >= 0) ::flock(fd_, LOCK_EX);
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);
}

Status down_locked(const std::string& dir, std::ostream& log, const std::function<Status()>& body) {
  if (::geteuid() != 0) return Error{"lab down", "needs root"};
  if (::access(dir.c_str(), F_OK) != 0) {
    log << "lab down: no lab in " << dir << "\n";
    return ok_status();
  }
  DirLock lock(dir + "/.lock");
  return body();
}

namespace {
Status write_bytes(const std::string& path, const std::uint8_t* data, std::size_t n, mode_t mode) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Error{path, std::strerror(errno)};
  ::fchmod(fd, mode);
  std::size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error{path, "write failed"};
    }
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Error{path, "write failed"};
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Error{path, std::strerror(errno)};
  return ok_status();
}
}  // namespace

Status write_file(const std::string& path, const std::string& content, mode_t mode) {
  return write_bytes(path, reinterpret_cast<const std::uint8_t*>(content.data()), content.size(),
                     mode);
}

Status write_secret_file(const std::string& path, const SecretBytes& content) {
  return write_bytes(path, content.data(), content.size(), 0600);
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error{path, "cannot read"};
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

Status make_dirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Error{path, ec.message()};
  if (::chmod(path.c_str(), mode) != 0) return Error{path, std::strerror(errno)};
  return ok_status();
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Error{path, ec.message()};
  return ok_status();
}

Status chown_tree(const std::string& path, uid_t uid, gid_t gid) {
  if (::lchown(path.c_str(), uid, gid) != 0) return Error{path, std::strerror(errno)};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (::lchown(it->path().c_str(), uid, gid) != 0)
      return Error{it->path().string(), std::strerror(errno)};
  }
  if (ec) return Error{path, ec.message()};
  return ok_status();
}

std::vector<std::uint8_t> random_bytes(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  if (RAND_bytes(v.data(), static_cast<int>(n)) != 1) std::abort();  // CSPRNG failure: invariant
  return v;
}

SecretBytes random_password(std::size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%+,-.:=@^_~";
  constexpr std::size_t kN = sizeof(kAlphabet) - 1;
  SecretBytes out(length);
  std::size_t i = 0;
  while (i < length) {
    std::uint8_t b = 0;
    if (RAND_bytes(&b, 1) != 1) std::abort();
    if (b >= (256 / kN) * kN) continue;  // no modulo bias
    out[i++] = static_cast<std::uint8_t>(kAlphabet[b % kN]);
  }
  return out;
}

}  // namespace gmsa::lab
