#include "tree_hash.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "gmsa/common/encoding.hpp"

namespace gmsa::reliability {
namespace {

std::string file_digest(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "unreadable";
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (f) {
    f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    EVP_DigestUpdate(md, buf.data(), static_cast<std::size_t>(f.gcount()));
  }
  std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  EVP_DigestFinal_ex(md, out.data(), &len);
  EVP_MD_CTX_free(md);
  out.resize(len);
  return to_hex(out);
}

std::string describe(const std::filesystem::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return "vanished";
  std::ostringstream o;
  o << std::oct << st.st_mode << std::dec << " " << st.st_uid << ":" << st.st_gid << " ";
  if (S_ISREG(st.st_mode)) {
    o << file_digest(p);
  } else if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    o << "-> " << std::filesystem::read_symlink(p, ec).string();
  }
  return o.str();
}

}  // namespace

Tree snapshot(const std::string& dir) {
  Tree t;
  t["."] = describe(dir);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::none, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    t[std::filesystem::relative(it->path(), dir).string()] = describe(it->path());
  }
  return t;
}

std::string diff(const Tree& before, const Tree& after) {
  std::ostringstream o;
  for (const auto& [p, v] : before) {
    auto it = after.find(p);
    if (it == after.end()) {
      o << "- " << p << "\n";
    } else if (it->second != v) {
      o << "~ " << p << ": " << v << " -> " << it->second << "\n";
    }
  }
  for (const auto& [p, v] : after) {
    if (!before.count(p)) o << "+ " << p << "\n";
  }
  return o.str();
}

}  // namespace gmsa::reliability
