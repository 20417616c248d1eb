// file:// credential specs, read from the task definition's folder only.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::taskdef {
namespace {

namespace fs = std::filesystem;

// Is `path` equal to or below `folder`? Both lexically normal and absolute.
bool inside(const fs::path& path, const fs::path& folder) {
  auto p = path.begin();
  for (auto f = folder.begin(); f != folder.end(); ++f, ++p) {
    if (f->empty()) continue;  // trailing separator
    if (p == path.end() || *p != *f) return false;
  }
  return true;
}

}  // namespace

DirectorySpecStore::DirectorySpecStore(fs::path folder, std::size_t max_bytes)
    : max_bytes_(max_bytes) {
  std::error_code ec;
  fs::path abs = fs::absolute(folder, ec);  // on failure, relative paths simply fail to resolve
  folder_ = (ec ? folder : abs).lexically_normal();
}

Result<std::string> DirectorySpecStore::read(std::string_view name) {
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      return Error{"", "file name contains a control character"};
  // '\' counts as a separator too: the same task definition may go to Windows.
  std::string_view rest = name;
  while (!rest.empty()) {
    const std::size_t cut = rest.find_first_of("/\\");
    if (rest.substr(0, cut) == "..")
      return Error{"", "'..' is refused: the spec must be inside the task definition's folder"};
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  const fs::path given(name);
  const fs::path full = (given.is_absolute() ? given : folder_ / given).lexically_normal();
  if (given.is_absolute() && !inside(full, folder_))
    return Error{"", "absolute path outside the task definition's folder is refused"};
  std::error_code ec;
  const fs::path real = fs::canonical(full, ec);
  if (ec) return Error{"", "cannot read: " + ec.message()};
  const fs::path real_folder = fs::canonical(folder_, ec);
  if (ec || !inside(real, real_folder))
    return Error{
        "", "resolves (through a symbolic link) outside the task definition's folder: refused"};
  if (!fs::is_regular_file(real, ec)) return Error{"", "cannot read: not a regular file"};
  std::ifstream in(real, std::ios::binary);
  if (!in) return Error{"", std::string("cannot read: ") + std::strerror(errno)};
  std::string data;
  char buf[8192];
  while (data.size() <= max_bytes_ && in.read(buf, sizeof buf).gcount() > 0)
    data.append(buf, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return Error{"", "cannot read: read failed"};
  if (data.size() > max_bytes_)
    return Error{"", "larger than the limit of " + std::to_string(max_bytes_) + " bytes"};
  return data;
}

}  // namespace gmsa::taskdef
