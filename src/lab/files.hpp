// Internal: small file-system and randomness helpers for the lab.
#pragma once

#include <sys/types.h>

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

// Random printable password (letters, digits, punctuation without quotes,
// backslash or whitespace) from OpenSSL's CSPRNG.
SecretBytes random_password(std::size_t length);
std::vector<std::uint8_t> random_bytes(std::size_t n);

}  // namespace gmsa::lab
