// FILE ccache images: the bytes libkrb5's FILE ccache (format version 4)
// holds after krb5_cc_initialize(client) + krb5_cc_store_cred(creds), built
// from krb5_marshal_credentials' output, which is the same version-4
// credential encoding (MIT ccache format, "credential" section). Layout:
//   uint16 0x0504 | uint16 header length (0: no tags) | default principal |
//   credential
// and the default principal is the credential's first field (its client).
#include <algorithm>
#include <cstdint>
#include <string>

#include "gmsa/common/atomic_file.hpp"
#include "gmsa/krb/krb.hpp"

namespace gmsa::krb {
namespace {

// Length of the version-4 principal encoding at the start of `in`:
// uint32 name type, uint32 count, counted realm, count counted components.
Result<std::size_t> principal_length(std::span<const std::uint8_t> in) {
  auto bad = [] { return make_error("credentials", "malformed marshalled credentials"); };
  std::size_t off = 0;
  auto u32 = [&](std::uint32_t& v) {
    if (in.size() - off < 4) return false;
    v = (std::uint32_t{in[off]} << 24) | (std::uint32_t{in[off + 1]} << 16) |
        (std::uint32_t{in[off + 2]} << 8) | std::uint32_t{in[off + 3]};
    off += 4;
    return true;
  };
  std::uint32_t type = 0, count = 0;
  if (!u32(type) || !u32(count) || count > 64) return bad();
  for (std::uint32_t i = 0; i <= count; ++i) {  // the realm, then each component
    std::uint32_t len = 0;
    if (!u32(len) || in.size() - off < len) return bad();
    off += len;
  }
  return off;
}

}  // namespace

Result<SecretBytes> ccache_image(const Credentials& creds) {
  auto plen = principal_length(creds.marshalled.span());
  if (!plen) return plen.error();
  if (*plen >= creds.marshalled.size()) {
    return make_error("credentials", "malformed marshalled credentials");
  }
  SecretBytes image(4 + *plen + creds.marshalled.size());
  image[0] = 0x05;
  image[1] = 0x04;
  image[2] = 0;
  image[3] = 0;
  std::copy_n(creds.marshalled.data(), *plen, image.data() + 4);
  std::copy_n(creds.marshalled.data(), creds.marshalled.size(), image.data() + 4 + *plen);
  return image;
}

Status write_ccache_image(const std::string& path, const SecretBytes& image,
                          const FileOwnership& owner) {
  return write_file_atomic(path, image.span(), owner, "ccache");
}

Status write_ccache_file(const Context& /*ctx*/, const std::string& path, const Credentials& creds,
                         const FileOwnership& owner) {
  auto image = ccache_image(creds);
  if (!image) return image.error();
  return write_ccache_image(path, *image, owner);
}

}  // namespace gmsa::krb
