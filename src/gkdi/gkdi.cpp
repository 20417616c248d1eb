// MS-GKDI key derivation: GKID arithmetic, seed keys and the gMSA password
// (shared gmsa-formats.md section 3; docs/formats/gkdi.md).
#include "gmsa/gkdi/gkdi.hpp"

#include <array>
#include <string_view>

#include "kdf.hpp"

namespace gmsa::gkdi {
namespace {

constexpr std::size_t kSeedKeyLen = 64;
constexpr std::size_t kPasswordLen = 256;

// Self-relative security descriptor O:SYD:(A;;FRFW;;;S-1-5-9) (60 bytes),
// appended to the context of the L1 = 31 step only.
constexpr std::array<std::uint8_t, 60> kGmsaSecurityDescriptor = {
    0x01, 0x00, 0x04, 0x80, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x14, 0x00, 0x00, 0x00, 0x02, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x9f, 0x01, 0x12, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x09,
    0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x12, 0x00, 0x00, 0x00};

// ASCII label -> UTF-16LE with its terminating NUL.
std::vector<std::uint8_t> utf16_label(std::string_view ascii) {
  std::vector<std::uint8_t> out;
  for (char c : ascii) {
    out.push_back(static_cast<std::uint8_t>(c));
    out.push_back(0);
  }
  out.push_back(0);
  out.push_back(0);
  return out;
}

void put_i32(std::vector<std::uint8_t>& out, std::int32_t v) {
  auto u = static_cast<std::uint32_t>(v);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

std::vector<std::uint8_t> context(const Guid& root_id, std::int32_t l0, std::int32_t l1,
                                  std::int32_t l2) {
  std::vector<std::uint8_t> out(root_id.bytes.begin(), root_id.bytes.end());
  put_i32(out, l0);
  put_i32(out, l1);
  put_i32(out, l2);
  return out;
}

Status check_gkid(const Gkid& g, bool l2_required) {
  if (g.l0 < 0) return Error{"gkid.l0", "must be >= 0, got " + std::to_string(g.l0)};
  if (g.l1 < 0 || g.l1 > 31) return Error{"gkid.l1", "must be 0..31, got " + std::to_string(g.l1)};
  const int l2_min = l2_required ? 0 : -1;
  if (g.l2 < l2_min || g.l2 > 31)
    return Error{"gkid.l2", std::string(l2_required ? "must be 0..31" : "must be -1..31") +
                                ", got " + std::to_string(g.l2)};
  return ok_status();
}

}  // namespace

Gkid Gkid::from_cycle(std::int64_t c) {
  if (c < 0) c = 0;  // no key exists before NT time 0
  return Gkid{static_cast<std::int32_t>(c / 1024), static_cast<std::int32_t>((c / 32) % 32),
              static_cast<std::int32_t>(c % 32)};
}

Gkid gkid_at(std::uint64_t nt_time) {
  return Gkid::from_cycle(static_cast<std::int64_t>(nt_time / kKeyCycle100ns));
}

Result<SecretBytes> seed_key(const RootKey& root, const Gkid& gkid) {
  if (auto st = check_gkid(gkid, false); !st) return st.error();
  auto digest = detail::openssl_digest(root.kdf_hash, "root_key.kdf_hash");
  if (!digest) return digest.error();
  if (root.data.empty()) return Error{"root_key.data", "is empty"};
  static const std::vector<std::uint8_t> label = utf16_label("KDS service");

  auto step = [&](const SecretBytes& key,
                  const std::vector<std::uint8_t>& ctx) -> Result<SecretBytes> {
    return detail::kbkdf_hmac(*digest, key.span(), label, ctx, kSeedKeyLen);
  };
  // 1. L0 seed key.
  auto k = step(root.data, context(root.id, gkid.l0, -1, -1));
  if (!k) return k;
  // 2. L1 key 31; the security descriptor is part of this context only.
  auto ctx = context(root.id, gkid.l0, 31, -1);
  ctx.insert(ctx.end(), kGmsaSecurityDescriptor.begin(), kGmsaSecurityDescriptor.end());
  k = step(*k, ctx);
  if (!k) return k;
  // 3. L1 keys 30 down to L1.
  for (std::int32_t n = 30; n >= gkid.l1; --n) {
    k = step(*k, context(root.id, gkid.l0, n, -1));
    if (!k) return k;
  }
  if (gkid.l2 == -1) return k;
  // 4. L2 keys 31 down to L2.
  for (std::int32_t n = 31; n >= gkid.l2; --n) {
    k = step(*k, context(root.id, gkid.l0, gkid.l1, n));
    if (!k) return k;
  }
  return k;
}

Result<SecretBytes> gmsa_password(const RootKey& root, const Sid& gmsa_sid, const Gkid& gkid) {
  if (auto st = check_gkid(gkid, true); !st) return st.error();
  auto l2_key = seed_key(root, gkid);
  if (!l2_key) return l2_key;
  auto digest = detail::openssl_digest(root.kdf_hash, "root_key.kdf_hash");
  if (!digest) return digest.error();
  static const std::vector<std::uint8_t> label = utf16_label("GMSA PASSWORD");
  auto pw = detail::kbkdf_hmac(*digest, l2_key->span(), label, gmsa_sid.to_binary(), kPasswordLen);
  if (!pw) return pw;
  // A NUL code unit would end the password early in Windows APIs.
  for (std::size_t i = 0; i + 1 < pw->size(); i += 2) {
    if ((*pw)[i] == 0 && (*pw)[i + 1] == 0) (*pw)[i] = 1;
  }
  return pw;
}

}  // namespace gmsa::gkdi
